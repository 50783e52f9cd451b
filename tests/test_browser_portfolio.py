"""The portfolio report in headless Chromium: drawn, complete, and its sort/filter script really runs.

The script keeps its view in the address (`#q=...&runtime=...&review=1&sort=key[:desc]`), so one
Chromium run per address proves sorting and filtering on the rendered DOM (--dump-dom) without
driving the page. The script only runs if the page's CSP hash matches it, so these tests also prove
the hash; a copy whose script was changed shows the CSP blocks any other script and that the
table reads without it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, assert_not_blank, decode_png, run_chromium

from advisor.api import assess_portfolio
from advisor.outputs.reports import write_portfolio_report
from advisor.outputs.reports.portfolio import CHART_IDS, SECTIONS
from advisor.portfolio.assess import REPORT_ROW_CAP, AssessOptions
from advisor.portfolio.consolidation import ConsolidationSettings

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs Debian's chromium package)")


class Dom(HTMLParser):
    """Sections, charts, scripts, the filter controls and the workloads table of a rendered DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: set[str] = set()
        self.svg_ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[dict[str, Any]] = []
        self.count = ""
        self._cell: list[str] | None = None
        self._count: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if values.get("data-section"):
            self.sections.add(str(values["data-section"]))
        if tag == "svg" and values.get("id"):
            self.svg_ids.add(str(values["id"]))
        if tag == "tr" and (values.get("id") or "").startswith("row-"):
            self.rows.append({"id": values["id"], "hidden": "hidden" in values,
                              "runtime": values.get("data-recommendation"), "review": values.get("data-review"),
                              "cells": []})
        if tag == "td" and self.rows:
            self._cell = []
        if tag == "output" and values.get("id") == "workloads-count":
            self._count = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None
        if tag == "output" and self._count is not None:
            self.count = "".join(self._count)
            self._count = None

    def handle_data(self, data: str) -> None:
        for buffer in (self._cell, self._count):
            if buffer is not None:
                buffer.append(data)

    def attrs(self, element_id: str) -> dict[str, str | None]:
        return next(a for _, a in self.tags if a.get("id") == element_id)

    @property
    def visible(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if not r["hidden"]]


def dump(page: Path, tmp_path: Path, fragment: str = "", *extra: str) -> Dom:
    result = run_chromium([*extra, "--dump-dom", page.as_uri() + fragment], tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Dom()
    dom.feed(result.stdout)
    return dom


def number(text: str) -> float | None:
    digits = "".join(c for c in text if c.isdigit() or c in ".-")
    return float(digits) if digits not in ("", "-", ".") else None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser-portfolio")
    source = folder / "portfolio.csv"
    text = (EXAMPLES / "portfolio.csv").read_text("utf-8")
    header = text.splitlines()[0]
    hostile = ['"</script><script>alert(1)</script>"', "\"<img src=x onerror=alert(2)>\""]
    extra = [name + "," + ",".join([""] * header.count(",")) for name in hostile]
    bad = "broken-row," + ",".join(["lots" if c == "memory_mb" else "" for c in header.split(",")[1:]])
    source.write_text(text.rstrip("\n") + "\n" + "\n".join([*extra, bad]) + "\n", encoding="utf-8")
    outcome = assess_portfolio(AssessOptions(source=str(source), out=str(folder / "results.csv"), jobs=1,
                                             report_rows=REPORT_ROW_CAP,
                                             consolidation=ConsolidationSettings.from_knowledge()))
    return write_portfolio_report(outcome.report_frame, outcome.summary, folder / "portfolio.html")


def test_report_renders_with_every_section_chart_and_the_table_script(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    dom = dump(report, tmp_path, "", f"--screenshot={shot}", "--window-size=1280,2400")
    assert shot.exists()
    pixels = decode_png(shot.read_bytes())
    assert pixels.shape[:2] == (2400, 1280)
    assert_not_blank(pixels)

    assert set(SECTIONS) <= dom.sections, dom.sections
    assert set(CHART_IDS) <= dom.svg_ids
    # The script ran (so the CSP hash matched): it marked the table and added its controls.
    assert dom.attrs("workloads-table").get("data-enhanced") == "sortable filterable"
    assert dom.attrs("workloads-filter").get("type") == "search"
    assert {"workloads-runtime", "workloads-review"} <= {a.get("id") for _, a in dom.tags}
    assert dom.count == f"{len(dom.rows)} of {len(dom.rows)} rows shown" and len(dom.rows) == 47
    assert [t for t, _ in dom.tags].count("script") == 1 and "img" not in [t for t, _ in dom.tags]
    names = [r["cells"][1] for r in dom.rows]
    assert "</script><script>alert(1)</script>" in names and "<img src=x onerror=alert(2)>" in names


def test_filtering_and_sorting_run_in_the_browser(report: Path, tmp_path: Path) -> None:
    everything = dump(report, tmp_path)
    by_id = {r["id"]: r for r in everything.rows}

    needs_review = dump(report, tmp_path, "#review=1&sort=confidence")
    shown = needs_review.visible
    assert shown and [r["id"] for r in shown] == sorted(
        (r["id"] for r in everything.rows if r["review"] == "1"),
        key=lambda i: (number(by_id[i]["cells"][5]) is None, number(by_id[i]["cells"][5]) or 0,
                       int(i.removeprefix("row-"))))
    assert any(r["cells"][2] == "invalid" for r in shown)  # invalid rows need a look too, and sort last
    assert needs_review.count == f"{len(shown)} of {len(everything.rows)} rows shown"

    eks = dump(report, tmp_path, "#runtime=eks&sort=cost:desc")
    costs = [number(r["cells"][6]) for r in eks.visible]
    assert {r["runtime"] for r in eks.visible} == {"eks"}
    assert len(eks.visible) == sum(r["runtime"] == "eks" for r in everything.rows)
    known = [c for c in costs if c is not None]
    assert known == sorted(known, reverse=True) and costs[:len(known)] == known  # no estimate goes last

    search = dump(report, tmp_path, "#q=THUMBNAILER")
    assert [r["cells"][1] for r in search.visible] == ["s3-thumbnailer"]


def test_a_tampered_script_is_blocked_and_the_table_still_reads(report: Path, tmp_path: Path) -> None:
    """A script that is not exactly the hashed one does not run (the CSP is enforced), and the page
    without its script is still the complete table: every row shown, no controls."""
    html = report.read_text("utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(html.replace("<script>(function () {", "<script>(function () { // changed", 1), "utf-8")
    assert tampered.read_text("utf-8") != html
    dom = dump(tampered, tmp_path, "#review=1")
    assert len(dom.rows) == 47 and not any(r["hidden"] for r in dom.rows)
    assert "data-enhanced" not in dom.attrs("workloads-table")
    assert "workloads-filter" not in {a.get("id") for _, a in dom.tags}
