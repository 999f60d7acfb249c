"""``compile=True`` on the CPU: what compiling costs and from how many rows x epochs it pays.

Each run is a fresh child process (one torch thread) with its own empty
inductor cache (``TORCHINDUCTOR_CACHE_DIR``; ``--warm-cache`` shares one
instead), which fits the light (64, 32) net on ``--rows`` x 54 synthetic
rows for ``--epochs`` epochs, batches of 1024, twice in a row (two new
networks, as a grid search makes), then predicts.  Children with
``compile=True`` and with ``compile=False`` alternate (A B A B ...).

From skorch's per-epoch durations (``history[:, "dur"]``):

- steady epoch: the median of epochs 2 to the last, per fit;
- compile cost: the first epoch's excess over the steady epoch, compiled,
  minus the same excess uncompiled (the first epoch of any fit warms up);
- saving per row-epoch: (steady uncompiled - steady compiled) / rows;
- break-even: compile cost / saving, in rows x epochs; a fit of fewer rows x
  epochs is faster without compiling.  Computed for the first fit in a
  process and for the second (warm in-process caches).

Every figure is the median over pairs of the paired values; the JSON keeps
every child's epochs.

Usage: python speed/bench_compile.py [--pairs 2] [--rows 100000] [--epochs 4]
       [--activations relu x*cos(x)] [--warm-cache]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import load_average, print_table, write_json

HERE = Path(__file__).parent

CHILD = """
import json, time
from _common import use_threads
use_threads(1)
from bench_training import make_data
from sksymact import HybridTransferClassifier
X, y = make_data({rows})
fits = []
for _ in range(2):
    start = time.perf_counter()
    clf = HybridTransferClassifier((64, 32), {activation!r}, max_iter={epochs},
                                   random_state=0, device="cpu", compile={compile}).fit(X, y)
    total = time.perf_counter() - start
    start = time.perf_counter()
    clf.predict_proba(X)
    fits.append({{"fit_s": total, "epochs_s": list(clf.net_.history[:, "dur"]),
                 "predict_s": time.perf_counter() - start}})
print(json.dumps(fits))
"""


def child(compile, args, activation, cache):
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as fresh:
        env["TORCHINDUCTOR_CACHE_DIR"] = cache or fresh
        out = subprocess.run(
            [sys.executable, "-c", CHILD.format(rows=args.rows, epochs=args.epochs,
                                                activation=activation, compile=compile)],
            cwd=HERE, env=env, capture_output=True, text=True, check=True, timeout=1200)
    return json.loads(out.stdout.strip().splitlines()[-1])


def steady(fit):
    return statistics.median(fit["epochs_s"][1:])


def excess(fit):
    return fit["epochs_s"][0] - steady(fit)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--activations", nargs="+", default=["relu", "x*cos(x)"])
    parser.add_argument("--warm-cache", action="store_true",
                        help="one inductor cache for all children (default: a new one each)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (a steady epoch is needed)")
    load_at_start = load_average()

    with tempfile.TemporaryDirectory() as shared:
        cache = shared if args.warm_cache else None
        runs = {a: {"compiled": [], "eager": []} for a in args.activations}
        for _ in range(args.pairs):
            for activation in args.activations:
                for kind in ("compiled", "eager"):
                    runs[activation][kind].append(
                        child(kind == "compiled", args, activation, cache))

    rows = []
    for activation, kinds in runs.items():
        for index, label in ((0, "first fit"), (1, "second fit")):
            pairs = list(zip(kinds["compiled"], kinds["eager"], strict=True))
            cost = [excess(c[index]) - excess(e[index]) for c, e in pairs]
            saving = [(steady(e[index]) - steady(c[index])) / args.rows for c, e in pairs]
            median_cost, median_saving = statistics.median(cost), statistics.median(saving)
            rows.append({
                "activation": activation, "fit": label,
                "compiled fit s": statistics.median(c[index]["fit_s"] for c, _ in pairs),
                "eager fit s": statistics.median(e[index]["fit_s"] for _, e in pairs),
                "compiled epoch s": statistics.median(steady(c[index]) for c, _ in pairs),
                "eager epoch s": statistics.median(steady(e[index]) for _, e in pairs),
                "compile cost s": median_cost,
                "saving us per row-epoch": median_saving * 1e6,
                "break-even row-epochs": (median_cost / median_saving if median_saving > 0
                                          else None),
                "compiled predict s": statistics.median(c[index]["predict_s"]
                                                        for c, _ in pairs),
                "eager predict s": statistics.median(e[index]["predict_s"] for _, e in pairs),
                "cost_s": cost, "saving_s_per_row_epoch": saving,
            })
    print(f"{args.rows:,} x 54 rows, light (64, 32), {args.epochs} epochs, batch 1024, one "
          f"thread, {args.pairs} pairs of child processes, "
          f"{'shared' if args.warm_cache else 'a new'} inductor cache")
    print_table(rows, ["activation", "fit", "compiled fit s", "eager fit s",
                       "compiled epoch s", "eager epoch s", "compile cost s",
                       "saving us per row-epoch", "break-even row-epochs"])
    path = write_json("compile" + ("_warm_cache" if args.warm_cache else ""),
                      {"rows": args.rows, "epochs": args.epochs, "pairs": args.pairs,
                       "warm_cache": args.warm_cache, "table": rows, "runs": runs,
                       "load_average_at_start": load_at_start}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
