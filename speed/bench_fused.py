"""The fused activation path against the floor of its own kernels, and its fixed cost per call.

Two measurements of ``SymbolicActivation`` (the fused path of
``sksymact/_tape.py``), forward + backward, one torch thread by default:

1. **Kernel floor**, on a (1024, 64) float32 batch (the light net's first
   hidden layer): for each formula of ``bench_activation.py``'s set, the fused
   forward + backward against one torch kernel of the same shape for each
   transcendental kernel its plan runs (``torch.sin`` + ``torch.cos`` for
   x*cos(x)).  Goal: at most 1.3 times that floor (x*cos(x); every formula is
   printed against it too).  Printed beside it: the same
   kernels as numpy's float32 ufuncs, which the fused path runs on the CPU in
   float32, and GELU's forward + backward.
2. **Fixed cost per call**, on a tiny tensor (16 elements, so that the kernels
   cost next to nothing): the fused forward + backward of x*cos(x) minus
   ReLU's forward + backward of the same tensor (the autograd engine's cost
   for any activation), paired per round.  Goal: at most 20 us.  Printed with
   it, to see where the time goes: the plan alone (value and derivative, no
   autograd), and a do-nothing ``torch.autograd.Function`` that saves one
   tensor and multiplies it in backward (what any Python autograd op costs),
   in float32 and float64 (a training call on a tensor this small runs
   torch's kernels in both: numpy's are used from
   ``sksymact._tape.NUMPY_MIN_ELEMENTS`` on; prediction's value plans use
   numpy's at every size).

Every timer runs in turn, round after round (torch.utils.benchmark,
``--min-run-time`` seconds each); medians are over rounds and every ratio or
difference is the median over rounds of the per-round value.  The JSON keeps
every round (``all_us``), for ``python _common.py recompute
results/fused.json``.

Usage: python speed/bench_fused.py [--rounds 11] [--min-run-time 0.2] [--threads 1]
"""

import argparse
import statistics

import numpy as np
import torch
import torch.utils.benchmark as benchmark
from torch import nn

from _common import load_average, paired_ratio, print_table, use_threads, write_json
from bench_activation import FORMULAS
from sksymact import SymbolicActivation

TRANSCENDENTAL = ("sin", "cos", "tan", "log")
TINY_FORMULAS = ["x*cos(x)", "cos(x) - cos(abs(cos(x)))"]


class SavingNoOp(torch.autograd.Function):
    """The least a Python autograd op does: save one tensor, multiply it into the gradient."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x.clone())
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors
        return saved.mul_(grad)


def _timer(stmt, **names):
    return benchmark.Timer(stmt=stmt, globals={"torch": torch, "np": np, **names},
                           num_threads=torch.get_num_threads())


def _fb(module, x):
    return _timer("x.grad = None; module(x).backward(grad)",
                  module=module, x=x, grad=torch.ones_like(x))


def _floor(counts, x, library):
    module = "torch" if library == "torch" else "np"
    calls = [f"{module}.{name}(x)" for name in TRANSCENDENTAL for _ in range(counts[name])]
    data = x.detach() if library == "torch" else x.detach().numpy()
    return _timer("; ".join(calls) or "pass", x=data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-run-time", type=float, default=0.2,
                        help="seconds per timer per round")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    use_threads(args.threads)
    load_at_start = load_average()

    x = torch.randn(1024, 64).requires_grad_(True)
    timers = {"GELU": _fb(nn.GELU(), x)}
    counts_of = {}
    for text in FORMULAS:
        act = SymbolicActivation(text)
        kernels = act.fused_plans()[1].kernel_counts()
        counts = {name: kernels.get(name, 0) for name in TRANSCENDENTAL}
        counts_of[text] = tuple(counts.values())
        timers[("fused", text)] = _fb(act, x)
        for library in ("torch", "numpy"):
            timers.setdefault((library, counts_of[text]), _floor(counts, x, library))

    tiny = {dtype: torch.randn(4, 4, dtype=dtype).requires_grad_(True)
            for dtype in (torch.float32, torch.float64)}
    for dtype, t in tiny.items():
        name = str(dtype).removeprefix("torch.")
        timers[("tiny ReLU", name)] = _fb(nn.ReLU(), t)
        timers[("tiny no-op Function", name)] = _timer(
            "x.grad = None; f(x).backward(grad)", f=SavingNoOp.apply, x=t,
            grad=torch.ones_like(t))
        for text in TINY_FORMULAS:
            act = SymbolicActivation(text).to(dtype)
            timers[("tiny fused", name, text)] = _fb(act, t)
            timers[("tiny plan", name, text)] = _timer(
                "plan(x)", plan=act.fused_plans()[1], x=t.detach())

    times = {key: [] for key in timers}
    for _ in range(args.rounds):
        for key, timer in timers.items():
            times[key].append(timer.blocked_autorange(min_run_time=args.min_run_time).median
                              * 1e6)

    def diff(key, base):
        return statistics.median(a - b for a, b in zip(times[key], times[base], strict=True))

    rows = []
    for text in FORMULAS:
        floor = ("torch", counts_of[text])
        rows.append({
            "formula": text, "transcendental kernels": sum(counts_of[text]),
            "fused_us": statistics.median(times[("fused", text)]),
            "floor_us": statistics.median(times[floor]),
            "numpy_floor_us": statistics.median(times[("numpy", counts_of[text])]),
            "/floor": paired_ratio(times[("fused", text)], times[floor]),
            "/GELU": paired_ratio(times[("fused", text)], times["GELU"]),
            "all_us": times[("fused", text)], "floor_all_us": times[floor],
            "numpy_floor_all_us": times[("numpy", counts_of[text])],
        })
    gelu = {"us": statistics.median(times["GELU"]), "all_us": times["GELU"]}
    # rows' /GELU are recomputed against this list.
    for row in rows:
        row["gelu_all_us"] = times["GELU"]

    tiny_rows = []
    for dtype in ("float32", "float64"):
        relu, noop = ("tiny ReLU", dtype), ("tiny no-op Function", dtype)
        for text in TINY_FORMULAS:
            fused, plan = ("tiny fused", dtype, text), ("tiny plan", dtype, text)
            tiny_rows.append({
                "dtype": dtype, "formula": text,
                "fused_us": statistics.median(times[fused]),
                "relu_us": statistics.median(times[relu]),
                "overhead_us": diff(fused, relu),
                "noop_function_over_relu_us": diff(noop, relu),
                "plan_us": statistics.median(times[plan]),
                "all_us": times[fused], "relu_all_us": times[relu],
                "noop_all_us": times[noop], "plan_all_us": times[plan],
            })

    print(f"forward + backward, (1024, 64) float32, torch threads {torch.get_num_threads()}, "
          f"median of {args.rounds} rounds; GELU {gelu['us']:.0f} us")
    print_table(rows, ["formula", "transcendental kernels", "fused_us", "floor_us",
                       "numpy_floor_us", "/floor", "/GELU"])
    print("\ntiny tensor (16 elements): overhead = fused - ReLU, paired per round")
    print_table(tiny_rows, ["dtype", "formula", "fused_us", "relu_us", "overhead_us",
                            "noop_function_over_relu_us", "plan_us"])
    goals = {
        "x*cos(x) <= 1.3 x its torch kernels": next(
            r for r in rows if r["formula"] == "x*cos(x)")["/floor"] <= 1.3,
        "every formula <= 1.3 x its torch kernels": all(r["/floor"] <= 1.3 for r in rows),
        "overhead <= 20 us (x*cos(x), float32)": next(
            r for r in tiny_rows if r["dtype"] == "float32"
            and r["formula"] == "x*cos(x)")["overhead_us"] <= 20,
    }
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    path = write_json("fused", {"rows": rows, "gelu": gelu, "tiny": tiny_rows, "goals": goals,
                                "rounds": args.rounds, "min_run_time_s": args.min_run_time,
                                "load_average_at_start": load_at_start}, args.out)
    print(f"wrote {path}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
