"""Given inputs that contradict each other are named (input_warnings), in recommend, assess and the reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from advisor.api import recommend, write_report
from advisor.cli.app import app
from advisor.engine.consistency import PREFIX
from advisor.knowledge.base import knowledge
from advisor.profile.fields import build_profile

IMPOSSIBLE = {"name": "impossible", "workload_type": "http_api", "max_duration_s": "5", "avg_duration_ms": "60000",
              "requests_per_month": "2B", "peak_concurrency": "10"}


def test_an_average_longer_than_the_maximum_and_a_mean_above_the_peak_are_named() -> None:
    rec = recommend(build_profile(IMPOSSIBLE))
    warnings = rec.extra["input_warnings"]
    assert len(warnings) == 2 and all(w.startswith(PREFIX) for w in warnings)
    assert "avg_duration_ms (60 s)" in warnings[0] and "max_duration_s (5 s)" in warnings[0]
    # 2e9 requests x 60 s / (730 h x 3,600 s) = 45,662 in flight on average, against a peak of 10.
    assert "45,662 in flight" in warnings[1] and "peak_concurrency (10)" in warnings[1]
    assert rec.to_dict()["input_warnings"] == warnings
    assert rec.recommendation is not None  # still scored as given


def test_consistent_or_assumed_inputs_give_no_warning() -> None:
    fine = dict(IMPOSSIBLE, max_duration_s="120", peak_concurrency="60000")
    assert "input_warnings" not in recommend(build_profile(fine)).to_dict()
    # Only given fields are compared: the assumed max_duration_s default does not contradict a given average.
    only_average = {"name": "a", "avg_duration_ms": "20min"}
    profile = build_profile(only_average)
    assert "max_duration_s" in profile.assumed_defaults and profile.avg_duration_ms / 1000 > profile.max_duration_s
    assert "input_warnings" not in recommend(profile).to_dict()


def test_the_tolerance_is_the_assumption_in_the_knowledge_base() -> None:
    tolerance = knowledge().number("assume.in_flight_over_peak_tolerance")
    seconds = knowledge().number("assume.hours_per_month") * 3600
    peak = 100
    for share, warned in ((tolerance * 0.95, False), (tolerance * 1.2, True)):
        in_flight = (peak * share) + 1
        requests = in_flight * seconds / 1.0  # 1 s each
        profile = build_profile({"name": "t", "avg_duration_ms": "1000", "max_duration_s": "2",
                                 "requests_per_month": str(round(requests)), "peak_concurrency": str(peak)})
        assert ("input_warnings" in recommend(profile).to_dict()) is warned, share


def test_assess_warns_the_same_rows_and_lists_them_for_review(tmp_path: Path) -> None:
    rows = [IMPOSSIBLE, dict(IMPOSSIBLE, name="fine", max_duration_s="120", peak_concurrency="60000"),
            dict(IMPOSSIBLE, name="broken", vcpu="lots")]
    source = tmp_path / "portfolio.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*IMPOSSIBLE, "vcpu"])
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(app, ["assess", str(source), "--out", str(tmp_path / "out.csv"),
                                      "--summary", str(tmp_path / "summary.json")])
    assert result.exit_code == 3, result.output  # the broken row is invalid
    out = list(csv.DictReader((tmp_path / "out.csv").open(newline="")))
    expected = "; ".join(recommend(build_profile(IMPOSSIBLE)).extra["input_warnings"])
    assert out[0]["warning"] == expected
    assert out[1]["warning"] == "" and out[2]["status"] == "invalid" and not out[2]["warning"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    reasons = {entry["name"]: entry["reason"] for entry in summary["needs_review"]}
    assert reasons["impossible"].startswith(PREFIX) and "fine" not in reasons
    assert "inputs that disagree" in result.output


def test_table_and_reports_show_the_warnings(tmp_path: Path) -> None:
    profile_file = tmp_path / "impossible.yaml"
    profile_file.write_text("".join(f"{k}: {v!r}\n" for k, v in IMPOSSIBLE.items()))
    table = CliRunner().invoke(app, ["recommend", str(profile_file), "--format", "table"], env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    assert "Inputs that disagree" in table.output and "45,662 in flight" in table.output
    profile = build_profile(IMPOSSIBLE)
    rec = recommend(profile)
    write_report(rec, profile, tmp_path / "r.html")
    write_report(rec, profile, tmp_path / "r.md")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'data-field="input-warnings"' in html and "45,662 in flight" in html
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "Inputs that disagree" in markdown and "45,662 in flight" in markdown
