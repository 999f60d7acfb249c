"""The evolutionary search's cost: candidate evaluation per rung, and a whole search.

Part 1, per rung of successive halving: the search's evaluator
(``CandidateEvaluator.score``: data tensors, splits and row subsets made once,
a plain training loop) against the obvious way, ``HybridTransferClassifier
.fit`` in a loop followed by ``predict_proba`` and the same validation score,
on the same candidates, rows, epochs and batch size, one thread, interleaved
(A B A B ...).  Goal: at least 2x at the low-fidelity rungs, where a fit's
fixed cost (validation, skorch's set-up, history and callbacks) weighs most.

Part 2, per data set: a default ``SymbolicActivationDiscoverer(search=
"evolve")`` fit (its gplearn run included) against one converged Light ReLU
fit (the suite's protocol: early stopping on 10% of the training rows,
patience 10, at most 200 epochs, batch 1024), on the suite's rows (at most
5,000 drawn with seed 42, the 80% training part, standardised).  Goal: at most
20x.  The budget itself is counted in trainings and epochs (the search's
``search_history_["budget"]``, whose ``relu_trainings`` is the row-epochs
spent over those of ReLU's converged training inside the search: printed as
``counted/relu``); the seconds here measure what it costs.

Usage: python speed/bench_evolve.py [--repeats 5] [--datasets pmlb:ring ...]
       [--threads 1]   (SKSYMACT_DATA: the folder holding pmlb/; without it,
                        a synthetic data set)
"""

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample

from _common import interleaved_medians, paired_ratio, print_table, use_threads, write_json
from sksymact import HybridTransferClassifier, SymbolicActivationDiscoverer
from sksymact._evolve import RUNGS, STANDARD_FORMULAS, CandidateEvaluator
from sksymact.library import ActivationLibrary

SUITE = ("magic", "phoneme", "twonorm", "ring", "satimage", "pendigits", "letter",
         "wine_quality_white", "page_blocks", "optdigits", "segmentation", "adult", "dna",
         "kr_vs_kp")


def suite_rows(name, seed=42, max_rows=5000):
    """The training part the suite's networks and discoverers see, or a synthetic one."""
    if name == "synthetic":
        rng = np.random.RandomState(0)
        X = rng.normal(size=(5000, 20))
        y = ((X[:, 0] * np.cos(X[:, 1]) + np.abs(X[:, 2]) - 0.8) > 0).astype(int)
    else:
        from sksymact.datasets import fetch_pmlb

        X, y = fetch_pmlb(name.removeprefix("pmlb:"), return_X_y=True,
                          download_if_missing=False)
    if len(y) > max_rows:
        X, y = resample(X, y, replace=False, n_samples=max_rows, stratify=y,
                        random_state=seed)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, stratify=y,
                                              random_state=seed)
    return StandardScaler().fit_transform(X_train), y_train


def rung_comparison(X, y, repeats, seed=0):
    # The default search's budgets (batches of 1,024; 20, 50 and 200 epochs) on
    # both sides, run in full: without early stopping, which the classifier does
    # on rows of its own.
    evaluator = CandidateEvaluator(X, y, task="classification",
                                   training={"early_stopping": False},
                                   n_splits=1, validation_fraction=0.2, random_state=seed)
    library = [e.formula for e in ActivationLibrary.builtin()][:4]
    candidates = [*STANDARD_FORMULAS.values(), *library]
    subsets, valid = evaluator.splits[0]
    labels = np.unique(y)
    rows = []
    for rung in range(len(RUNGS)):
        train = subsets[rung]
        epochs = evaluator.epochs(rung)

        def ours():
            return [evaluator.score(f, rung, 0, seed) for f in candidates]

        def loop():
            scores = []
            for f in candidates:
                model = HybridTransferClassifier(activation=f, max_iter=epochs, batch_size=1024,
                                                 random_state=seed).fit(X[train], y[train])
                scores.append(-log_loss(y[valid], model.predict_proba(X[valid]),
                                        labels=labels))
            return scores

        timings = interleaved_medians({"ours": ours, "loop": loop}, repeats)
        rows.append({"rung": rung, "rows": len(train), "epochs": epochs,
                     "candidates": len(candidates),
                     "ours_s": timings["ours"][0], "loop_s": timings["loop"][0],
                     "loop/ours": paired_ratio(timings["loop"][1], timings["ours"][1]),
                     "all_s": {k: v[1] for k, v in timings.items()}})
    return rows


def search_cost(name, seed=42, relu_repeats=3):
    X, y = suite_rows(name, seed)
    relu = []
    for _ in range(relu_repeats):
        start = time.perf_counter()
        HybridTransferClassifier(early_stopping=True, max_iter=200, n_iter_no_change=10,
                                 validation_fraction=0.1, random_state=seed).fit(X, y)
        relu.append(time.perf_counter() - start)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        disc = SymbolicActivationDiscoverer(search="evolve", random_state=seed).fit(X, y)
    search = time.perf_counter() - start
    budget = disc.search_history_["budget"]
    return {"dataset": name, "rows": len(y), "relu_fit_s": statistics.median(relu),
            "search_s": search, "search/relu": search / statistics.median(relu),
            "trainings": budget["trainings"], "epochs": budget["epochs"],
            "counted/relu": budget["relu_trainings"],
            "formula": str(disc.formula_), "all_s": {"relu": relu, "search": [search]}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    use_threads(args.threads)
    have_data = bool(os.environ.get("SKSYMACT_DATA"))
    datasets = args.datasets or ([f"pmlb:{n}" for n in SUITE] if have_data else ["synthetic"])

    rung_data = "pmlb:ring" if have_data else "synthetic"
    X, y = suite_rows(rung_data)
    rungs = rung_comparison(X, y, args.repeats)
    print(f"candidate evaluation on {rung_data} ({len(y)} rows), 8 candidates per call, "
          f"threads {args.threads}, median of {args.repeats}")
    print_table(rungs, ["rung", "rows", "epochs", "candidates", "ours_s", "loop_s", "loop/ours"])
    low_met = all(r["loop/ours"] >= 2.0 for r in rungs[:-1])
    print(f"  >= 2x at the low-fidelity rungs: {'met' if low_met else 'NOT met'}")

    costs = [search_cost(name) for name in datasets]
    print("a default search against one converged Light ReLU fit, same rows, one thread")
    print_table(costs, ["dataset", "rows", "relu_fit_s", "search_s", "search/relu",
                        "trainings", "epochs", "counted/relu"])
    cost_met = all(c["search/relu"] <= 20.0 for c in costs)
    counted_met = all(c["counted/relu"] <= 20.0 for c in costs)
    print(f"  search <= 20x a converged Light ReLU fit, in seconds: "
          f"{'met' if cost_met else 'NOT met'} (max {max(c['search/relu'] for c in costs):.1f}x)")
    print(f"  the same in counted row-epochs (against ReLU's converged trainings inside the "
          f"search): {'met' if counted_met else 'NOT met'} "
          f"(max {max(c['counted/relu'] for c in costs):.1f}x)")
    path = write_json("evolve", {"rungs": rungs, "costs": costs, "repeats": args.repeats,
                                 "low_rungs_goal_met": low_met, "cost_goal_met": cost_met,
                                 "counted_cost_goal_met": counted_met},
                      args.out)
    print(f"wrote {path}")
    return 0 if (low_met and cost_met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
