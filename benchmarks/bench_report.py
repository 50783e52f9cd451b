#!/usr/bin/env python3
"""Benchmark the portfolio report on a big portfolio, generated and assessed through the real engine.

It writes a synthetic portfolio CSV (bench_assess.generate: varied workloads, human units, about 1 in
500 rows invalid), assesses it in-process with `advisor.portfolio.assess.assess_portfolio` exactly as
`advisor assess --report` does (the results frame of the first REPORT_ROW_CAP rows and the summary),
then times `write_portfolio_report` alone and prints the render time, the page size and how many
table rows it holds. With --cli it also times the whole command,
`advisor assess portfolio.csv --out results.csv --report portfolio.html`, in a child process.

    python benchmarks/bench_report.py                    # 100,000 workloads
    python benchmarks/bench_report.py --rows 1000000 --cli
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_assess import generate  # the sibling benchmark's portfolio generator

TARGET_SECONDS = 30.0
TARGET_BYTES = 20 * 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="workloads in the portfolio (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="renders to time (default 3)")
    parser.add_argument("--jobs", type=int, default=0, help="assess worker processes (default: automatic)")
    parser.add_argument("--cli", action="store_true", help="also time `advisor assess ... --report` end to end")
    args = parser.parse_args()

    from advisor.outputs.reports import write_portfolio_report
    from advisor.outputs.reports.portfolio import TABLE_FIRST_ROWS, TABLE_REVIEW_ROWS
    from advisor.portfolio.assess import REPORT_ROW_CAP, AssessOptions, assess_portfolio
    from advisor.portfolio.consolidation import ConsolidationSettings

    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        work = Path(folder)
        source = work / "portfolio.csv"
        started = time.perf_counter()
        generate(source, args.rows)
        generated = time.perf_counter() - started

        started = time.perf_counter()
        outcome = assess_portfolio(AssessOptions(
            source=str(source), out=str(work / "results.csv"), jobs=args.jobs, report_rows=REPORT_ROW_CAP,
            consolidation=ConsolidationSettings.from_knowledge()))
        assessed = time.perf_counter() - started

        out = work / "portfolio.html"
        times = []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            write_portfolio_report(outcome.report_frame, outcome.summary, out, force=True)
            times.append(time.perf_counter() - started)
        size = out.stat().st_size
        html = out.read_text("utf-8")
        table_rows = html.count('<tr id="row-')

        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"portfolio: {args.rows:,} workloads ({outcome.invalid:,} invalid, "
              f"{outcome.summary['needs_review_total']:,} need review); generated in {generated:.1f} s")
        frame_rows = 0 if outcome.report_frame is None else len(outcome.report_frame)
        print(f"assess (in-process, results frame of {frame_rows:,} rows + summary): {assessed:.1f} s")
        print(f"render write_portfolio_report: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
              f"over {len(times)} run(s) (target < {TARGET_SECONDS:.0f} s)")
        print(f"report size: {size:,} bytes = {size / 1024 / 1024:.2f} MB "
              f"(target < {TARGET_BYTES / 1024 / 1024:.0f} MB)")
        print(f"table rows: {table_rows:,} (first {TABLE_FIRST_ROWS:,} + at most {TABLE_REVIEW_ROWS:,} needing review)")

        if args.cli:
            command = [sys.executable, "-m", "advisor", "assess", str(source), "--out", str(work / "cli.csv"),
                       "--report", str(work / "cli.html")]
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - started
            if result.returncode not in (0, 3):
                raise SystemExit(f"{' '.join(command)} failed with exit {result.returncode}:\n{result.stderr}")
            print(f"advisor assess --out results.csv --report portfolio.html: {seconds:.1f} s wall, "
                  f"report {(work / 'cli.html').stat().st_size:,} bytes")
        if min(times) >= TARGET_SECONDS or size >= TARGET_BYTES:
            raise SystemExit("over target")


if __name__ == "__main__":
    main()
