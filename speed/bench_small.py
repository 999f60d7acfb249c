"""Small tables, many fits: breast cancer against a plain torch loop and scikit-learn's MLP.

Breast cancer (569 rows x 30, standardized, float32), hidden layers (64, 32),
ReLU, Adam with step 1e-3, batches of 64, 50 epochs, no BatchNorm and no
dropout (``batch_norm=False, dropout=0``) so that the three fits train the
same net:

- ours: ``HybridTransferClassifier``;
- plain torch loop: the same net as ``nn.Sequential``, ``torch.optim.Adam``
  with its defaults, ``BCEWithLogitsLoss``, batches of a ``randperm`` taken
  by indexing, as a user would write it;
- ``sklearn.neural_network.MLPClassifier`` with the same widths, solver,
  step, batch size and epochs (``tol=0`` and ``n_iter_no_change=50``, so
  that it runs all 50 epochs, as the others do).

Printed beside them: ours with the network's defaults (BatchNorm, dropout
0.3).  Run with one torch thread and with two (``--threads 1 2``; numpy's
BLAS and OpenMP pools are set alike), all fits under all settings
interleaved (A1 B1 ... A2 B2 ... A1 B1 ...); every ratio is the median of the
per-repeat ratios.
Our network runs batches this small on one thread whatever the setting
(``sksymact._parallel.network_thread_budget``); the column ``ran on
threads`` says so, and the row "ours without the small-batch cap" runs it
with the setting, for comparison.

Goals: ours <= 1.1 x the plain torch loop; ours against MLPClassifier
reported.

Usage: python speed/bench_small.py [--repeats 9] [--epochs 50] [--threads 1 2]
"""

import argparse
import warnings

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits
from torch import nn

from _common import (interleaved_medians, load_average, paired_ratio, print_table,
                     thread_counts, use_threads, write_json)
from sksymact import HybridTransferClassifier
import sksymact._parallel
from sksymact._parallel import network_thread_budget

HIDDEN = (64, 32)
BATCH = 64


def data():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


def ours(X, y, epochs, **network):
    options = dict(batch_norm=False, dropout=0.0) | network
    return HybridTransferClassifier(HIDDEN, "relu", batch_size=BATCH, max_iter=epochs,
                                    random_state=0, device="cpu", **options).fit(X, y)


def ours_uncapped(X, y, epochs):
    """Ours with torch's thread setting, the small-batch cap turned off (for comparison)."""
    cap = sksymact._parallel.SMALL_BATCH_VALUES
    sksymact._parallel.SMALL_BATCH_VALUES = 0
    try:
        return ours(X, y, epochs)
    finally:
        sksymact._parallel.SMALL_BATCH_VALUES = cap


def torch_loop(X, y, epochs, seed=0):
    torch.manual_seed(seed)
    layers, width = [], X.shape[1]
    for size in HIDDEN:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    net = nn.Sequential(*layers, nn.Linear(width, 1))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))[:, None]
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), BATCH):
            rows = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(net(X_t[rows]), y_t[rows])
            loss.backward()
            optimizer.step()
    return net


def sklearn_mlp(X, y, epochs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it ran every epoch, as asked
        return MLPClassifier(HIDDEN, solver="adam", learning_rate_init=1e-3, batch_size=BATCH,
                             alpha=0.0, max_iter=epochs, tol=0.0, n_iter_no_change=epochs,
                             random_state=0).fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    load_at_start = load_average()
    use_threads(max(args.threads))  # loads the native pools; each fit sets its own
    X, y = data()
    fits = {
        "ours": lambda: ours(X, y, args.epochs),
        "plain torch loop": lambda: torch_loop(X, y, args.epochs),
        "MLPClassifier": lambda: sklearn_mlp(X, y, args.epochs),
        "ours, BatchNorm + dropout 0.3": lambda: ours(X, y, args.epochs, batch_norm=True,
                                                      dropout=0.3),
        "ours without the small-batch cap": lambda: ours_uncapped(X, y, args.epochs),
    }
    def with_threads(threads, fit):
        def run():
            torch.set_num_threads(threads)
            with threadpool_limits(threads):
                return fit()
        return run

    counts = {}
    for threads in args.threads:
        with_threads(threads, lambda t=threads: counts.__setitem__(t, thread_counts()))()
    # Every fit under every setting in one interleaved round per repeat.
    timings = interleaved_medians({(threads, name): with_threads(threads, fit)
                                   for threads in args.threads for name, fit in fits.items()},
                                  args.repeats, warmup=1)
    # Our network caps itself for small batches (sksymact._parallel).
    budget = network_thread_budget(BATCH, (X.shape[1], *HIDDEN))
    rows = []
    for threads in args.threads:
        for name in fits:
            capped = name.startswith("ours") and "without" not in name
            ran_on = min(threads, budget or threads) if capped else threads
            t = {key: timings[(threads, key)][1] for key in fits}
            rows.append({"threads": threads, "fit": name, "ran on threads": ran_on,
                         "s": timings[(threads, name)][0],
                         "/plain torch": paired_ratio(t[name], t["plain torch loop"]),
                         "/MLPClassifier": paired_ratio(t[name], t["MLPClassifier"]),
                         "/ours": paired_ratio(t[name], t["ours"]),
                         "all_s": t[name], "ours_all_s": t["ours"],
                         "torch_all_s": t["plain torch loop"],
                         "mlp_all_s": t["MLPClassifier"]})
    by = {(r["threads"], r["fit"]): r for r in rows}
    if len(args.threads) > 1:
        one, two = min(args.threads), max(args.threads)
        for name in fits:
            by[(two, name)][f"/{one} thread"] = paired_ratio(by[(two, name)]["all_s"],
                                                             by[(one, name)]["all_s"])
    print(f"breast cancer {X.shape}, {HIDDEN}, batches of {BATCH}, {args.epochs} epochs, "
          f"median of {args.repeats}")
    print_table(rows, ["threads", "fit", "ran on threads", "s", "/plain torch",
                       "/MLPClassifier", "/ours", f"/{min(args.threads)} thread"])
    goals = {f"ours <= 1.1 x plain torch ({t} thread{'s' * (t > 1)})":
             by[(t, "ours")]["/plain torch"] <= 1.1 for t in args.threads}
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    path = write_json("small", {"epochs": args.epochs, "repeats": args.repeats,
                                "batch_size": BATCH, "rows": rows, "goals": goals,
                                "thread_counts_per_setting": counts,
                                "load_average_at_start": load_at_start}, args.out)
    print(f"wrote {path}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
