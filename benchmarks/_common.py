"""Shared helpers of the benchmark scripts: timing, machine facts, JSON output."""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from torch import nn


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
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "versions": {
            "torch": torch.__version__, "scikit-learn": sklearn.__version__,
            "skorch": skorch.__version__, "gplearn": gplearn.__version__,
            "numpy": numpy.__version__,
        },
    }


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
    out_dir = Path(out_dir or Path(__file__).parent / "results")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    os.replace(tmp, path)
    return path


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
