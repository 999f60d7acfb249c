"""Training speed of HybridTransferClassifier against two plain PyTorch loops.

Baselines, implemented here and run in the same process on the same data:

- reference loop: the paper's protocol written plainly — TensorDataset +
  DataLoader(batch_size=1024, shuffle=True), Adam 1e-3, Sigmoid + BCELoss;
- hand loop: the same, with batches taken by slicing a permuted index.

Both build the net from plain torch modules (``nn.Dropout``, the activation as
an eager torch expression), as a user without sksymact would.

Goals: ours <= 0.5x the reference loop and <= 1.2x the hand loop, for the light
(64, 32) net with ReLU and with x*cos(x), and for the heavy (200, 100) ReLU net;
x*cos(x) training <= 1.1x ReLU training (``bench_formula_training.py`` measures
that last ratio with more pairs: it is close to this machine's noise).

One torch thread by default (``--threads``): with two OpenMP threads on a
two-core machine any busy neighbour stalls every kernel at its barrier, and the
timings measure the neighbour.  All three loops run with the same setting.

Usage: python speed/bench_training.py [--rows 100000] [--repeats 3] [--epochs 15]
       [--threads 1]
"""

import argparse

import numpy as np
import torch
from torch import nn

from _common import Eager, interleaved_medians, paired_ratio, print_table, use_threads, write_json
from sksymact import HybridTransferClassifier


def make_data(rows, features=54, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(rows, features)).astype(np.float32)
    y = ((X[:, 0] * np.cos(X[:, 1]) + X[:, 2] * X[:, 3]) > 0).astype(np.int64)
    return X, y


# The activations as the paper's script writes them: plain torch expressions.
EAGER_ACTIVATIONS = {
    "relu": torch.relu,
    "x*cos(x)": lambda x: x * torch.cos(x),
}


def paper_net(features, hidden, activation, seed):
    """The paper's net in plain torch: nn.Linear, nn.BatchNorm1d, the activation
    as eager torch code, nn.Dropout(0.3), and a Sigmoid for BCELoss."""
    torch.manual_seed(seed)
    layers, width = [], features
    for size in hidden:
        layers += [nn.Linear(width, size), nn.BatchNorm1d(size),
                   Eager(EAGER_ACTIVATIONS[activation]), nn.Dropout(0.3)]
        width = size
    layers += [nn.Linear(width, 1), nn.Sigmoid()]
    return nn.Sequential(*layers)


def reference_loop(X, y, hidden, activation, epochs, seed=0):
    net = paper_net(X.shape[1], hidden, activation, seed)
    data = torch.utils.data.TensorDataset(torch.from_numpy(X),
                                          torch.from_numpy(y.astype(np.float32))[:, None])
    loader = torch.utils.data.DataLoader(data, batch_size=1024, shuffle=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    net.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            optimizer.step()
    return net


def hand_loop(X, y, hidden, activation, epochs, seed=0):
    net = paper_net(X.shape[1], hidden, activation, seed)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y.astype(np.float32))[:, None]
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), 1024):
            rows = order[start:start + 1024]
            optimizer.zero_grad()
            loss = loss_fn(net(X_t[rows]), y_t[rows])
            loss.backward()
            optimizer.step()
    return net


def ours(X, y, hidden, activation, epochs, seed=0):
    return HybridTransferClassifier(hidden, activation, max_iter=epochs, random_state=seed,
                                    device="cpu").fit(X, y)


CASES = [
    ("light ReLU", (64, 32), "relu"),
    ("light x*cos(x)", (64, 32), "x*cos(x)"),
    ("heavy ReLU", (200, 100), "relu"),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="folder for the JSON (default: results/)")
    args = parser.parse_args(argv)
    use_threads(args.threads)

    X, y = make_data(args.rows)
    loops = [("reference", reference_loop), ("hand", hand_loop), ("ours", ours)]
    # Every loop of every case in one interleaved round per repeat, so each
    # ratio below pairs runs made back to back.
    timings = interleaved_medians(
        {(name, label): (lambda fn=fn, h=hidden, a=activation: fn(X, y, h, a, args.epochs))
         for name, hidden, activation in CASES for label, fn in loops},
        args.repeats, warmup=0)
    rows = []
    for name, _, _ in CASES:
        t = {label: timings[(name, label)] for label, _ in loops}
        rows.append({
            "case": name,
            "reference_s": t["reference"][0],
            "hand_s": t["hand"][0],
            "ours_s": t["ours"][0],
            "ours/reference": paired_ratio(t["ours"][1], t["reference"][1]),
            "ours/hand": paired_ratio(t["ours"][1], t["hand"][1]),
            "all_s": {label: v[1] for label, v in t.items()},
        })
    formula_vs_relu = paired_ratio(timings[("light x*cos(x)", "ours")][1],
                                   timings[("light ReLU", "ours")][1])
    print(f"\n{args.rows:,} x 54 float32 rows, {args.epochs} epochs, batch 1024, "
          f"median of {args.repeats}, torch threads {torch.get_num_threads()}")
    print_table(rows, ["case", "reference_s", "hand_s", "ours_s", "ours/reference", "ours/hand"])
    print(f"x*cos(x) training / ReLU training (ours): {formula_vs_relu:.3f}")
    goals = {
        "ours/reference <= 0.5": all(r["ours/reference"] <= 0.5 for r in rows),
        "ours/hand <= 1.2": all(r["ours/hand"] <= 1.2 for r in rows),
        "x*cos(x)/ReLU <= 1.1": formula_vs_relu <= 1.1,
    }
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    path = write_json("training", {"rows": args.rows, "epochs": args.epochs,
                                   "repeats": args.repeats, "cases": rows,
                                   "formula_vs_relu": formula_vs_relu, "goals": goals},
                      args.out)
    print(f"wrote {path}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
