"""Does network-aware selection keep the discoverer's promise?  An accuracy experiment.

For each data set of the shared UCI rows and each seed: the benchmark's
stratified split (80/20) and scaling, then on the training rows only

- Light ReLU, (64, 32), the paper's 15 epochs;
- the specialist chosen the paper's way (``selection="fitness"``);
- the specialist chosen by ``selection="network"`` (8 candidates);
- and what a user would pick instead: scikit-learn's
  ``HistGradientBoostingClassifier`` and ``LogisticRegression``, defaults.

It prints ROC AUC mean ± std over seeds, the paired t-test of each row
against Light ReLU, the formulas, and the seconds the network selection
added per candidate.  Every run is kept in ``NAME.json`` (``selection.json``
by default), written beside this script unless ``--out`` names another folder.

Usage: python paper_results/experiment_selection.py --data-home DIR [--seeds 42 43 44 45 46]
       [--max-similarity 0.9] [--fallback relu|none] [--name selection]

The network-selected specialist uses the discoverer's defaults unless
``--max-similarity`` or ``--fallback`` say otherwise; ``paper_results/`` keeps
the default run (``selection.json``) and two ablations:
``selection-no-fallback.json`` (``--fallback none``) and
``selection-fittest.json`` (``--max-similarity 1 --fallback none``: the
fittest eight candidates, as before the variety rule).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from scipy.stats import ttest_rel
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from sksymact import HybridTransferClassifier, SymbolicActivationDiscoverer
from sksymact._parallel import limit_torch_threads
from sksymact.benchmark import DATASETS, BenchmarkSettings
from sksymact.benchmark._tasks import split

# The JSON helpers (machine facts, atomic write) are the speed scripts' own:
# ../speed is not a package, so it is put on the import path.
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "speed"))
from _common import write_json  # noqa: E402

ROWS = {"higgs_rows": 5000, "covertype_rows": 20000}


def _auc(model, X, y):
    return float(roc_auc_score(y, model.predict_proba(X)[:, 1]))


def run_one(name, X, y, seed, network_params):
    X_train, X_test, y_train, y_test = split(X, y, seed, 0.2)
    light = dict(hidden_layer_sizes=(64, 32), max_iter=15, batch_size=1024, random_state=seed)
    row = {"dataset": name, "seed": seed}
    row["light-relu"] = _auc(HybridTransferClassifier(activation="relu", **light)
                             .fit(X_train, y_train), X_test, y_test)
    for selection in ("fitness", "network"):
        start = time.perf_counter()
        extra = network_params if selection == "network" else {}
        disc = SymbolicActivationDiscoverer(selection=selection, random_state=seed, **extra)
        disc.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        model = HybridTransferClassifier(activation=disc.formula_, **light).fit(X_train, y_train)
        row[f"specialist-{selection}"] = _auc(model, X_test, y_test)
        row[f"formula-{selection}"] = str(disc.formula_)
        row[f"nonlinearity-{selection}"] = disc.nonlinearity_
        row[f"discovery_s-{selection}"] = seconds
        if selection == "network":
            row["candidates"] = disc.candidates_
            row["relu_validation"] = disc.relu_validation_score_
            row["fell_back_to_relu"] = disc.program_ is None
    row["hist-gradient-boosting"] = _auc(HistGradientBoostingClassifier(random_state=seed)
                                         .fit(X_train, y_train), X_test, y_test)
    row["logistic-regression"] = _auc(LogisticRegression(max_iter=1000)
                                      .fit(X_train, y_train), X_test, y_test)
    return row


COLUMNS = ["light-relu", "specialist-fitness", "specialist-network",
           "hist-gradient-boosting", "logistic-regression"]


def summarize(rows):
    out = []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        mine = [r for r in rows if r["dataset"] == name]
        base = [r["light-relu"] for r in mine]
        for column in COLUMNS:
            values = [r[column] for r in mine]
            p = None if column == "light-relu" else float(ttest_rel(values, base).pvalue)
            out.append({"dataset": name, "configuration": column,
                        "auc_mean": statistics.mean(values), "auc_std": statistics.stdev(values),
                        "minus_relu": statistics.mean(values) - statistics.mean(base),
                        "p_vs_light_relu": p})
        extra = [r["discovery_s-network"] - r["discovery_s-fitness"] for r in mine]
        n = [len(r["candidates"]["formula"]) + 1 for r in mine]
        out.append({"dataset": name, "configuration": "selection cost",
                    "seconds_per_candidate": statistics.mean(e / k for e, k in zip(extra, n))})
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44, 45, 46])
    parser.add_argument("--datasets", nargs="+", default=["higgs", "covertype", "spambase"])
    parser.add_argument("--name", default="selection",
                        help="the JSON's name, NAME.json (default: selection)")
    parser.add_argument("--out", default=str(HERE),
                        help="folder for NAME.json (default: this script's folder)")
    parser.add_argument("--max-similarity", type=float, default=0.9,
                        help="max_similarity of the network-selected specialist (default 0.9)")
    parser.add_argument("--fallback", choices=["relu", "none"], default="relu",
                        help="fallback of the network-selected specialist (default relu)")
    args = parser.parse_args(argv)
    network_params = {"max_similarity": args.max_similarity,
                      "fallback": None if args.fallback == "none" else args.fallback}
    settings = BenchmarkSettings(**ROWS)
    rows = []
    with limit_torch_threads(1):
        for name in args.datasets:
            X, y = DATASETS[name].load(settings, data_home=args.data_home, download=False)
            for seed in args.seeds:
                rows.append(run_one(name, X, y, seed, network_params))
                r = rows[-1]
                print(name, seed, {k: round(r[k], 4) for k in COLUMNS},
                      r["formula-fitness"], "|", r["formula-network"], flush=True)
    summary = summarize(rows)
    for s in summary:
        print(s)
    path = write_json(args.name, {"rows": rows, "summary": summary, "seeds": args.seeds,
                                    "settings": ROWS, "network_params": network_params},
                      args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
