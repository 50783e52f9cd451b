"""The shared placement cases through `advisor assess`: every limit holds, first places are accepted, and
assess agrees with recommend case by case (they are one engine)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

from advisor import RUNTIMES
from advisor.api import assess_portfolio, recommend
from advisor.portfolio.assess import AssessOptions
from advisor.portfolio.consolidation import ConsolidationSettings
from advisor.profile.fields import build_profile, cell_text


def test_score_cases_passes_through_assess(shared_dir: Path, tmp_path: Path) -> None:
    script = shared_dir / "eval" / "score_cases.py"
    run = subprocess.run([sys.executable, str(script), "--advisor", f"{sys.executable} -m advisor"],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.stdout.strip().splitlines()[-1]
    checks = summary.split("feasibility checks ")[1].split(",")[0]
    passed, total = (int(n) for n in checks.split("/"))
    assert passed == total


def test_assess_agrees_with_recommend_on_every_case(shared_dir: Path, tmp_path: Path) -> None:
    cases = yaml.safe_load((shared_dir / "eval" / "public_cases.yaml").read_text())
    columns: list[str] = ["name"]
    for case in cases:
        columns += [key for key in case["profile"] if key not in columns]
    source = tmp_path / "cases.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for case in cases:
            writer.writerow({k: cell_text(case["profile"].get(k)) for k in columns})
    # Each row pays its own NAT gateways, as recommend prices a workload alone; with the portfolio's shared
    # VPC (the default) first places still agree, runners-up may not (a cheaper container network).
    out, shared = tmp_path / "results.csv", tmp_path / "shared.csv"
    alone = ConsolidationSettings.from_knowledge(share=False)
    outcome = assess_portfolio(AssessOptions(source=str(source), out=str(out), jobs=1, consolidation=alone))
    assert outcome.invalid == 0
    assess_portfolio(AssessOptions(source=str(source), out=str(shared), jobs=1))
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with shared.open(newline="") as handle:
        shared_rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == [c["profile"]["name"] for c in cases]
    for case, row, shared_row in zip(cases, rows, shared_rows, strict=True):
        expected = recommend(build_profile(case["profile"]))
        assert row["recommendation"] == (expected.recommendation or ""), case["profile"]["name"]
        assert shared_row["recommendation"] == row["recommendation"], case["profile"]["name"]
        assert row["runner_up"] == (expected.runner_up or "")
        for entry in expected.ranking:
            assert row[f"feasible_{entry.runtime}"] == str(entry.feasible).lower()
            assert row[f"blockers_{entry.runtime}"] == ";".join(b.constraint for b in entry.blockers)
        assert set(RUNTIMES) == {entry.runtime for entry in expected.ranking}


