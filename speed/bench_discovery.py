"""Discovery cost: SymbolicActivationDiscoverer.fit against raw gplearn.

Baseline, in the same process: gplearn's SymbolicClassifier with the
discoverer's settings (population 500, 5 generations, add/sub/mul/sin/cos/abs),
fitted on the same standardized 10% subsample the discoverer searches.  The
discoverer's extra work is standardizing all rows, drawing the subsample,
collapsing the program and rejecting degenerate formulas.

Goal: discoverer <= 1.05x raw gplearn.  Both run the identical evolution
(asserted: same program), and the evolution's own run-to-run noise on this
machine (+-20%) is larger than the 5% at stake, so the goal is checked on
``1 + own/raw``: the discoverer's fit minus the gplearn fit inside it (timed
in the same call), over raw gplearn's median.  The wall-time ratio (median of
the back-to-back pairs, ``ours/raw``) is printed beside it.  Also reported: how the time grows with
rows (10k, 50k, 100k) and what n_jobs=2 does on this machine.

The JSON keeps every run's time (``all_s``) and the gplearn fit inside each of
ours (``gp_in_ours_s``), so every median and ratio can be recomputed
(``python _common.py recompute results/discovery.json``).

One thread by default (``--threads``: torch's and numpy's BLAS/OpenMP pools),
as in the other scripts; gplearn's evolution is single-threaded numpy anyway.
``n_jobs=2`` uses two processes, not threads.

Usage: python speed/bench_discovery.py [--repeats 7] [--rows 10000 50000 100000]
       [--threads 1]
"""

import argparse
import statistics
import time

import numpy as np
from gplearn.genetic import SymbolicClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample

from _common import interleaved_medians, paired_ratio, print_table, use_threads, write_json
from sksymact import SymbolicActivationDiscoverer


def make_data(rows, features=28, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(rows, features))
    y = ((X[:, 0] * np.cos(X[:, 1]) + np.abs(X[:, 2]) - 0.8) > 0).astype(int)
    return X, y


def raw_gplearn(X, y, n_jobs=1, seed=0):
    # The very subsample and gplearn seed the discoverer draws, so both run the
    # identical evolution and the ratio is the discoverer's own overhead.
    random_state = np.random.RandomState(seed)
    Xs = StandardScaler().fit_transform(X)
    Xs, ys = resample(Xs, y, replace=False, n_samples=max(100, round(0.1 * len(X))),
                      stratify=y, random_state=random_state)
    return SymbolicClassifier(population_size=500, generations=5,
                              function_set=("add", "sub", "mul", "sin", "cos", "abs"),
                              n_jobs=n_jobs,
                              random_state=random_state.randint(np.iinfo(np.int32).max),
                              ).fit(Xs, ys)


GP_SECONDS = []


def _timed_gp_fit(self, *args, **kwargs):
    start = time.perf_counter()
    try:
        return _GP_FIT(self, *args, **kwargs)
    finally:
        GP_SECONDS.append(time.perf_counter() - start)


_GP_FIT = SymbolicClassifier.fit


def ours(X, y, n_jobs=1, seed=0):
    """The discoverer's fit; records how long gplearn's own fit took inside it."""
    SymbolicClassifier.fit = _timed_gp_fit
    try:
        return SymbolicActivationDiscoverer(n_jobs=n_jobs, random_state=seed).fit(X, y)
    finally:
        SymbolicClassifier.fit = _GP_FIT


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    use_threads(args.threads)

    rows = []
    for n in args.rows:
        X, y = make_data(n)
        assert str(raw_gplearn(X, y)._program) == str(ours(X, y).gp_._program)
        del GP_SECONDS[:]
        timings = interleaved_medians({"raw": lambda: raw_gplearn(X, y),
                                       "ours": lambda: ours(X, y)}, args.repeats, warmup=0)
        # The same evolution runs inside both, so what the discoverer adds is
        # its fit minus the gplearn fit inside it, run by run.
        own = statistics.median(t - gp for t, gp in zip(timings["ours"][1], GP_SECONDS,
                                                        strict=True))
        raw = timings["raw"][0]
        rows.append({"rows": n, "n_jobs": 1, "raw_gplearn_s": raw,
                     "ours_s": timings["ours"][0], "own_work_s": own,
                     "1 + own/raw": 1 + own / raw,
                     "ours/raw": paired_ratio(timings["ours"][1], timings["raw"][1]),
                     "all_s": {k: v[1] for k, v in timings.items()},
                     "gp_in_ours_s": list(GP_SECONDS)})
    # n_jobs=2 against n_jobs=1, interleaved in the same way.
    X, y = make_data(args.rows[0])
    timings = interleaved_medians({"one": lambda: ours(X, y, n_jobs=1),
                                   "two": lambda: ours(X, y, n_jobs=2)}, args.repeats)
    rows.append({"rows": args.rows[0], "n_jobs": 2, "ours_s": timings["two"][0],
                 "n_jobs 2/1": paired_ratio(timings["two"][1], timings["one"][1]),
                 "all_s": {k: v[1] for k, v in timings.items()}})
    print(f"population 500 x 5 generations on a 10% subsample of 28 features, "
          f"threads {args.threads}, median of {args.repeats}")
    print_table(rows, ["rows", "n_jobs", "raw_gplearn_s", "ours_s", "own_work_s",
                       "1 + own/raw", "ours/raw", "n_jobs 2/1"])
    met = all(r["1 + own/raw"] <= 1.05 for r in rows if r["n_jobs"] == 1)
    print(f"  discoverer <= 1.05x raw gplearn: {'met' if met else 'NOT met'}")
    path = write_json("discovery", {"rows": rows, "goal_met": met, "repeats": args.repeats},
                      args.out)
    print(f"wrote {path}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
