"""Do learnable constants earn their place?  An accuracy experiment.

The light net (64, 32), the paper's budget (15 epochs, batches of 1,024), the
benchmark's split and scaling, on the shared UCI rows; per formula, its
constants fixed (``learnable_constants=False``) against trained with the
weights, one set per layer (``"per_layer"``) or one per unit
(``"per_channel"``), on the same seeds.  Prints ROC AUC mean ± std and the
paired t-test of each learnable kind against fixed; every run is kept in the
JSON.

Usage: python experiment_learnable.py --data-home DIR [--seeds 42 43 44 45 46]
"""

import argparse
import json
import statistics

from scipy.stats import ttest_rel
from sklearn.metrics import roc_auc_score

from sksymact import HybridTransferClassifier
from sksymact.benchmark import BenchmarkSettings
from sksymact._parallel import limit_torch_threads
from sksymact.benchmark import DATASETS
from sksymact.benchmark._tasks import split

# Formulas with constants: the README's Covertype winner, and two from our runs.
FORMULAS = ["cos(x) - 0.276", "sin(x) + 2*x - 1.18",
            "mul(sin(sub(cos(x), sub(x, x))), 0.5110503248410634)"]


KINDS = (False, "per_layer", "per_channel")


def _constants(model):
    """Each layer's trained constants: values, or per channel their mean and std."""
    out = []
    for module in model.net_.module_.activations:
        values = module.constants.detach().double()
        if values.ndim == 1:
            out.append([float(v) for v in values])
        else:
            out.append([[float(v.mean()), float(v.std())] for v in values])
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44, 45, 46])
    parser.add_argument("--out", default="learnable_constants.json")
    args = parser.parse_args(argv)
    settings = BenchmarkSettings(higgs_rows=5000, covertype_rows=20000)
    rows = []
    with limit_torch_threads(1):
        for name in ("higgs", "covertype", "spambase"):
            X, y = DATASETS[name].load(settings, data_home=args.data_home, download=False)
            for seed in args.seeds:
                X_train, X_test, y_train, y_test = split(X, y, seed, 0.2)
                for formula in FORMULAS:
                    for learnable in KINDS:
                        model = HybridTransferClassifier(
                            activation=formula, learnable_constants=learnable,
                            random_state=seed).fit(X_train, y_train)
                        auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
                        rows.append({"dataset": name, "seed": seed, "formula": formula,
                                     "learnable": learnable, "roc_auc": float(auc),
                                     "n_params": int(model.n_params_),
                                     "constants": _constants(model)})
    summary = []
    for name in ("higgs", "covertype", "spambase"):
        for formula in FORMULAS:
            mine = {kind: [r["roc_auc"] for r in rows if r["dataset"] == name
                           and r["formula"] == formula and r["learnable"] == kind]
                    for kind in KINDS}
            entry = {"dataset": name, "formula": formula}
            for kind, values in mine.items():
                entry[str(kind) if kind else "fixed"] = (statistics.mean(values),
                                                         statistics.stdev(values))
                if kind:
                    entry[f"p_{kind}"] = float(ttest_rel(values, mine[False]).pvalue)
            summary.append(entry)
            print(summary[-1], flush=True)
    with open(args.out, "w") as stream:
        json.dump({"rows": rows, "summary": summary, "seeds": args.seeds}, stream, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
