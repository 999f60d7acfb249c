"""The paper's whole protocol: ``sksymact benchmark --protocol reference`` against a
plain-torch re-implementation of the paper's script, on data of the paper's shapes.

The data are synthetic, written in the UCI files' formats into a temporary data
home: HIGGS (100,000 x 28, the label first), Covertype (100,000 x 54, seven
integer classes last, binarized by the benchmark as class 2 against the rest)
and Spambase (4,601 x 57, the label last).  Their values are drawn at random
with a label that depends on a few features non-linearly; only their shapes and
formats matter here, and both sides read the same files.

The reference, run as its own process (``--reference DIR``), does what the
paper's script does, with nothing of sksymact's training or activation code:

- per data set, one gplearn ``SymbolicClassifier`` (population 500, 5
  generations, add/sub/mul/sin/cos/abs, random state 42) on a 10% subsample
  of all rows, standardized; its program with every ``X<i>`` collapsed to
  ``x`` is the data set's activation, evaluated as eager torch operations;
- per data set and seed (42, 43, 44): a stratified 80/20 split, standardized
  on the training rows; the heavy (200, 100) ReLU net, the light (64, 32)
  ReLU, GELU and SiLU nets, the hybrid specialist (its own formula) and, on
  Covertype and Spambase, the hybrid transfer (HIGGS's formula): Linear,
  BatchNorm1d, the activation, Dropout(0.3), then a Linear and a Sigmoid;
  ``TensorDataset`` + ``DataLoader(batch_size=1024, shuffle=True)``, Adam
  1e-3, ``BCELoss``, 15 epochs; accuracy and ROC AUC on the test rows.

Ours is the command a user types, ``sksymact benchmark --protocol reference
--data-home DIR --out DIR --no-plots --quiet``, with the machine's cores by
default and with ``--n-jobs 1``.  Each process runs with torch's and the
native pools' default thread counts, as a user's would.  The runs alternate
(reference, ours, ours with one job, ...), and the ratios are the medians of
the per-round ratios.

Goal: the reference's time / ours (default command) >= 8 on this 2-core machine.

Usage: python speed/bench_protocol.py [--repeats 1] [--higgs-rows 100000]
       [--covertype-rows 100000]
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import print_table, write_json

SEEDS = (42, 43, 44)
FUNCTION_SET = ("add", "sub", "mul", "sin", "cos", "abs")


# -- the data --------------------------------------------------------------------------------


def _label(X, rng):
    """A label that a few features decide non-linearly, with noise."""
    score = X[:, 0] * np.cos(X[:, 1]) + np.abs(X[:, 2]) - X[:, 3] * X[:, 4] * 0.5
    return (score + rng.normal(scale=0.5, size=len(X)) > np.median(score)).astype(int)


def write_data(home, higgs_rows, covertype_rows, seed=0):
    """Synthetic HIGGS, Covertype and Spambase files of the paper's shapes in ``home``."""
    rng = np.random.RandomState(seed)
    home = Path(home)
    X = rng.normal(size=(higgs_rows, 28))
    y = _label(X, rng)
    with gzip.open(home / f"HIGGS-{higgs_rows}.csv.gz", "wt", compresslevel=1) as f:
        np.savetxt(f, np.column_stack([y, X]), fmt=["%d"] + ["%.7e"] * 28, delimiter=",")
    X = np.column_stack([rng.randint(0, 4000, size=(covertype_rows, 10)),
                         rng.randint(0, 2, size=(covertype_rows, 44))])
    y = 1 + 5 * _label((X[:, :5] - X[:, :5].mean(0)) / X[:, :5].std(0), rng)  # classes 1 and 6
    y[rng.rand(covertype_rows) < 0.3] = 2  # and Lodgepole Pine, the benchmark's positive class
    with gzip.open(home / f"covtype-{covertype_rows}.data.gz", "wt", compresslevel=1) as f:
        np.savetxt(f, np.column_stack([X, y]), fmt="%d", delimiter=",")
    X = np.abs(rng.normal(size=(4601, 57)))
    np.savetxt(home / "spambase.data", np.column_stack([X, _label(X, rng)]),
               fmt=["%.4f"] * 57 + ["%d"], delimiter=",")


# -- the reference: the paper's script in plain torch ------------------------------------------


def _load(home, higgs_rows, covertype_rows):
    from sksymact.datasets import fetch_covertype, fetch_higgs, fetch_spambase

    X, y = fetch_higgs(data_home=home, download_if_missing=False, n_samples=higgs_rows,
                       return_X_y=True)
    yield "higgs", X, y
    X, y = fetch_covertype(data_home=home, download_if_missing=False, n_samples=covertype_rows,
                           random_state=42, return_X_y=True)  # Lodgepole Pine against the rest
    yield "covertype", X, y
    X, y = fetch_spambase(data_home=home, download_if_missing=False, return_X_y=True)
    yield "spambase", X, y


def _discover(X, y):
    """The paper's discovery: gplearn on a 10% standardized subsample, X<i> -> x."""
    from gplearn.genetic import SymbolicClassifier
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(42)
    rows = rng.choice(len(X), size=len(X) // 10, replace=False)
    gp = SymbolicClassifier(population_size=500, generations=5, function_set=FUNCTION_SET,
                            random_state=42)
    gp.fit(StandardScaler().fit_transform(X[rows]), y[rows])
    return gp._program.program  # the prefix list; every variable becomes x below


def _eager(program):
    """The program as eager torch code of one variable (plain autograd)."""
    import torch

    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "sin": torch.sin,
           "cos": torch.cos, "abs": torch.abs}
    arity = {"add": 2, "sub": 2, "mul": 2, "sin": 1, "cos": 1, "abs": 1}

    def evaluate(x, position=0):
        node = program[position]
        if isinstance(node, (int, np.integer)):  # a variable: collapsed to x
            return x, position + 1
        if isinstance(node, float):
            return torch.full_like(x, node), position + 1
        args, position = [], position + 1
        for _ in range(arity[node.name]):
            value, position = evaluate(x, position)
            args.append(value)
        return ops[node.name](*args), position

    return lambda x: evaluate(x)[0]


def _train(X_train, y_train, X_test, y_test, hidden, activation, seed):
    import torch
    from sklearn.metrics import accuracy_score, roc_auc_score
    from torch import nn

    class Activation(nn.Module):
        def forward(self, x):
            return activation(x)

    torch.manual_seed(seed)
    layers, width = [], X_train.shape[1]
    for size in hidden:
        layers += [nn.Linear(width, size), nn.BatchNorm1d(size), Activation(), nn.Dropout(0.3)]
        width = size
    net = nn.Sequential(*layers, nn.Linear(width, 1), nn.Sigmoid())
    data = torch.utils.data.TensorDataset(torch.tensor(X_train, dtype=torch.float32),
                                          torch.tensor(y_train, dtype=torch.float32)[:, None])
    loader = torch.utils.data.DataLoader(data, batch_size=1024, shuffle=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    net.train()
    for _ in range(15):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(net(xb), yb).backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        proba = net(torch.tensor(X_test, dtype=torch.float32))[:, 0].numpy()
    return accuracy_score(y_test, proba > 0.5), roc_auc_score(y_test, proba)


def run_reference(home, higgs_rows, covertype_rows):
    """The paper's protocol, start to end; returns its rows."""
    import torch
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    relu, gelu, silu = torch.relu, torch.nn.functional.gelu, torch.nn.functional.silu
    rows, higgs_formula = [], None
    for name, X, y in _load(home, higgs_rows, covertype_rows):
        formula = _eager(_discover(X, y))
        higgs_formula = higgs_formula or formula
        configs = [("heavy-relu", (200, 100), relu), ("light-relu", (64, 32), relu),
                   ("light-gelu", (64, 32), gelu), ("light-silu", (64, 32), silu),
                   ("hybrid-specialist", (64, 32), formula)]
        if name != "higgs":
            configs.append(("hybrid-transfer", (64, 32), higgs_formula))
        for seed in SEEDS:
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.2, stratify=y, random_state=seed)
            scaler = StandardScaler().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
            for config, hidden, activation in configs:
                accuracy, auc = _train(X_train, y_train, X_test, y_test, hidden, activation,
                                       seed)
                rows.append({"dataset": name, "config": config, "seed": seed,
                             "accuracy": accuracy, "roc_auc": auc})
    return rows


# -- the timed runs ----------------------------------------------------------------------------


def _timed(command):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--higgs-rows", type=int, default=100_000)
    parser.add_argument("--covertype-rows", type=int, default=100_000)
    parser.add_argument("--reference", metavar="DATA_HOME",
                        help="(internal) run the reference protocol on DATA_HOME, print JSON")
    parser.add_argument("--out", default=None, help="folder for the JSON (default: results/)")
    args = parser.parse_args(argv)
    if args.reference:
        rows = run_reference(args.reference, args.higgs_rows, args.covertype_rows)
        print(json.dumps(rows))
        return 0

    sksymact = shutil.which("sksymact") or "sksymact"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "data"
        home.mkdir()
        write_data(home, args.higgs_rows, args.covertype_rows)
        sizes = ["--higgs-rows", str(args.higgs_rows), "--covertype-rows",
                 str(args.covertype_rows)]
        commands = {
            "reference script": [sys.executable, __file__, "--reference", str(home), *sizes],
            "ours (default command)": [sksymact, "benchmark", "--protocol", "reference",
                                       "--data-home", str(home), *sizes, "--no-plots",
                                       "--quiet"],
        }
        commands["ours, --n-jobs 1"] = [*commands["ours (default command)"], "--n-jobs", "1"]
        # As a user types them (no folder of this machine in the JSON).
        typed = {sys.executable: "python", __file__: "bench_protocol.py", str(home): "DATA_HOME",
                 sksymact: "sksymact"}
        commands_as_typed = {name: " ".join(typed.get(c, c) for c in command)
                             for name, command in commands.items()}
        times = {name: [] for name in commands}
        reference_rows = None
        for repeat in range(args.repeats):
            for index, (name, command) in enumerate(commands.items()):
                if name.startswith("ours"):  # a fresh folder: the benchmark resumes a used one
                    command = [*command, "--out", str(Path(tmp) / f"out-{repeat}-{index}")]
                seconds, stdout = _timed(command)
                times[name].append(seconds)
                print(f"{name}: {seconds:.1f} s", flush=True)
                if name == "reference script":
                    reference_rows = json.loads(stdout)
    reference = times["reference script"]
    rows = []
    for name, t in times.items():
        rows.append({"run": name, "s": statistics.median(t),
                     "reference/this": statistics.median(r / s for r, s in zip(reference, t)),
                     "all_s": t})
    print(f"\nthe paper's protocol on synthetic data: HIGGS {args.higgs_rows:,} x 28, "
          f"Covertype {args.covertype_rows:,} x 54, Spambase 4,601 x 57; seeds "
          f"{', '.join(map(str, SEEDS))}; {os.cpu_count()} cores; median of {args.repeats}")
    print_table(rows, ["run", "s", "reference/this"])
    speedup = rows[1]["reference/this"]
    goal_met = speedup >= 8
    print(f"goal: reference / ours (default command) >= 8: {'met' if goal_met else 'NOT met'}")
    path = write_json("protocol", {
        "higgs_rows": args.higgs_rows, "covertype_rows": args.covertype_rows,
        "repeats": args.repeats, "cpu_count": os.cpu_count(), "rows": rows,
        "commands": commands_as_typed,
        "reference_results": reference_rows, "goal_met": goal_met}, args.out)
    print(f"wrote {path}")
    return 0 if goal_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
