"""The portfolio report: content against the summary, the bounded table, its script and CSP, hostile input."""

from __future__ import annotations

import base64
import copy
import csv
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from markupsafe import escape

from advisor import RUNTIME_LABELS, RUNTIMES
from advisor.api import assess_portfolio
from advisor.cli.app import app
from advisor.errors import OutputExistsError, UsageError
from advisor.outputs.reports import write_portfolio_report
from advisor.outputs.reports.portfolio import (
    CHART_IDS,
    SECTIONS,
    TABLE_FIRST_ROWS,
    TABLE_REVIEW_ROWS,
    portfolio_report,
    portfolio_script,
    review_mask,
)
from advisor.portfolio.assess import REPORT_ROW_CAP, AssessOptions, AssessOutcome
from advisor.portfolio.consolidation import ConsolidationSettings

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
HOSTILE_NAMES = (
    "<script>alert(1)</script>",
    "x</script><script>alert(2)</script>",
    "\"quoted\" 'single' & <ampersand>",
    "javascript:alert(3)",
    "{{ 7*7 }}",
    "<a href=\"javascript:alert(4)\">click</a>",
    "<img src=x onerror=alert(5)>",
)
HOSTILE_TEXT = "<script>alert(9)</script> <img src=x onerror=alert(9)> {{ 7*7 }} javascript:alert(9) \"'"


class Page(HTMLParser):
    """Elements, script texts, the workloads table and all text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self._script: list[str] | None = None
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "script":
            self._script = []
        if tag == "table" and values.get("id") == "workloads-table":
            self._in_table = True
        if self._in_table and tag == "tr" and (values.get("id") or "").startswith("row-"):
            self.rows.append({"attrs": values, "cells": []})
        if self._in_table and tag == "td" and self.rows:
            self._cell = []

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None
        if tag == "table":
            self._in_table = False
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def ids(self) -> set[str]:
        return {str(a["id"]) for _, a in self.tags if a.get("id")}

    def sections(self) -> set[str]:
        return {str(a["data-section"]) for _, a in self.tags if a.get("data-section")}

    def csp(self) -> str:
        return next(str(a["content"]) for t, a in self.tags
                    if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy")


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_nothing_live(page: Page) -> None:
    """The only script is ours, no event-handler attribute, no javascript:/data: link, no embedding element."""
    assert page.scripts == [portfolio_script()], "a script element other than the report's own"
    assert [t for t, _ in page.tags].count("script") == 1
    for tag, attrs in page.tags:
        assert tag not in ("iframe", "object", "embed", "frame", "base", "img", "form"), tag
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name, value)
            if name.lower() in ("href", "src", "xlink:href", "action", "formaction"):
                link = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                assert link.startswith("#row-"), (tag, name, value)  # only links within the page


def assess(source: Path, folder: Path, **options: Any) -> AssessOutcome:
    """`advisor assess` in-process, keeping the results frame the CLI hands to the report."""
    return assess_portfolio(AssessOptions(
        source=str(source), out=str(folder / "results.csv"), jobs=1, report_rows=REPORT_ROW_CAP,
        consolidation=ConsolidationSettings.from_knowledge(), **options))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[AssessOutcome, Path, str]:
    folder = tmp_path_factory.mktemp("portfolio")
    outcome = assess(EXAMPLES / "portfolio.csv", folder)
    out = write_portfolio_report(outcome.report_frame, outcome.summary, folder / "portfolio.html")
    return outcome, folder, out.read_text("utf-8")


# ------------------------------------------------------------------------------------------ content
def test_every_section_and_chart_is_there_and_self_contained(example) -> None:
    _, _, html = example
    page = parse(html)
    assert set(SECTIONS) <= page.sections()
    assert set(CHART_IDS) <= {a.get("id") for t, a in page.tags if t == "svg"}
    assert_nothing_live(page)
    # No request leaves the page: no src/href to anywhere, no CSS url() or @import.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", html, re.I)
    assert "url(" not in html and "@import" not in html
    csp = page.csp()
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]


def test_the_csp_allows_exactly_the_inline_script_by_its_hash(example) -> None:
    _, _, html = example
    page = parse(html)
    (script,) = page.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    directives = dict(part.strip().split(" ", 1) for part in page.csp().split(";") if part.strip())
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert directives["connect-src" if "connect-src" in directives else "default-src"] == "'none'"


def test_the_script_builds_no_markup_from_strings() -> None:
    source = portfolio_script()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
                 "setTimeout(\"", "fetch(", "XMLHttpRequest", "location.href ="):
        assert sink not in source, sink
    assert "textContent" in source and "createElement" in source


def test_figures_match_the_summary(example) -> None:
    outcome, _, html = example
    summary = outcome.summary
    report = portfolio_report(outcome.report_frame, summary)
    assert {line.id: line.count for line in report.runtimes} == {
        rt: entry["count"] for rt, entry in summary["by_runtime"].items()}
    for rt in RUNTIMES:
        row = re.search(rf'<tr data-runtime="{rt}"><td>{re.escape(RUNTIME_LABELS[rt])}</td>'
                        rf'<td class="num">([\d,]+)</td>', html)
        assert row and int(row.group(1).replace(",", "")) == summary["by_runtime"][rt]["count"], rt
    assert [int(k) for k in re.findall(r'<tr data-platforms="(\d)">', html)] == [
        entry["k"] for entry in summary["consolidation"]] == [1, 2, 3, 4]
    assert len(re.findall(r'data-wave="\d+"', html)) == summary["waves"]["k"] == len(summary["waves"]["waves"])
    for wave in summary["waves"]["waves"]:
        assert f"Wave {wave['wave']}: {wave['size']:,} workload" in html
        for trait in wave["traits"]:
            assert f"<li>{escape(trait)}</li>" in html
    assert [int(c) for c in re.findall(r'data-count="(\d+)"', html)] == summary["confidence_histogram"]["counts"]
    for runtime, by_constraint in summary["blockers"].items():
        for constraint, count in by_constraint.items():
            if count:
                row = re.search(rf'<tr data-constraint="{constraint}">(.*?)</tr>', html)
                assert row, constraint
                cells = re.findall(r'<td class="num[^"]*">([\d,]+)</td>', row.group(1))
                assert int(cells[RUNTIMES.index(runtime)]) == count, (runtime, constraint)
    listed = [int(r) for r in re.findall(r'<tr data-review-row="(\d+)"', html)]
    assert listed == [item["row"] for item in summary["needs_review"]] and listed


def test_a_small_portfolio_shows_every_workload_in_input_order(example) -> None:
    _, folder, html = example
    page = parse(html)
    source = pd.read_csv(EXAMPLES / "portfolio.csv", dtype=str, keep_default_na=False)
    assert [r["attrs"]["id"] for r in page.rows] == [f"row-{i}" for i in range(1, len(source) + 1)]
    assert [r["cells"][1] for r in page.rows] == source["name"].tolist()
    results = pd.read_csv(folder / "results.csv", dtype=str, keep_default_na=False)
    for row, expected in zip(page.rows, results.itertuples(), strict=True):
        assert row["attrs"]["data-recommendation"] == expected.recommendation
        assert row["cells"][5] == f"{float(expected.confidence):.2f}"
        assert (row["attrs"]["data-review"] == "1") == (float(expected.confidence) < 0.6)
    assert 'data-table-note="bounded"' not in html


def test_the_report_reads_the_same_from_the_results_csv(example, tmp_path: Path) -> None:
    """A results file read back with pandas gives the same page as the frame assess hands over."""
    outcome, folder, html = example
    results = pd.read_csv(folder / "results.csv")
    summary = json.loads(json.dumps(outcome.summary))
    out = write_portfolio_report(results, summary, tmp_path / "again.html")
    assert out.read_text("utf-8") == html


def test_a_big_portfolio_gets_a_bounded_table_and_stays_small(example, tmp_path: Path) -> None:
    """100,000 workloads: the first rows in order, then only rows needing review, and a note; under 20 MB."""
    outcome, _, _ = example
    frame = outcome.report_frame
    assert frame is not None
    copies = -(-100_000 // len(frame))
    big = pd.concat([frame] * copies, ignore_index=True).head(100_000)
    big["row"] = range(1, len(big) + 1)
    summary = copy.deepcopy(outcome.summary)
    summary.update(rows=len(big), valid=len(big))
    out = write_portfolio_report(big, summary, tmp_path / "big.html")
    html = out.read_text("utf-8")
    assert out.stat().st_size < 20 * 1024 * 1024
    page = parse(html)
    shown = [int(r["attrs"]["id"].removeprefix("row-")) for r in page.rows]
    review = review_mask(big)
    later = [i + 1 for i in range(TABLE_FIRST_ROWS, len(big)) if review[i]][:TABLE_REVIEW_ROWS]
    assert shown == list(range(1, TABLE_FIRST_ROWS + 1)) + later
    assert all(r["attrs"]["data-review"] == "1" for r in page.rows[TABLE_FIRST_ROWS:])
    note = re.search(r'<p class="table-note" data-table-note="bounded">(.*?)</p>', html, re.S)
    assert note and f"Showing {len(shown):,} of 100,000 workloads" in note.group(1) and "CSV" in note.group(1)


def test_invalid_rows_are_listed_with_their_error(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("name,memory_mb,max_duration_s\nok-one,512MB,30s\nbroken,lots,30s\n", encoding="utf-8")
    outcome = assess(source, tmp_path)
    html = write_portfolio_report(outcome.report_frame, outcome.summary, tmp_path / "r.html").read_text("utf-8")
    page = parse(html)
    broken = next(r for r in page.rows if r["cells"][1] == "broken")
    assert broken["cells"][2] == "invalid" and "memory_mb='lots'" in broken["cells"][-1]
    assert 'class="invalid review"' in html
    review = re.search(r'<tr data-review-row="2" class="invalid">(.*?)</tr>', html)
    assert review and "invalid: memory_mb=&#39;lots&#39;" in review.group(1)


def test_a_mapped_name_column_is_found(tmp_path: Path) -> None:
    outcome = assess(EXAMPLES / "cmdb-export.csv", tmp_path, mapping=str(EXAMPLES / "mapping.yaml"))
    frame = outcome.report_frame
    assert frame is not None and "name" not in frame.columns
    page = parse(write_portfolio_report(frame, outcome.summary, tmp_path / "r.html").read_text("utf-8"))
    assert [r["cells"][1] for r in page.rows] == frame["App Name"].tolist()
    with pytest.raises(UsageError, match="no column 'Owner'"):
        write_portfolio_report(frame, outcome.summary, tmp_path / "x.html", name_column="Owner")


# ------------------------------------------------------------------------------------------ hostile input
@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "description", "memory_mb", "max_duration_s"])
        for name in HOSTILE_NAMES:
            writer.writerow([name, HOSTILE_TEXT, "1GiB", "20min"])
        writer.writerow(["<b>broken</b>", HOSTILE_TEXT, "<b onmouseover=alert(7)>lots</b>", "30s"])
        writer.writerow([HOSTILE_NAMES[0], "a repeated name", "1GiB", "30s"])
    outcome = assess(source, folder)
    summary = copy.deepcopy(outcome.summary)
    # Every text field of the summary, hostile too (a summary file is user data once it is on disk).
    summary["waves"]["criterion"] = HOSTILE_TEXT
    for wave in summary["waves"]["waves"]:
        wave["traits"].append(HOSTILE_TEXT)
        wave["workloads"].append(HOSTILE_NAMES[1])
    summary["waves"]["waves"][0]["dominant_runtime"] = "\"><script>alert(8)</script>"
    summary["needs_review"].append({"row": 999, "name": HOSTILE_NAMES[1], "reason": HOSTILE_TEXT})
    summary["consolidation"][0]["unserved"] = [HOSTILE_NAMES[0]]
    summary["consolidation"][0]["unserved_count"] = 1
    summary["blockers"]["lambda"]["<svg onload=alert(6)>"] = 2
    report = portfolio_report(outcome.report_frame, summary)
    html = write_portfolio_report(outcome.report_frame, summary, folder / "hostile.html").read_text("utf-8")
    return html, report


def test_hostile_text_is_never_live_in_the_portfolio_report(hostile) -> None:
    html, _ = hostile
    page = parse(html)
    assert_nothing_live(page)
    assert set(SECTIONS) <= page.sections()  # the document structure survived
    names = [r["cells"][1] for r in page.rows]
    for name in HOSTILE_NAMES:
        assert name in names, name  # shown to the reader as text, intact
    assert "{{ 7*7 }}" in names and "49" not in names  # template syntax is never evaluated
    assert "<script>alert" not in html and "<img" not in html and "<b" not in html.replace("<body", "")
    broken = next(r for r in page.rows if r["cells"][1] == "<b>broken</b>")
    assert "<b onmouseover=alert(7)>lots</b>" in broken["cells"][-1]  # the error quotes the value, as text
    text = " ".join(page.text)
    assert HOSTILE_TEXT.strip() in text


def test_hostile_text_is_escaped_in_every_chart(hostile) -> None:
    _, report = hostile
    for chart_id, svg in report.charts.items():
        root = ET.fromstring(svg)
        for element in root.iter():
            assert not element.tag.endswith(("script", "foreignObject")), chart_id
            assert not [k for k in element.attrib if k.lower().startswith("on")], chart_id
    blockers = ET.fromstring(report.charts["chart-blockers"])
    texts = [e.text for e in blockers.iter() if e.tag.endswith("text")]
    assert "<svg onload=alert(6)>" in texts  # drawn as a label, not as an element


# ------------------------------------------------------------------------------------------ writing files
def test_existing_report_is_not_overwritten_without_force(example, tmp_path: Path) -> None:
    outcome, _, _ = example
    out = tmp_path / "r.html"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="the report file exists"):
        write_portfolio_report(outcome.report_frame, outcome.summary, out)
    assert out.read_text("utf-8") == "keep me"
    assert write_portfolio_report(outcome.report_frame, outcome.summary, out, force=True) == out
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left behind


@pytest.mark.parametrize(("name", "message"), [("r.pdf", "must end in .html"), ("missing/r.html", "does not exist")])
def test_bad_output_paths_are_usage_errors(example, tmp_path: Path, name: str, message: str) -> None:
    outcome, _, _ = example
    with pytest.raises(UsageError, match=message):
        write_portfolio_report(outcome.report_frame, outcome.summary, tmp_path / name)


def test_a_summary_or_results_that_are_not_assess_output_are_usage_errors(example, tmp_path: Path) -> None:
    outcome, _, _ = example
    out = tmp_path / "r.html"
    broken = {k: v for k, v in outcome.summary.items() if k != "waves"}
    with pytest.raises(UsageError, match="missing waves"):
        write_portfolio_report(outcome.report_frame, broken, out)
    with pytest.raises(UsageError, match="schema_version 2"):
        write_portfolio_report(outcome.report_frame, {**outcome.summary, "schema_version": 2}, out)
    with pytest.raises(UsageError, match=r"missing column.*confidence"):
        write_portfolio_report(outcome.report_frame.drop(columns=["confidence"]), outcome.summary, out)
    assert not out.exists()


# ------------------------------------------------------------------------------------------ the command
def test_assess_writes_the_portfolio_report(runner, isolated: Path) -> None:
    args = ["assess", str(EXAMPLES / "portfolio.csv"), "--out", "results.csv", "--report", "portfolio.html"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "wrote the portfolio report portfolio.html" in result.stderr
    page = parse(Path("portfolio.html").read_text("utf-8"))
    assert set(SECTIONS) <= page.sections() and len(page.rows) == 44
    before = Path("portfolio.html").read_bytes()
    again = runner.invoke(app, [*args[:3], "again.csv", *args[4:]])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert Path("portfolio.html").read_bytes() == before


def test_assess_with_invalid_rows_still_writes_the_report(runner, isolated: Path) -> None:
    Path("p.csv").write_text("name,vcpu\ngood,1\nbad,-3\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "p.csv", "--out", "r.csv", "--report", "r.html"])
    assert result.exit_code == 3, result.output
    page = parse(Path("r.html").read_text("utf-8"))
    assert [r["cells"][2] for r in page.rows] == ["ok", "invalid"]
    assert "vcpu='-3'" in page.rows[1]["cells"][-1]
