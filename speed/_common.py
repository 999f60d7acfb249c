"""Shared helpers of the speed and memory scripts: timing, machine facts, JSON output.

Every ``results/<name>.json`` holds the raw time of every run or round next to
the medians and paired ratios printed from them, and the thread counts the
process ran with.  To recompute the figures from the raw lists and compare
them with the stored ones::

    python _common.py recompute results/*.json

(or :func:`recompute` on a loaded JSON); it exits with status 1 if a stored
figure differs from its recomputation.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from torch import nn

from sksymact._io import atomic_write_text


def use_threads(n):
    """Run this process's torch and native thread pools (BLAS, OpenMP) with ``n`` threads.

    On a two-core machine two OpenMP threads make every kernel wait for any
    busy neighbour at its barrier, so the scripts default to one.
    """
    # Load every library whose native pools the scripts use first: a pool loaded
    # after threadpool_limits would keep its default size.
    import gplearn  # noqa: F401
    import numpy  # noqa: F401
    import sklearn  # noqa: F401
    import skorch  # noqa: F401
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    threadpool_limits(n)  # numpy's BLAS and OpenMP; the limit lasts for the process
    return n


def thread_counts():
    """``{"torch": n, "<native library>": n, ...}``: the threads this process uses now."""
    import torch
    from threadpoolctl import threadpool_info

    counts = {"torch": torch.get_num_threads()}
    for pool in threadpool_info():
        counts[pool["prefix"]] = pool["num_threads"]  # the library: libgomp, ...openblas
    return counts


def machine():
    import gplearn
    import numpy
    import sklearn
    import skorch
    import torch

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "threads": thread_counts(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),  # the SIMD torch uses
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "versions": {
            "torch": torch.__version__, "scikit-learn": sklearn.__version__,
            "skorch": skorch.__version__, "gplearn": gplearn.__version__,
            "numpy": numpy.__version__,
        },
    }


def load_average():
    """The 1, 5 and 15 minute load averages: how busy the machine was (other jobs included)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # not on every platform
        return None


class Eager(nn.Module):
    """A formula as hand-written torch code: the autograd-only baseline."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def interleaved_medians(functions, repeats, warmup=1):
    """Median wall time of each of ``functions`` (a name -> callable dict).

    The functions run in turn, A B C A B C ..., so a machine whose speed
    drifts (other processes, frequency scaling) slows all of them alike and
    the ratios stay meaningful.  Returns ``{name: (median, [times])}``.
    """
    for _ in range(warmup):
        for fn in functions.values():
            fn()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), t) for name, t in times.items()}


def paired_ratio(times, baseline):
    """Median over repeats of ``times[i] / baseline[i]``.

    With interleaved runs each pair ran back to back, so a slow spell of the
    machine divides out of its own pair; the median of the pair ratios is
    steadier than the ratio of the two medians.
    """
    return statistics.median(t / b for t, b in zip(times, baseline, strict=True))


def write_json(name, payload, out_dir=None):
    """Write ``<out_dir>/<name>.json`` (default: ``results/`` beside this file), atomically."""
    out_dir = Path(out_dir or Path(__file__).parent / "results")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    payload = {"benchmark": name, "machine": {**machine(), "load_average_at_end": load_average()},
               **payload}
    atomic_write_text(path, json.dumps(payload, indent=2, default=float) + "\n")
    return path


def _pairs(times, baseline):
    return [t / b for t, b in zip(times, baseline, strict=True)]


def recompute(payload):
    """Every median and paired ratio of a results JSON, recomputed from its raw lists.

    Returns ``[(figure, stored, recomputed, pair_ratios), ...]``: ``pair_ratios``
    is the list of per-pair ratios behind a paired ratio (None for a median);
    ``recomputed`` is None where the file lacks the raw list (older files).
    """
    median = statistics.median
    out = []

    def add(figure, stored, raw, baseline=None, fn=median):
        if raw is None or (baseline is None and fn is None):
            out.append((figure, stored, None, None))
        elif baseline is None:
            out.append((figure, stored, fn(raw), None))
        else:
            out.append((figure, stored, paired_ratio(raw, baseline), _pairs(raw, baseline)))

    kind = payload["benchmark"]
    if kind == "activation":
        rows = payload["rows"]
        gelu = next(r for r in rows if r["activation"] == "GELU").get("all_us")
        for r in rows:
            add(f"{r['activation']}: sksymact us", r["us"], r.get("all_us"))
            if "eager_us" in r:
                add(f"{r['activation']}: eager us", r["eager_us"], r.get("eager_all_us"))
            add(f"{r['activation']}: /GELU", r["/GELU"], r.get("all_us"), gelu)
    elif kind == "fused":
        for r in payload["rows"]:
            at = r["formula"]
            add(f"{at}: fused us", r["fused_us"], r.get("all_us"))
            add(f"{at}: floor us", r["floor_us"], r.get("floor_all_us"))
            add(f"{at}: numpy floor us", r["numpy_floor_us"], r.get("numpy_floor_all_us"))
            add(f"{at}: /floor", r["/floor"], r.get("all_us"), r.get("floor_all_us"))
            add(f"{at}: /GELU", r["/GELU"], r.get("all_us"), r.get("gelu_all_us"))
        for r in payload["tiny"]:
            at = f"tiny {r['dtype']} {r['formula']}"
            add(f"{at}: fused us", r["fused_us"], r["all_us"])
            add(f"{at}: overhead us", r["overhead_us"], r["all_us"],
                fn=lambda t, r=r: median(a - b for a, b in zip(t, r["relu_all_us"])))
            add(f"{at}: no-op Function - ReLU us", r["noop_function_over_relu_us"],
                r["noop_all_us"],
                fn=lambda t, r=r: median(a - b for a, b in zip(t, r["relu_all_us"])))
            add(f"{at}: plan us", r["plan_us"], r["plan_all_us"])
    elif kind == "onnx":
        rows = payload["rows"]
        for r in rows:
            at = f"{r['activation']}, {r['rows']:,} rows, {r['way']}"
            baseline = next(b for b in rows if b["way"] == "predict_proba"
                            and (b["activation"], b["rows"]) == (r["activation"], r["rows"]))
            add(f"{at}: us", r["us"], r["all_us"])
            add(f"{at}: /predict_proba", r["/predict_proba"], r["all_us"], baseline["all_us"])
    elif kind == "discovery":
        for r in payload["rows"]:
            t, at = r["all_s"], f"{r['rows']:,} rows, n_jobs {r['n_jobs']}"
            if r["n_jobs"] == 1:
                add(f"{at}: raw gplearn s", r["raw_gplearn_s"], t["raw"])
                add(f"{at}: ours s", r["ours_s"], t["ours"])
                gp = r.get("gp_in_ours_s")
                own = None if gp is None else [o - g for o, g in zip(t["ours"], gp, strict=True)]
                add(f"{at}: own work s", r["own_work_s"], own)
                add(f"{at}: 1 + own/raw", r["1 + own/raw"], own,
                    fn=lambda own: 1 + median(own) / median(t["raw"]))
                add(f"{at}: ours/raw", r["ours/raw"], t["ours"], t["raw"])
            else:
                add(f"{at}: ours s", r["ours_s"], t["two"])
                add(f"{at}: n_jobs 2/1", r["n_jobs 2/1"], t["two"], t["one"])
    elif kind == "training":
        cases = {c["case"]: c for c in payload["cases"]}
        for name, c in cases.items():
            t = c["all_s"]
            for loop in ("reference", "hand", "ours"):
                add(f"{name}: {loop} s", c[f"{loop}_s"], t[loop])
            add(f"{name}: ours/reference", c["ours/reference"], t["ours"], t["reference"])
            add(f"{name}: ours/hand", c["ours/hand"], t["ours"], t["hand"])
        add("x*cos(x)/ReLU (ours)", payload["formula_vs_relu"],
            cases["light x*cos(x)"]["all_s"]["ours"], cases["light ReLU"]["all_s"]["ours"])
    elif kind == "formula_training":
        runs = payload["runs"]
        relu = next(r for r in runs if r["activation"] == "relu")["all_s"]
        gelu = next((r for r in runs if r["activation"] == "gelu"), {}).get("all_s")
        for r in runs:
            add(f"{r['activation']}: ours s", r["ours_s"], r["all_s"])
            add(f"{r['activation']}: /ReLU", r["/ReLU"], r["all_s"], relu)
            if "/GELU" in r:
                add(f"{r['activation']}: /GELU", r["/GELU"], r["all_s"], gelu)
    elif kind == "startup":
        rows = {r["run"]: r for r in payload["rows"]}
        for name, r in rows.items():
            add(f"{name}: median s", r["median_s"], r["all_s"])
        add_help, bare = rows["sksymact --help"]["all_s"], rows["python -c pass"]["all_s"]
        add("own cost s (paired)", payload["own_s"], add_help,
            fn=lambda t: median(a - b for a, b in zip(t, bare)))
    elif kind == "first_fit":
        for r in payload["rows"]:
            add(f"{r['optimizer']}: first - next s", r["first - next s"], r["extra_s"])
            add(f"{r['optimizer']}: first s", r["first_s"],
                [run["fits_s"][0] for run in r["runs"]])
        ours, theirs = (r["runs"] for r in payload["rows"][:2])
        add("first fit, torch's - network's Adam s", payload["first_fit_saving_s"],
            [t["fits_s"][0] - o["fits_s"][0] for o, t in zip(ours, theirs)])
        for r in payload["first_use"]:
            add(f"first use {r['first use']}: s", r["s"], r["all_s"])
    elif kind == "small":
        for r in payload["rows"]:
            at = f"{r['threads']} thread(s), {r['fit']}"
            add(f"{at}: s", r["s"], r["all_s"])
            add(f"{at}: /plain torch", r["/plain torch"], r["all_s"], r["torch_all_s"])
            add(f"{at}: /MLPClassifier", r["/MLPClassifier"], r["all_s"], r["mlp_all_s"])
            if "/ours" in r:
                add(f"{at}: /ours", r["/ours"], r["all_s"], r["ours_all_s"])
    elif kind.startswith("compile"):
        for r in payload["table"]:
            at = f"{r['activation']}, {r['fit']}"
            add(f"{at}: compile cost s", r["compile cost s"], r["cost_s"])
            add(f"{at}: saving us per row-epoch", r["saving us per row-epoch"],
                r["saving_s_per_row_epoch"], fn=lambda t: median(t) * 1e6)
    elif kind == "protocol":
        rows = payload["rows"]
        reference = next(r for r in rows if r["run"] == "reference script")["all_s"]
        for r in rows:
            add(f"{r['run']}: s", r["s"], r["all_s"])
            add(f"{r['run']}: reference/this", r["reference/this"], reference, r["all_s"])
    elif kind == "memory":
        # One child process per measurement: the peaks are the raw runs.
        runs = {r["run"]: r for r in payload["runs"]}
        base = runs["imports + data (baseline)"]["peak_rss_mb"]
        for r in payload["runs"]:
            if "over_baseline_mb" in r:
                add(f"{r['run']}: over baseline MB", r["over_baseline_mb"],
                    r["peak_rss_mb"], fn=lambda peak: peak - base)
        add("15 epochs - 1 epoch MB", payload["epoch_growth_mb"],
            runs["light ReLU, 15 epochs"]["peak_rss_mb"],
            fn=lambda peak: peak - runs["light ReLU, 1 epoch"]["peak_rss_mb"])
    elif kind == "evolve":
        for r in payload["rungs"]:
            t, at = r["all_s"], f"rung {r['rung']}"
            add(f"{at}: ours s", r["ours_s"], t["ours"])
            add(f"{at}: loop s", r["loop_s"], t["loop"])
            add(f"{at}: loop/ours", r["loop/ours"], t["loop"], t["ours"])
        for r in payload["costs"]:
            t, at = r["all_s"], r["dataset"]
            add(f"{at}: ReLU fit s", r["relu_fit_s"], t["relu"])
            add(f"{at}: search/relu", r["search/relu"], t["search"],
                fn=lambda search, t=t: search[0] / median(t["relu"]))
    else:
        raise ValueError(f"unknown benchmark {kind!r}")
    return out


def _recompute_main(argv=None):
    parser = argparse.ArgumentParser(description="Recompute a results JSON's medians and "
                                     "paired ratios from its raw lists.")
    parser.add_argument("command", choices=["recompute"])
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        payload = json.loads(Path(path).read_text())
        threads = payload["machine"].get("threads") or {
            "torch": payload["machine"]["torch_threads"]}
        print(f"{path}: threads {threads}")
        for figure, stored, value, pairs in recompute(payload):
            if value is None:
                note = "no raw runs in this file"
            elif math.isclose(stored, value, rel_tol=1e-9, abs_tol=1e-12):
                note = "ok"
            else:
                note, status = "DIFFERS", 1
            text = "" if value is None else f"{value:.4g}"
            pairs = "" if pairs is None else "  pairs " + " ".join(f"{p:.3f}" for p in pairs)
            print(f"  {figure}: stored {stored:.4g}, recomputed {text or '-'} [{note}]{pairs}")
    return status


def print_table(rows, columns):
    widths = [max(len(str(c)), *(len(_fmt(r.get(c))) for r in rows)) for c in columns]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(_fmt(row.get(c)).ljust(w) for c, w in zip(columns, widths)))


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) >= 0.01 else f"{value:.2e}"
    return "" if value is None else str(value)


if __name__ == "__main__":
    raise SystemExit(_recompute_main())
