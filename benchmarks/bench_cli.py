#!/usr/bin/env python3
"""Time whole `advisor` commands as a user runs them (process start-up included) and check what
`advisor --help` imports.

    python benchmarks/bench_cli.py                       # this checkout's advisor
    python benchmarks/bench_cli.py --python OTHER/bin/python --repo OTHER_CHECKOUT --runs 9

Prints the median, minimum and maximum wall time of several runs of `advisor --help` and
`advisor recommend examples/orders-api.yaml --format json`, and whether `advisor --help` imported
pandas, numpy or scikit-learn (it should not: they are imported inside commands).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "sklearn")


def timed(command: list[str], runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def heavy_imports(python: str, cwd: Path) -> list[str]:
    run = subprocess.run([python, "-X", "importtime", "-m", "advisor", "--help"], cwd=cwd, capture_output=True,
                         text=True, check=True)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in run.stderr.splitlines() if "|" in line}
    return sorted(names & set(HEAVY))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="interpreter whose advisor is timed")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="checkout whose advisor that interpreter runs (`python -m` imports from it)")
    args = parser.parse_args()
    commands = {"advisor --help": [args.python, "-m", "advisor", "--help"],
                "advisor recommend orders-api": [args.python, "-m", "advisor", "recommend",
                                                 "examples/orders-api.yaml", "--format", "json"]}
    timed(commands["advisor recommend orders-api"], 1, args.repo)  # warm the file cache
    for label, command in commands.items():
        times = timed(command, args.runs, args.repo)
        print(f"{label:32s} median {statistics.median(times):.3f} s  min {min(times):.3f}  max {max(times):.3f}"
              f"  ({args.runs} runs)")
    heavy = heavy_imports(args.python, args.repo)
    print(f"advisor --help imports: {', '.join(heavy) if heavy else 'no pandas, numpy or scikit-learn'}")
    return 1 if heavy else 0


if __name__ == "__main__":
    sys.exit(main())
