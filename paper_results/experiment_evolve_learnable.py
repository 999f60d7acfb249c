"""Does the evolutionary search gain from learnable constants (PANGAEA's finding)?

For each data set and seed, on the suite's rows (at most 5,000, drawn with
the seed of the suite's data, stratified 80/20 by the seed, scaled with the
training rows), ``SymbolicActivationDiscoverer(search="evolve")`` is fitted
on the training rows twice: candidates trained with fixed constants
(``learnable_constants=False``, the default) and with learnable ones
(``"per_layer"``).  The formula each finds is then trained to convergence (the
suite's protocol: early stopping on 10% of the training rows, patience 10, at
most 200 epochs) with the same setting of ``learnable_constants``, and scored
on the test rows.  Prints test accuracy mean ± std per data set, the paired
t-test of learnable against fixed, and what each search spent; every run is
kept in the JSON.

Usage: python experiment_evolve_learnable.py --data-home DIR
       [--datasets phoneme ring satimage wine_quality_white magic dna]
       [--seeds 42 43 44] [--n-jobs 2]
"""

import argparse
import json
import statistics
import time
import warnings

from joblib import Parallel, delayed
from scipy.stats import ttest_rel
from sklearn.metrics import accuracy_score

from sksymact import HybridTransferClassifier, SymbolicActivationDiscoverer
from sksymact._parallel import limit_torch_threads
from sksymact.benchmark import SUITES, BenchmarkSettings, pmlb_dataset
from sksymact.benchmark._protocols import split

KINDS = (False, "per_layer")


def one_run(name, seed, learnable, data_home):
    settings = BenchmarkSettings(**SUITES["pmlb-classification"].settings)
    X, y = pmlb_dataset(name).load(settings, data_home=data_home, download=False)
    X_train, X_test, y_train, y_test = split(X, y, seed, settings.test_size)
    with limit_torch_threads(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        disc = SymbolicActivationDiscoverer(search="evolve", learnable_constants=learnable,
                                            random_state=seed).fit(X_train, y_train)
        seconds = time.perf_counter() - start
        model = HybridTransferClassifier(
            activation=disc.formula_, learnable_constants=learnable, early_stopping=True,
            max_iter=settings.max_iter, n_iter_no_change=settings.n_iter_no_change,
            validation_fraction=settings.validation_fraction, random_state=seed,
        ).fit(X_train, y_train)
    chosen = disc.candidates_["chosen"].index(True)
    return {"dataset": name, "seed": seed, "learnable_constants": learnable,
            "formula": str(disc.formula_), "standard": disc.candidates_["standard"][chosen],
            "validation_score": disc.candidates_["validation_score"][chosen],
            "relu_validation_score": disc.relu_validation_score_,
            "test_accuracy": float(accuracy_score(y_test, model.predict(X_test))),
            "full_trainings": disc.search_history_["budget"]["full_trainings"],
            "search_seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", required=True)
    parser.add_argument("--datasets", nargs="+",
                        default=["phoneme", "ring", "satimage", "wine_quality_white", "magic",
                                 "dna"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", default="evolve_learnable_constants.json")
    args = parser.parse_args(argv)
    runs = Parallel(n_jobs=args.n_jobs)(
        delayed(one_run)(name, seed, kind, args.data_home)
        for name in args.datasets for seed in args.seeds for kind in KINDS)
    print("| data set | fixed constants | learnable (per layer) | p (paired t) "
          "| search s, fixed | search s, learnable |")
    print("|:--|--:|--:|--:|--:|--:|")
    summary = []
    for name in args.datasets:
        by = {kind: [r for r in runs if r["dataset"] == name and r["learnable_constants"] == kind]
              for kind in KINDS}
        acc = {kind: [r["test_accuracy"] for r in by[kind]] for kind in KINDS}
        p = float(ttest_rel(acc["per_layer"], acc[False]).pvalue) if len(args.seeds) > 1 else None
        cells = [f"{statistics.mean(a):.4f} ± {statistics.stdev(a) if len(a) > 1 else 0:.4f}"
                 for a in acc.values()]
        seconds = [statistics.mean(r["search_seconds"] for r in by[kind]) for kind in KINDS]
        print(f"| {name} | {cells[0]} | {cells[1]} | {p if p is None else f'{p:.3f}'} "
              f"| {seconds[0]:.1f} | {seconds[1]:.1f} |")
        summary.append({"dataset": name, "accuracy": acc, "p": p, "search_seconds": seconds})
    with open(args.out, "w", encoding="utf-8") as stream:
        json.dump({"runs": runs, "summary": summary, "seeds": args.seeds}, stream, indent=1)
        stream.write("\n")


if __name__ == "__main__":
    main()
