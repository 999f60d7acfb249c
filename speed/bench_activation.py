"""Forward + backward cost of discovered activations against ReLU and GELU.

One (1024, 64) float32 batch — the first hidden layer of the paper's light net
with a batch of 1024 — timed with torch.utils.benchmark: every timer runs in
turn, round after round, and the table gives the median over rounds and the
median of the per-round ratios to GELU; the JSON keeps every round's time
(``all_us``) so both can be recomputed (``python _common.py recompute
results/activation.json``).  Baselines in the same process:
nn.ReLU, nn.GELU, and the same formulas written as plain eager torch code (what
autograd alone would do).

Goal: every discovered activation (up to 5 operators) costs no more than GELU.

One torch thread by default: with two OpenMP threads on a two-core machine,
any other busy process stalls every kernel at its barrier and the medians
measure the neighbours, not the kernels (``--threads 2`` to see it).  Two
reference timings put the cost of a sine in scale: one ``torch.sin`` of the
batch, and GELU's forward pass alone (no autograd).

Usage: python speed/bench_activation.py [--rounds 7] [--min-run-time 0.3] [--threads 1]
"""

import argparse
import statistics

import torch
import torch.utils.benchmark as benchmark
from torch import nn

from _common import Eager, paired_ratio, print_table, use_threads, write_json
from sksymact import SymbolicActivation


FORMULAS = {
    "x*cos(x)": lambda x: x * torch.cos(x),
    "cos(x) - 0.276": lambda x: torch.cos(x) - 0.276,
    "sin(x) + 2*x - 1.18": lambda x: torch.sin(x) + 2 * x - 1.18,
    "abs(x) * sin(x)": lambda x: torch.abs(x) * torch.sin(x),
    "x - sin(x) * cos(x)": lambda x: x - torch.sin(x) * torch.cos(x),
    # Two that the benchmark discovered on the UCI data (paper_results).
    "sin(x) - abs(sin(x) - cos(x))":
        lambda x: torch.sin(x) - torch.abs(torch.sin(x) - torch.cos(x)),
    "cos(x) - cos(abs(cos(x)))": lambda x: torch.cos(x) - torch.cos(torch.abs(torch.cos(x))),
}


def forward_backward_timer(module, x):
    grad = torch.ones_like(x)
    return benchmark.Timer(
        stmt="x.grad = None; module(x).backward(grad)",
        globals={"module": module, "x": x, "grad": grad},
        num_threads=torch.get_num_threads(),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-run-time", type=float, default=0.3,
                        help="seconds per timer per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    use_threads(args.threads)

    x = torch.randn(1024, 64).requires_grad_(True)
    timers = {"ReLU": forward_backward_timer(nn.ReLU(), x),
              "GELU": forward_backward_timer(nn.GELU(), x)}
    for text, fn in FORMULAS.items():
        timers[("eager", text)] = forward_backward_timer(Eager(fn), x)
        timers[("ours", text)] = forward_backward_timer(SymbolicActivation(text), x)
    # The floor for any formula with a sin or cos: its value needs one of them
    # and its derivative the other, whatever the code around them does.
    timers["floor"] = benchmark.Timer(
        stmt="torch.sin(x); torch.cos(x)", globals={"torch": torch, "x": x.detach()},
        num_threads=torch.get_num_threads())
    timers["sin"] = benchmark.Timer(
        stmt="torch.sin(x)", globals={"torch": torch, "x": x.detach()},
        num_threads=torch.get_num_threads())
    timers["GELU forward"] = benchmark.Timer(
        stmt="module(x)", globals={"module": nn.GELU(), "x": x.detach()},
        num_threads=torch.get_num_threads())
    # Rounds over all timers in turn: a slow spell of the machine hits every
    # timer of its round, and each ratio to GELU pairs timings of one round.
    times = {key: [] for key in timers}
    for _ in range(args.rounds):
        for key, timer in timers.items():
            times[key].append(timer.blocked_autorange(min_run_time=args.min_run_time).median * 1e6)

    def row(label, key, **extra):
        return {"activation": label, "us": statistics.median(times[key]),
                "/GELU": paired_ratio(times[key], times["GELU"]), **extra,
                "all_us": times[key]}

    rows = [row("ReLU", "ReLU"), row("GELU", "GELU")]
    for text in FORMULAS:
        rows.append(row(text, ("ours", text), eager_us=statistics.median(times[("eager", text)]),
                        n_operators=SymbolicActivation(text).formula.n_operators,
                        eager_all_us=times[("eager", text)]))
    rows.append(row("floor: torch.sin + torch.cos kernels", "floor"))
    rows.append(row("torch.sin alone", "sin"))
    rows.append(row("GELU forward alone (no autograd)", "GELU forward"))
    print(f"forward + backward, (1024, 64) float32, torch threads {torch.get_num_threads()}, "
          f"median of {args.rounds} rounds")
    print_table(rows, ["activation", "n_operators", "eager_us", "us", "/GELU"])
    met = all(r["/GELU"] <= 1.0 for r in rows if r["activation"] in FORMULAS)
    print(f"  every formula <= GELU: {'met' if met else 'NOT met'}")
    path = write_json("activation", {"rows": rows, "goal_met": met, "rounds": args.rounds,
                                     "min_run_time_s": args.min_run_time}, args.out)
    print(f"wrote {path}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
