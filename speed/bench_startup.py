"""Start-up: the wall time of ``sksymact --help`` in a fresh process.

Each run starts a new process of the installed command (the console script
beside this Python, else ``python -m sksymact``), so nothing is imported
beforehand; the first run of the script is also the coldest for the file
cache, and is kept with the others.  Interleaved with it, in the same way, the
bare interpreter (``python -c pass``): the difference, paired per round, is
what the command itself costs.  ``tests/test_imports.py`` checks (untimed)
that ``--help`` imports none of the heavy dependencies, which is what keeps it
fast.

Goal: median under 0.5 s.

Usage: python speed/bench_startup.py [--runs 11]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import load_average, print_table, write_json


def command():
    """The ``sksymact`` command of this environment."""
    script = Path(sys.executable).with_name("sksymact")
    if script.exists():
        return [str(script)]
    found = shutil.which("sksymact")
    return [found] if found else [sys.executable, "-m", "sksymact"]


def wall(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    load_at_start = load_average()

    runs = {"sksymact --help": [*command(), "--help"],
            "python -c pass": [sys.executable, "-c", "pass"]}
    times = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, cmd in runs.items():
            times[name].append(wall(cmd))
    help_s, bare_s = times["sksymact --help"], times["python -c pass"]
    rows = [{"run": name, "median_s": statistics.median(t), "min_s": min(t), "max_s": max(t),
             "first_s": t[0], "all_s": t} for name, t in times.items()]
    own = statistics.median(h - b for h, b in zip(help_s, bare_s, strict=True))
    print(f"{args.runs} runs each, interleaved; the command: {' '.join(runs['sksymact --help'])}")
    print_table(rows, ["run", "median_s", "min_s", "max_s", "first_s"])
    print(f"  the command's own cost (paired, median): {own:.3f} s")
    met = rows[0]["median_s"] < 0.5
    print(f"  sksymact --help < 0.5 s: {'met' if met else 'NOT met'}")
    path = write_json("startup", {"runs": args.runs, "rows": rows, "own_s": own,
                                  "goal_met": met, "load_average_at_start": load_at_start},
                      args.out)
    print(f"wrote {path}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
