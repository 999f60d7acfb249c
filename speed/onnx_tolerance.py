"""How closely the exported ONNX model's probabilities follow ``predict_proba``, per operator class.

Not a timing: an accuracy measurement of :func:`sksymact.to_onnx`.  For each
formula of an adversarial grammar -- every operator of the registry that has
an ONNX form, the compositions whose slope is large or infinite somewhere
(``sin(tan(x))``, ``log(abs(x))``, ``sqrt(x)``), divisions and inverses next
to gplearn's 0.001 guard, the poles of ``tan`` -- a fitted
:class:`~sksymact.HybridTransferClassifier` is exported with ``to_onnx``
(``zipmap=False``) and onnxruntime's probabilities are compared with
``predict_proba`` on the same float32 rows.  The figure is the largest
absolute difference of a probability; the labels that differ are counted.

Three settings:

``network``
    The default light net (64, 32) with BatchNorm, trained 3 epochs on 4,000
    N(0, 1) rows of 10 features, compared on ``--rows`` (40,000) fresh N(0, 1)
    rows, for each of ``--seeds`` seeds.
``special``
    One hidden layer of 10 whose weights are set to the identity, without
    BatchNorm, so that the activation sees the rows themselves: each special
    value (0, -0, +-1, +-0.001 and its float32 neighbours, 1 +- 0.001, the
    float32 roundings of the poles of ``tan`` and their neighbours) in one
    column, 0.5 in the others, then an ordinary grid of [-6, 6].
``pipeline``
    ``make_pipeline(StandardScaler(), HybridTransferClassifier(batch_size=64,
    max_iter=30))`` on scikit-learn's breast cancer (the README's example),
    exported with a float64 sample (``X[:1]``: a float64 input, scaled in
    float64 as scikit-learn scales) and fed ``X``; and exported with a float32
    sample and fed ``X.astype(np.float32)`` (the scaling then rounds in
    float32), both against ``predict_proba(X)``.

Usage: python speed/onnx_tolerance.py [--rows 40000] [--seeds 5] [--threads 1] [--out DIR]

The JSON (default ``results/tolerance/onnx_tolerance.json``, beside the
timing results but not among them) holds every formula's figure per seed and
setting, and each class's maximum.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _common import print_table, use_threads, write_json
from sksymact import HybridTransferClassifier, to_onnx
from sksymact._operators import OPERATORS, PROTECTION_THRESHOLD

#: The grammar: formulas by the class of the operators that decide their error.
#: ``exact``: IEEE arithmetic (onnxruntime and torch give the same activation
#: values; only the matrix products' summation order differs); ``smooth``:
#: bounded slope, libm kernels a few float32 steps apart; ``sqrt``: an
#: infinite slope at 0; ``log``: slope 1/x and a jump of 6.9 at the guard
#: |x| = 0.001; ``div_inv``: a pole, or a guard where the value jumps by
#: 1,000; ``tan``: poles where one float32 step moves the value by millions
#: (``sig(tan(x))`` flattens them again); ``periodic_of_pole``: sin, cos or
#: tan of a value near a pole (of tan, or of inv), which turns those moves
#: into values anywhere in its range.
GRAMMAR = {
    "exact": ["add(x, mul(x, x))", "sub(abs(x), 0.5)", "mul(x, x)", "neg(mul(x, abs(x)))",
              "abs(x)", "max(x, mul(0.3, x))", "min(x, neg(x))", "max(0.001, x)"],
    "smooth": ["sin(x)", "cos(x)", "mul(x, cos(x))", "sig(x)", "sub(sig(x), 0.5)",
               "sin(mul(3.0, x))", "mul(x, sig(x))"],
    "sqrt": ["sqrt(x)", "mul(x, sqrt(x))", "sqrt(sub(x, 1.0))"],
    "log": ["log(x)", "log(abs(x))", "mul(x, log(x))", "log(sig(x))",
            "sub(sqrt(x), log(abs(x)))", "log(sub(x, 0.001))"],
    "div_inv": ["inv(x)", "div(1.0, x)", "div(x, sub(x, 1.0))", "inv(sub(x, 0.001))",
                "div(x, 0.001)", "div(sub(x, 1.001), sub(x, 1.0))",
                "div(x, add(abs(x), 0.001))", "inv(mul(x, x))"],
    "tan": ["tan(x)", "tan(mul(0.5, x))", "tan(mul(2.0, x))", "mul(x, tan(x))", "sig(tan(x))"],
    "periodic_of_pole": ["sin(tan(x))", "cos(tan(x))", "tan(tan(x))", "sin(inv(x))"],
}

F32 = np.float32
N_FEATURES = 10


def _steps(value):
    """``value`` rounded to float32 and its float32 neighbours."""
    value = F32(value)
    return [np.nextafter(value, F32(-np.inf)), value, np.nextafter(value, F32(np.inf))]


def special_values():
    threshold = PROTECTION_THRESHOLD
    values = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 2 * threshold, -2 * threshold]
    for point in (threshold, -threshold, 1 + threshold, 1 - threshold):
        values += _steps(point)
    for pole in (np.pi / 4, np.pi / 2, -np.pi / 2, np.pi, 3 * np.pi / 2, -3 * np.pi / 2):
        values += _steps(pole)
    return np.array(values, dtype=F32)


def special_rows():
    grid = np.concatenate([special_values(), np.linspace(-6, 6, 241, dtype=F32)])
    rows = np.full((len(grid) * N_FEATURES, N_FEATURES), 0.5, dtype=F32)
    for column in range(N_FEATURES):  # every value in every column
        rows[column * len(grid) + np.arange(len(grid)), column] = grid
    return rows


def _session(onx):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(onx.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def compare(model, X_fit_sample, X_feed, X_ref):
    """(max |onnxruntime - predict_proba|, labels that differ) on ``X_feed``."""
    onx = to_onnx(model, X_fit_sample, options={"zipmap": False})
    label, proba = _session(onx).run(None, {"X": X_feed})
    ref = model.predict_proba(X_ref)
    both = np.isfinite(proba).all(axis=1) & np.isfinite(ref).all(axis=1)
    nan_mismatch = int((np.isnan(proba).any(axis=1) != np.isnan(ref).any(axis=1)).sum())
    diff = float(np.abs(proba[both] - ref[both]).max()) if both.any() else 0.0
    return diff, int((label != model.predict(X_ref)).sum()), nan_mismatch


def training_rows(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_FEATURES)).astype(F32)
    y = ((X[:, 0] * np.cos(X[:, 1]) + 0.5 * X[:, 2] ** 2 - X[:, 3]) > 0.3).astype(int)
    return X, y


def network_setting(formula, seed, X_test):
    X, y = training_rows(4000, seed)
    clf = HybridTransferClassifier(activation=formula, max_iter=3, batch_size=256,
                                   random_state=seed).fit(X, y)
    return compare(clf, X_test[:1], X_test, X_test)


def special_setting(formula, seed, rows):
    X, y = training_rows(256, seed)
    clf = HybridTransferClassifier((N_FEATURES,), formula, batch_norm=False, dropout=0.0,
                                   max_iter=1, batch_size=64, random_state=seed).fit(X, y)
    with torch.no_grad():
        linear = clf.net_.module_.hidden.linear0
        linear.weight.copy_(torch.eye(N_FEATURES))
        linear.bias.zero_()
    return compare(clf, rows[:1], rows, rows)


def pipeline_setting(formula, seed, X, y):
    pipe = make_pipeline(StandardScaler(), HybridTransferClassifier(
        activation=formula, batch_size=64, max_iter=30, random_state=seed)).fit(X, y)
    as_float64 = compare(pipe, X[:1], X, X)
    X32 = X.astype(F32)
    as_float32 = compare(pipe, X32[:1], X32, X)
    return as_float64, as_float32


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000, help="N(0, 1) rows compared")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the network setting")
    parser.add_argument("--pipeline-seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None,
                        help="folder for the JSON (default: results/tolerance/)")
    args = parser.parse_args(argv)
    use_threads(args.threads)
    warnings.filterwarnings("ignore")  # near-linear formulas, few epochs: not the point here

    covered = {name for texts in GRAMMAR.values() for text in texts for name in OPERATORS
               if f"{name}(" in text}
    missing = {name for name, op in OPERATORS.items() if op.onnx is not None} - covered
    assert not missing, f"the grammar lacks operators {sorted(missing)}"

    X_test = np.random.RandomState(12345).normal(size=(args.rows, N_FEATURES)).astype(F32)
    rows = special_rows()
    X_cancer, y_cancer = load_breast_cancer(return_X_y=True)
    results, start = [], time.perf_counter()
    for kind, formulas in GRAMMAR.items():
        for formula in formulas:
            record = {"class": kind, "formula": formula, "network": [], "special": [],
                      "pipeline_float64": [], "pipeline_float32": []}
            for seed in range(args.seeds):
                record["network"].append(network_setting(formula, seed, X_test))
            record["special"].append(special_setting(formula, 0, rows))
            for seed in range(args.pipeline_seeds):
                as_float64, as_float32 = pipeline_setting(formula, seed, X_cancer, y_cancer)
                record["pipeline_float64"].append(as_float64)
                record["pipeline_float32"].append(as_float32)
            results.append(record)
            print(f"{kind:8s} {formula:34s} " + "  ".join(
                f"{setting} {max(r[0] for r in record[setting]):.1e}"
                for setting in ("network", "special", "pipeline_float64", "pipeline_float32")),
                flush=True)

    settings = ("network", "special", "pipeline_float64", "pipeline_float32")
    classes = []
    for kind in GRAMMAR:
        mine = [r for r in results if r["class"] == kind]
        row = {"class": kind}
        for setting in settings:
            runs = [run for r in mine for run in r[setting]]
            row[f"{setting}_max"] = max(run[0] for run in runs)
            row[f"{setting}_labels"] = sum(run[1] for run in runs)
            row[f"{setting}_nan_mismatch"] = sum(run[2] for run in runs)
            worst = max(mine, key=lambda r, s=setting: max(run[0] for run in r[s]))
            row[f"{setting}_worst"] = worst["formula"]
        classes.append(row)
    print()
    print_table([{"class": c["class"], **{s: f"{c[f'{s}_max']:.1e}" for s in settings},
                  "labels": sum(c[f"{s}_labels"] for s in settings)} for c in classes],
                ["class", *settings, "labels"])
    fields = ("max_abs_diff", "labels_differing", "nan_mismatch")
    path = write_json("onnx_tolerance", {
        "rows": args.rows, "seeds": args.seeds, "pipeline_seeds": args.pipeline_seeds,
        "threads": args.threads, "onnxruntime": ort.__version__,
        "seconds": time.perf_counter() - start,
        "classes": classes,
        "formulas": [{**r, **{s: [dict(zip(fields, run)) for run in r[s]] for s in settings}}
                     for r in results],
    }, out_dir=args.out or Path(__file__).parent / "results" / "tolerance")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
