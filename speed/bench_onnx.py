"""Prediction latency: ``predict_proba`` in process against the exported model in onnxruntime.

The paper's light (64, 32) net on 54 standardized features (the bundled
Covertype sample), once with ReLU and once with ``x*cos(x)``, exported with
``sksymact.to_onnx(..., options={"zipmap": False})`` and run by onnxruntime in
the same process with one thread (``intra_op_num_threads=1``, as torch's).
Single-row latency is timed over ``--calls`` calls per round; 10,000-row
latency one call per round.  Every way of predicting runs in turn, round
after round (A B C A B C ...); the table gives the median per-call time over
the rounds and the median of the per-round ratios to ``predict_proba``.  The
JSON keeps every round's time (``all_us``), so both can be recomputed
(``python _common.py recompute results/onnx.json``).

Besides the two, the rounds time the path ``predict_proba`` took until
6 December 2026 (``validate_data``, then skorch's ``net.forward``, which runs
its iterator and ``evaluation_step`` and puts every submodule in eval mode on
each call; it returns the same probabilities, asserted here) and, for one row,
the stages of a prediction: scikit-learn's ``validate_data``, skorch's
``net.forward``, ``module.eval()`` and the torch module alone under
``torch.inference_mode``.

Usage: python speed/bench_onnx.py [--rounds 15] [--calls 200] [--threads 1] [--profile]
"""

import argparse
import cProfile
import io
import pstats
import statistics

import numpy as np
import onnxruntime as ort
import torch
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import validate_data

from _common import interleaved_medians, paired_ratio, print_table, use_threads, write_json
from sksymact import HybridTransferClassifier, to_onnx
from sksymact._network import _as_float32
from sksymact._parallel import limit_torch_threads, network_thread_budget
from sksymact._training import TensorDataset
from sksymact.datasets import load_covertype

ACTIVATIONS = ["relu", "x*cos(x)"]
BATCH_ROWS = 10_000


def skorch_predict_proba(clf, X):
    """``predict_proba`` through skorch's ``net.forward``: the path until 6 December 2026."""
    X = validate_data(clf, X, reset=False, dtype=[np.float32, np.float64])
    X = torch.from_numpy(_as_float32(X)).to(clf.net_.device)
    threads = network_thread_budget(clf.batch_size, (X.shape[1], *clf._hidden_sizes()))
    with limit_torch_threads(threads):
        logits = clf.net_.forward(TensorDataset(X), training=False, device="cpu").double()
    if len(clf.classes_) == 2:
        positive = torch.sigmoid(logits).numpy()
        return np.column_stack([1.0 - positive, positive])
    return torch.softmax(logits, dim=1).numpy()


def session_of(clf):
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    onx = to_onnx(clf, options={"zipmap": False})
    return ort.InferenceSession(onx.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def ways(clf, session, X, calls):
    """name -> callable running ``calls`` predictions of ``X``."""
    X_tensor = torch.from_numpy(X)
    module = clf.net_.module_
    dataset = TensorDataset(X_tensor)

    def repeat(fn):
        def run():
            for _ in range(calls):
                fn()
        return run

    def torch_module():
        with torch.inference_mode():
            module(X_tensor)

    out = {
        "predict_proba": repeat(lambda: clf.predict_proba(X)),
        "onnxruntime": repeat(lambda: session.run(None, {"X": X})),
        "through skorch's forward (before)": repeat(lambda: skorch_predict_proba(clf, X)),
        "torch module alone": repeat(torch_module),
    }
    if len(X) == 1:
        out["validate_data"] = repeat(
            lambda: validate_data(clf, X, reset=False, dtype=[np.float32, np.float64]))
        out["skorch net.forward"] = repeat(
            lambda: clf.net_.forward(dataset, training=False, device="cpu"))
        out["module.eval()"] = repeat(module.eval)
    return out


def profile(clf, x, calls):
    """cProfile of ``predict_proba`` on one row: the 25 largest cumulative times."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        clf.predict_proba(x)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200, help="single-row calls per round")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's view of predict_proba on one row")
    parser.add_argument("--out", default=None, help="folder for the JSON (default: results/)")
    args = parser.parse_args(argv)
    use_threads(args.threads)

    X, y = load_covertype(return_X_y=True, n_samples=BATCH_ROWS, random_state=0)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    rows = []
    for activation in ACTIVATIONS:
        clf = HybridTransferClassifier((64, 32), activation, max_iter=2, random_state=0).fit(X, y)
        session = session_of(clf)
        for X_part, calls in ((X[:1], args.calls), (X, 1)):
            label, proba = session.run(None, {"X": X_part})
            reference = clf.predict_proba(X_part)
            assert np.abs(proba - reference).max() < 1e-5
            assert np.array_equal(skorch_predict_proba(clf, X_part), reference)
            timings = interleaved_medians(ways(clf, session, X_part, calls), args.rounds)
            baseline = [t / calls * 1e6 for t in timings["predict_proba"][1]]
            for way, (_, all_s) in timings.items():
                all_us = [t / calls * 1e6 for t in all_s]
                rows.append({"activation": activation, "rows": len(X_part), "way": way,
                             "us": statistics.median(all_us),
                             "/predict_proba": paired_ratio(all_us, baseline),
                             "all_us": all_us})
        if args.profile:
            print(f"predict_proba on one row, {activation}, {args.calls * 10} calls:")
            print(profile(clf, X[:1], args.calls * 10))

    print(f"light (64, 32) net, 54 features, torch and onnxruntime threads "
          f"{torch.get_num_threads()}, median of {args.rounds} rounds "
          f"({args.calls} calls per round for one row)")
    print_table(rows, ["activation", "rows", "way", "us", "/predict_proba"])
    path = write_json("onnx", {"rounds": args.rounds, "calls": args.calls, "rows": rows,
                               "versions_onnx": {"onnxruntime": ort.__version__}}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
