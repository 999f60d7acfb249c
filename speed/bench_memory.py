"""Peak memory (RSS) of one fit on 100,000 x 54 rows, against its own baseline.

Each measurement runs in a fresh child process and reads the kernel's
``ru_maxrss`` for it (resource.getrusage(RUSAGE_CHILDREN) is cumulative, so
one child at a time).  The baseline child imports the same libraries and builds
the same data without training; the difference is what training costs.  The
data itself is 100,000 x 54 float32 = 21.6 MB: no copy of it per epoch means
the difference stays a small multiple of that, whatever the number of epochs.

Optionally (``--benchmark-data-home``), the peak RSS of a whole ``sksymact
benchmark`` run on a folder of UCI files.

Every child runs with ``--threads`` torch and BLAS/OpenMP threads (default 1,
as in the other scripts) and reports the torch thread count it used; the JSON
keeps, per child, its peak RSS, that count and its wall time.

Usage: python speed/bench_memory.py [--rows 100000] [--benchmark-data-home DIR]
       [--threads 1]
"""

import argparse
import subprocess
import sys
import tempfile
import time

from _common import print_table, use_threads, write_json

# Prepended to every child: its thread pools, and the torch thread count it uses.
THREADS = """
import numpy, sklearn, skorch, torch
from threadpoolctl import threadpool_limits
torch.set_num_threads({threads})
threadpool_limits({threads})
print("torch_threads", torch.get_num_threads(), flush=True)
"""

CHILD = """
import numpy as np, torch
from sksymact import HybridTransferClassifier
rng = np.random.RandomState(0)
X = rng.normal(size=({rows}, 54)).astype(np.float32)
y = (X[:, 0] * np.cos(X[:, 1]) > 0).astype(int)
if {train}:
    HybridTransferClassifier({hidden}, {activation!r}, max_iter={epochs}, device="cpu",
                             random_state=0).fit(X, y)
"""


def peak_rss_mb(code, threads):
    """Run ``code`` in a fresh Python child with ``threads`` threads.

    Returns ``{"peak_rss_mb", "torch_threads", "seconds"}``: its peak resident
    set size in MB, the torch thread count it reported, its wall time.
    """
    probe = ("import resource, subprocess, sys; "
             "subprocess.run([sys.executable, '-c', sys.argv[1]], check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", probe, THREADS.format(threads=threads) + code],
                         check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - start
    reported = [line.split()[1] for line in out.splitlines() if line.startswith("torch_threads")]
    return {"peak_rss_mb": int(out.split()[-1]) / 1024,  # ru_maxrss is in KiB on Linux
            "torch_threads": int(reported[0]), "seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--benchmark-data-home", default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    use_threads(args.threads)  # this process only waits, but its JSON says what it ran with

    rows = []
    measured = peak_rss_mb(CHILD.format(rows=args.rows, train=False, hidden=(64, 32),
                                        activation="relu", epochs=1), args.threads)
    baseline = measured["peak_rss_mb"]
    rows.append({"run": "imports + data (baseline)", **measured})
    for label, hidden, activation, epochs in [
        ("light ReLU, 1 epoch", (64, 32), "relu", 1),
        ("light ReLU, 15 epochs", (64, 32), "relu", 15),
        ("light x*cos(x), 15 epochs", (64, 32), "x*cos(x)", 15),
        ("heavy ReLU, 15 epochs", (200, 100), "relu", 15),
    ]:
        measured = peak_rss_mb(CHILD.format(rows=args.rows, train=True, hidden=hidden,
                                            activation=activation, epochs=epochs), args.threads)
        rows.append({"run": label, **measured,
                     "over_baseline_mb": measured["peak_rss_mb"] - baseline})
    if args.benchmark_data_home:
        with tempfile.TemporaryDirectory() as out:
            code = ("from sksymact.cli import main; raise SystemExit(main(["
                    f"'benchmark', '--data-home', {args.benchmark_data_home!r}, "
                    "'--higgs-rows', '5000', '--covertype-rows', '20000', "
                    f"'--out', {out!r}, '--quiet']))")
            rows.append({"run": "sksymact benchmark (shared data)",
                         **peak_rss_mb(code, args.threads)})
    data_mb = args.rows * 54 * 4 / 1e6
    print(f"{args.rows:,} x 54 float32 = {data_mb:.1f} MB of data, threads {args.threads}")
    print_table(rows, ["run", "peak_rss_mb", "over_baseline_mb", "torch_threads", "seconds"])
    by_run = {r["run"]: r for r in rows}
    growth = (by_run["light ReLU, 15 epochs"]["peak_rss_mb"]
              - by_run["light ReLU, 1 epoch"]["peak_rss_mb"])
    print(f"15 epochs - 1 epoch: {growth:+.1f} MB (no per-epoch copy of the data)")
    path = write_json("memory", {"rows": args.rows, "data_mb": data_mb, "threads": args.threads,
                                 "runs": rows, "epoch_growth_mb": growth}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
