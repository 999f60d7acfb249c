"""GPU check and timing: fit / predict / pickle on CUDA, light and heavy fits vs CPU.

A prepared script for a machine with a GPU, sized to finish in a few minutes:

1. correctness on CUDA: ``device="auto"`` picks CUDA; fit, predict_proba (numpy
   out), a formula activation with learnable constants, a pickle round trip
   that loads with identical predictions, and a model fitted on the GPU that
   loads and predicts on the CPU;
2. timing: ``HybridTransferClassifier.fit`` (15 epochs, 100,000 x 54 float32)
   for the light (64, 32) ReLU and x*cos(x) nets and the heavy (200, 100) ReLU
   net, on CUDA and on the CPU of the same machine, median of ``--repeats``.

Without CUDA it says so and exits with status 0 after the CPU part of step 1.

Usage: python speed/check_cuda.py [--rows 100000] [--repeats 3]
"""

import argparse
import pickle

import numpy as np
import torch

from _common import interleaved_medians, print_table, write_json
from sksymact import HybridTransferClassifier


def make_data(rows, features=54, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(rows, features)).astype(np.float32)
    y = ((X[:, 0] * np.cos(X[:, 1]) + X[:, 2] * X[:, 3]) > 0).astype(np.int64)
    return X, y


def check_correctness(X, y, device):
    clf = HybridTransferClassifier((64, 32), "x*cos(x) - 0.25", learnable_constants=True,
                                   max_iter=3, device=device, random_state=0).fit(X, y)
    proba = clf.predict_proba(X[:2000])
    assert isinstance(proba, np.ndarray) and proba.shape == (2000, 2)
    assert np.isfinite(proba).all()
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X[:2000]), proba)
    report = {"device": clf.device_, "train_accuracy": float(clf.score(X[:2000], y[:2000]))}
    if clf.device_.startswith("cuda"):
        # Unpickle as a machine without CUDA would: skorch maps the weights to the CPU.
        data = pickle.dumps(clf)
        available = torch.cuda.is_available
        torch.cuda.is_available = lambda: False
        try:
            on_cpu = pickle.loads(data)
        finally:
            torch.cuda.is_available = available
        assert next(on_cpu.net_.module_.parameters()).device.type == "cpu"
        diff = float(np.max(np.abs(on_cpu.predict_proba(X[:2000]) - proba)))
        report["gpu_vs_cpu_max_abs_diff"] = diff
        assert diff < 1e-4, diff
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    X, y = make_data(args.rows)
    cuda = torch.cuda.is_available()
    print("CUDA:", torch.cuda.get_device_name(0) if cuda else "not available")
    checks = {"cpu": check_correctness(X, y, "cpu")}
    auto = HybridTransferClassifier((8,), max_iter=1, random_state=0).fit(X[:500], y[:500])
    assert auto.device_ == ("cuda" if cuda else "cpu")
    if not cuda:
        print("correctness on CPU: ok; no GPU here, so no CUDA check or timing.")
        write_json("cuda", {"cuda": None, "checks": checks}, args.out)
        return 0
    checks["cuda"] = check_correctness(X, y, "cuda")
    print("correctness on CUDA: ok", checks["cuda"])

    rows = []
    for name, hidden, activation in [("light ReLU", (64, 32), "relu"),
                                     ("light x*cos(x)", (64, 32), "x*cos(x)"),
                                     ("heavy ReLU", (200, 100), "relu")]:
        def fit(device, hidden=hidden, activation=activation):
            HybridTransferClassifier(hidden, activation, device=device, random_state=0).fit(X, y)
            if device == "cuda":
                torch.cuda.synchronize()
        timings = interleaved_medians({"cuda": lambda: fit("cuda"), "cpu": lambda: fit("cpu")},
                                      args.repeats)
        rows.append({"case": name, "cuda_s": timings["cuda"][0], "cpu_s": timings["cpu"][0],
                     "cpu/cuda": timings["cpu"][0] / timings["cuda"][0]})
    print(f"{args.rows:,} x 54 float32, 15 epochs, batch 1024, median of {args.repeats}")
    print_table(rows, ["case", "cuda_s", "cpu_s", "cpu/cuda"])
    path = write_json("cuda", {"cuda": torch.cuda.get_device_name(0), "checks": checks,
                               "rows": args.rows, "timings": rows}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
