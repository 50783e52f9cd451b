#!/usr/bin/env python3
"""Check that two checkouts of advisor write byte-identical `assess` outputs (a guard for speed work).

Writes a synthetic portfolio with `bench_assess.generate` (20,000 rows by default), then runs
`python -m advisor assess` from each checkout (put first on PYTHONPATH, so one virtual environment
serves both) in several ways: CSV in one process and in worker processes with small chunks, JSON,
Parquet, the summary JSON, the HTML report and the text printed. Compares every file byte for byte
(only the temporary folder's name is normalised in printed text) and exits 1 on any difference.

    git archive BASE | tar -x -C /tmp/base
    python benchmarks/check_assess_outputs.py --base /tmp/base            # against this checkout
    python benchmarks/check_assess_outputs.py --base /tmp/base --rows 50000
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_assess import generate  # noqa: E402

RUNS: dict[str, list[str]] = {
    "csv-1job": ["--out", "{out}/results.csv", "--summary", "{out}/summary.json", "--jobs", "1"],
    "csv-pool": ["--out", "{out}/results.csv", "--summary", "{out}/summary.json", "--jobs", "2",
                 "--chunk-size", "3000"],
    "csv-raw-region": ["--out", "{out}/results.csv", "--raw", "--region", "eu-west-1", "--pricing", "savings-1y",
                       "--jobs", "2", "--chunk-size", "7000"],
    "json": ["--out", "{out}/results.json", "--jobs", "1"],
    "parquet": ["--out", "{out}/results.parquet", "--jobs", "2", "--chunk-size", "5000"],
    "report": ["--out", "{out}/results.csv", "--report", "{out}/report.html", "--waves", "4", "--jobs", "1"],
}


def run(checkout: Path, portfolio: Path, out: Path, arguments: list[str]) -> int:
    """Run one assess into `out`; returns its exit code."""
    out.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, "-m", "advisor", "assess", str(portfolio), "--force",
               *(a.format(out=out) for a in arguments)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=checkout)
    text = f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    (out / "printed.txt").write_text(text.replace(str(out), "<out>"))
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path, help="checkout to compare against")
    parser.add_argument("--head", type=Path, default=HERE.parent, help="checkout to check (default: this one)")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    differences = 0
    compared = 0
    with tempfile.TemporaryDirectory(prefix="advisor-assess-check-") as folder:
        work = Path(folder)
        portfolio = work / "portfolio.csv"
        generate(portfolio, args.rows)
        for name, arguments in RUNS.items():
            for label, checkout in (("base", args.base), ("head", args.head)):
                code = run(checkout.resolve(), portfolio, work / label / name, arguments)
                if code not in (0, 3):  # 3: some rows invalid, as the generated portfolio has
                    print(f"{name}: {label} exited with {code}; see its printed.txt")
                    differences += 1
            base, head = work / "base" / name, work / "head" / name
            names = sorted({p.name for p in base.iterdir()} | {p.name for p in head.iterdir()})
            for file_name in names:
                compared += 1
                if not (base / file_name).exists() or not (head / file_name).exists():
                    print(f"{name}/{file_name}: only in {'base' if (base / file_name).exists() else 'head'}")
                    differences += 1
                elif not filecmp.cmp(base / file_name, head / file_name, shallow=False):
                    print(f"{name}/{file_name}: differs")
                    differences += 1
    print(f"{differences} of {compared} files differ ({args.rows:,} rows)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
