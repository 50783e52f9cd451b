"""The single-workload report: a self-contained HTML page or a Markdown decision record (MADR)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from advisor.engine.explain import Recommendation
from advisor.engine.scoring import BlendTerms
from advisor.outputs.reports.context import SingleReport, single_report
from advisor.outputs.reports.environment import MarkdownSafe, environment
from advisor.outputs.reports.inline import content_security_policy, inline_script, json_block
from advisor.outputs.reports.interactive import DATA_ELEMENT_ID, SCRIPT_FILE, priorities_data
from advisor.profile.fields import WorkloadProfile

# The Markdown record's charts, written beside it as `<stem>.<chart>.svg`.
CHART_FILES = ("radar", "scores", "cost", "break-even")


def render_html(report: SingleReport, priorities: dict[str, Any] | None = None) -> str:
    """The report as one HTML page with inline CSS and SVG and no external requests.

    With `priorities` (interactive.priorities_data) the page also carries the priority sliders: the data
    as an escaped JSON block and one inline script that the Content-Security-Policy allows by its hash.
    Without scripts the page reads the same either way (the sliders stay hidden).
    """
    charts = {key: Markup(svg) for key, svg in report.charts.items()}  # built by charts.py, every text escaped
    script = inline_script(SCRIPT_FILE) if priorities is not None else None
    return environment("html").get_template("single.html.j2").render(
        report=report, charts=charts, generator=report.generator,
        csp=content_security_policy(*([script] if script else [])),
        script=Markup(script) if script else None,  # our own file, checked to hold no '</script'; hashed
        priorities_json=json_block(priorities) if priorities is not None else None,
        priorities_id=DATA_ELEMENT_ID)


def chart_file_names(out: Path) -> dict[str, Path]:
    return {key: out.with_name(f"{out.stem}.{key}.svg") for key in CHART_FILES}


def svg_document(svg: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


def render_markdown(report: SingleReport, chart_names: dict[str, str], date: str) -> str:
    """The report as a Markdown architecture decision record linking to its SVG charts."""
    from urllib.parse import quote

    links = {key: MarkdownSafe(quote(name)) for key, name in chart_names.items()}
    return environment("markdown").get_template("decision.md.j2").render(report=report, charts=links, date=date)


def build_files(recommendation: Recommendation, profile: WorkloadProfile, out: Path,
                starter_files: Sequence[Path] = (), date: str | None = None,
                blend: BlendTerms | None = None) -> dict[Path, str]:
    """Every file of the report at `out` (the page, or the record and its charts) and its text.

    `blend` is the learned calibration the recommendation was scored with, as numbers (advisor.api plugs
    it in); the page's priority sliders need it to reproduce the engine's scores.
    """
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        report = single_report(recommendation, profile, out.parent, starter_files)
        return {out: render_html(report, priorities_data(recommendation, profile, blend))}
    if suffix == ".md":
        report = single_report(recommendation, profile, out.parent, starter_files, id_prefix="")
        files = chart_file_names(out)
        text = render_markdown(report, {key: path.name for key, path in files.items()},
                               date or dt.date.today().isoformat())
        return {out: text, **{path: svg_document(report.charts[key]) for key, path in files.items()}}
    from advisor.errors import UsageError

    raise UsageError(f"{out}: a report file name must end in .html, .htm or .md")
