"""The portfolio report: one self-contained HTML page for a whole `advisor assess` run.

It shows the portfolio summary (runtime counts and cost, consolidation onto 1 to 4 platforms,
migration waves, how often each constraint blocks each runtime, the confidence histogram, the
workloads that need a human look) and a table of workloads. Charts come from the aggregated summary,
so they cost the same for 40 workloads or a million; the table shows a bounded number of rows (the
first TABLE_FIRST_ROWS in input order and up to TABLE_REVIEW_ROWS more that need review) and says
that the full results are in the results file.

The table is plain HTML and reads without scripts. One small inline script (templates/reports/
portfolio.js) adds sorting and filtering; the page's Content-Security-Policy allows exactly that script
by its SHA-256 hash, and nothing else (no 'unsafe-inline' for scripts, no external requests).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from advisor import RUNTIME_LABELS, RUNTIMES, __version__
from advisor.errors import UsageError
from advisor.outputs.reports import charts
from advisor.outputs.reports.inline import content_security_policy, inline_script, template_text
from advisor.portfolio.mapping import RESULT_COLUMNS
from advisor.profile.units import format_usd

if TYPE_CHECKING:
    import pandas as pd
from advisor.outputs.reports.portfolio_charts import blocker_chart, histogram_chart

TABLE_FIRST_ROWS = 2_000
"""Rows of the workloads table taken in input order."""
TABLE_REVIEW_ROWS = 2_000
"""At most this many more rows that need review (after the first TABLE_FIRST_ROWS)."""
WAVE_NAMES_SHOWN = 30
UNSERVED_SHOWN = 20
BLOCKER_CHART_CONSTRAINTS = 12
SCRIPT_FILE = "portfolio.js"
STYLE_FILE = "portfolio.css"
NONE_LABEL = "no feasible runtime"
SUMMARY_KEYS = ("rows", "valid", "invalid", "by_runtime", "total_monthly_cost_usd", "needs_review",
                "needs_review_total", "blockers", "consolidation", "waves", "confidence_histogram")
RESULT_KEYS = ("row", "status", "recommendation", "confidence")
TABLE_RESULT_COLUMNS = frozenset(c for c in RESULT_COLUMNS if not c.startswith("score_"))
"""The result columns the workload table shows (all of the results file's but the per-runtime scores)."""
CHART_IDS = ("chart-runtimes", "chart-runtime-cost", "chart-blockers", "chart-confidence")
SECTIONS = ("overview", "runtimes", "consolidation", "waves", "blockers", "confidence", "needs-review",
            "workloads", "knowledge")


# --------------------------------------------------------------------------------------------- the script
def portfolio_script() -> str:
    """The inline script, exactly as it is written into the page (and hashed for the CSP)."""
    return inline_script(SCRIPT_FILE)


# --------------------------------------------------------------------------------------------- what it shows
@dataclass(frozen=True)
class RuntimeLine:
    id: str
    label: str
    count: int
    share: float
    monthly_cost_usd: float
    mean_cost_usd: float | None


@dataclass(frozen=True)
class PlatformSet:
    """One line of the consolidation table: the best set of k runtimes to standardise on."""

    k: int
    runtimes: tuple[str, ...]
    labels: tuple[str, ...]
    fit_loss: float
    monthly_cost_usd: float
    cost_change_usd: float
    unserved_count: int
    unserved: tuple[str, ...]
    unserved_more: int


@dataclass(frozen=True)
class Wave:
    number: int
    size: int
    dominant_runtime: str
    dominant_label: str
    mean_confidence: float | None
    traits: tuple[str, ...]
    workloads: tuple[str, ...]
    workloads_more: int


@dataclass(frozen=True)
class BlockerLine:
    """How many workloads one constraint blocks on each runtime."""

    constraint: str
    counts: dict[str, int]

    @property
    def most(self) -> int:
        return max(self.counts.values(), default=0)


@dataclass(frozen=True)
class ReviewItem:
    row: int | None
    name: str
    reason: str
    in_table: bool


@dataclass(frozen=True)
class WorkloadRow:
    """One row of the workloads table."""

    row: int
    name: str
    status: str
    recommendation: str
    recommendation_label: str
    runner_up_label: str
    confidence: float | None
    monthly_cost_usd: float | None
    feasible: int | None
    blocked: str
    """The runtimes something blocks, with how many constraints: 'lambda (3), ecs_fargate (1)'."""
    blockers: str
    """Every blocking constraint per runtime: 'lambda: max_duration_s, gpu; ecs_fargate: gpu'."""
    note: str
    review: bool


@dataclass(frozen=True)
class PortfolioReport:
    """Everything the portfolio page shows, in the order it shows it."""

    rows: int
    valid: int
    invalid: int
    total_monthly_cost_usd: float
    needs_review_total: int
    runtimes: tuple[RuntimeLine, ...]
    consolidation: tuple[PlatformSet, ...]
    waves_k: int
    waves_criterion: str
    waves: tuple[Wave, ...]
    blockers: tuple[BlockerLine, ...]
    histogram_bins: tuple[float, ...]
    histogram_counts: tuple[int, ...]
    low_confidence: float
    review: tuple[ReviewItem, ...]
    table: tuple[WorkloadRow, ...]
    table_first: int
    table_review: int
    knowledge_as_of: tuple[tuple[str, str], ...]
    charts: dict[str, str] = field(default_factory=dict)
    priced: str = "on-demand"  # how compute was bought and in which Regions (summary pricing, regions)
    generator: str = f"advisor {__version__}"

    @property
    def no_runtime(self) -> int:
        return next((r.count for r in self.runtimes if r.id == "none"), 0)

    @property
    def table_complete(self) -> bool:
        return len(self.table) == self.rows


# --------------------------------------------------------------------------------------------- input checks
def _check_summary(summary: Any) -> Mapping[str, Any]:
    if not isinstance(summary, Mapping):
        raise UsageError("portfolio summary: expected the JSON summary object a portfolio assessment writes")
    version = summary.get("schema_version")
    if version != 1:
        raise UsageError(f"portfolio summary: schema_version {version!r} is not supported (expected 1)")
    missing = [key for key in SUMMARY_KEYS if key not in summary]
    if missing:
        raise UsageError(f"portfolio summary: missing {', '.join(missing)} (a portfolio assessment's summary has them)")
    return summary


def _number(value: Any, default: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _optional_number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    """A cell as text: '' for missing values (None, NaN, pandas NA)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def _runner_up_label(runtime: str) -> str:
    return RUNTIME_LABELS.get(runtime, runtime) if runtime and runtime != "none" else "none"


def runtime_label(runtime: str) -> str:
    if not runtime or runtime == "none":
        return NONE_LABEL
    return RUNTIME_LABELS.get(runtime, runtime)


# --------------------------------------------------------------------------------------------- summary parts
def _runtimes(summary: Mapping[str, Any]) -> tuple[RuntimeLine, ...]:
    by_runtime = summary["by_runtime"] or {}
    valid = int(_number(summary["valid"]))
    lines = []
    for runtime in (*RUNTIMES, "none"):
        entry = by_runtime.get(runtime) or {}
        count = int(_number(entry.get("count")))
        cost = _number(entry.get("monthly_cost_usd"))
        lines.append(RuntimeLine(runtime, runtime_label(runtime), count, count / valid if valid else 0.0, cost,
                                 cost / count if count and runtime != "none" else None))
    return tuple(lines)


def _consolidation(summary: Mapping[str, Any]) -> tuple[PlatformSet, ...]:
    out = []
    for entry in summary["consolidation"] or ():
        runtimes = tuple(str(r) for r in entry.get("runtimes") or ())
        unserved = [str(n) for n in entry.get("unserved") or ()]
        count = int(_number(entry.get("unserved_count"), len(unserved)))
        shown = tuple(unserved[:UNSERVED_SHOWN])
        out.append(PlatformSet(int(_number(entry.get("k"), len(runtimes))), runtimes,
                               tuple(runtime_label(r) for r in runtimes), _number(entry.get("fit_loss")),
                               _number(entry.get("monthly_cost_usd")), _number(entry.get("cost_change_usd")),
                               count, shown, max(0, count - len(shown))))
    return tuple(out)


def _waves(summary: Mapping[str, Any]) -> tuple[int, str, tuple[Wave, ...]]:
    plan = summary["waves"] or {}
    waves: list[Wave] = []
    for entry in plan.get("waves") or ():
        names = [str(n) for n in entry.get("workloads") or ()]
        size = int(_number(entry.get("size"), len(names)))
        shown = tuple(names[:WAVE_NAMES_SHOWN])
        dominant = str(entry.get("dominant_runtime") or "none")
        waves.append(Wave(int(_number(entry.get("wave"), len(waves) + 1)), size, dominant, runtime_label(dominant),
                          _optional_number(entry.get("mean_confidence")),
                          tuple(str(t) for t in entry.get("traits") or ()), shown, max(0, size - len(shown))))
    return int(_number(plan.get("k"), len(waves))), str(plan.get("criterion") or ""), tuple(waves)


def _blockers(summary: Mapping[str, Any]) -> tuple[BlockerLine, ...]:
    table: dict[str, dict[str, int]] = {}
    for runtime, by_constraint in (summary["blockers"] or {}).items():
        if runtime not in RUNTIMES or not isinstance(by_constraint, Mapping):
            continue
        for constraint, count in by_constraint.items():
            table.setdefault(str(constraint), {rt: 0 for rt in RUNTIMES})[runtime] = int(_number(count))
    lines = [BlockerLine(constraint, counts) for constraint, counts in table.items()]
    lines.sort(key=lambda line: (-sum(line.counts.values()), line.constraint))
    return tuple(lines)


def _histogram(summary: Mapping[str, Any]) -> tuple[tuple[float, ...], tuple[int, ...]]:
    histogram = summary["confidence_histogram"] or {}
    counts = tuple(int(_number(c)) for c in histogram.get("counts") or ())
    bins = tuple(_number(b) for b in histogram.get("bins") or ())
    if len(bins) != len(counts) + 1:
        bins = tuple(i / max(len(counts), 1) for i in range(len(counts) + 1))
    return bins, counts


# --------------------------------------------------------------------------------------------- the table
def name_column_of(results: pd.DataFrame) -> str:
    """The column holding the workload name: `name`, else the first whose header mentions a name."""
    from advisor.portfolio.mapping import header_key

    if "name" in results.columns:
        return "name"
    for column in results.columns:
        if "name" in header_key(str(column)):
            return str(column)
    return str(results.columns[0])


def review_mask(results: pd.DataFrame) -> Any:
    """Rows that need a human look: invalid, no feasible runtime, low confidence or a repeated name."""
    import numpy as np
    import pandas as pd

    from advisor.engine.explain import confidence_thresholds

    def text(column: str) -> Any:
        return results[column].astype("string").fillna("").str.strip()

    confidence = pd.to_numeric(results["confidence"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        low = ~(confidence >= confidence_thresholds()[0])
    mask = (text("status") != "ok").to_numpy(dtype=bool) | (text("recommendation") == "").to_numpy(dtype=bool) | low
    if "warning" in results.columns:
        mask |= text("warning").str.startswith("duplicate name").to_numpy(dtype=bool)
    return mask


def table_positions(results: pd.DataFrame) -> tuple[list[int], int, int]:
    """Which rows the table shows (positions, in input order), how many are first rows and how many review."""
    import numpy as np

    first = min(len(results), TABLE_FIRST_ROWS)
    if len(results) <= TABLE_FIRST_ROWS:
        return list(range(first)), first, 0
    later = np.flatnonzero(review_mask(results.iloc[TABLE_FIRST_ROWS:])) + TABLE_FIRST_ROWS
    later = later[:TABLE_REVIEW_ROWS]
    return [*range(first), *(int(p) for p in later)], first, len(later)


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def table_rows(results: pd.DataFrame, name_column: str | None = None) -> tuple[tuple[WorkloadRow, ...], int, int]:
    """The workloads table: bounded rows with what a reader scans for, and how they were picked."""
    from advisor.engine.explain import confidence_thresholds

    if results.empty:
        return (), 0, 0
    positions, first, review_count = table_positions(results)
    column = name_column or name_column_of(results)
    wanted = [c for c in results.columns if c == column or c in TABLE_RESULT_COLUMNS]
    picked = results.iloc[positions][wanted]
    review = review_mask(picked)
    names = [_text(v) for v in picked[column].tolist()] if column in picked.columns else [""] * len(picked)
    records = picked.to_dict(orient="records")
    out = []
    for index, (position, record) in enumerate(zip(positions, records, strict=True)):
        row_number = _optional_number(record.get("row"))
        status = _text(record.get("status")).strip() or "?"
        recommendation = _text(record.get("recommendation")).strip()
        confidence = _optional_number(record.get("confidence"))
        valid = status == "ok"
        cost = _optional_number(record.get(f"monthly_cost_{recommendation}")) if recommendation else None
        feasible_flags = [_truthy(record.get(f"feasible_{rt}")) for rt in RUNTIMES]
        known = [flag for flag in feasible_flags if flag is not None]
        blocked, constraints = [], []
        for rt in RUNTIMES:
            found = [part for part in _text(record.get(f"blockers_{rt}")).strip().split(";") if part]
            if found:
                blocked.append(f"{rt} ({len(found)})")
                constraints.append(f"{rt}: {', '.join(found)}")
        error, warning = _text(record.get("error")).strip(), _text(record.get("warning")).strip()
        note = error if not valid else warning
        if valid and recommendation and confidence is not None and confidence < confidence_thresholds()[0]:
            note = "; ".join(filter(None, [note, "low confidence: the first two runtimes are close"]))
        out.append(WorkloadRow(
            row=int(row_number) if row_number is not None else position + 1,
            name=names[index], status=status, recommendation=recommendation if valid else "",
            recommendation_label=(runtime_label(recommendation) if valid else "not assessed"),
            runner_up_label=_runner_up_label(_text(record.get("runner_up")).strip()) if valid else "",
            confidence=confidence if valid else None, monthly_cost_usd=cost if valid else None,
            feasible=sum(known) if valid and known else None, blocked=", ".join(blocked) if valid else "",
            blockers="; ".join(constraints) if valid else "",
            note=note, review=bool(review[index])))
    return tuple(out), first, review_count


def _review(summary: Mapping[str, Any], shown_rows: set[int]) -> tuple[ReviewItem, ...]:
    items = []
    for entry in summary["needs_review"] or ():
        if not isinstance(entry, Mapping):
            continue
        row = _optional_number(entry.get("row"))
        number = int(row) if row is not None else None
        items.append(ReviewItem(number, _text(entry.get("name")), _text(entry.get("reason")),
                                number is not None and number in shown_rows))
    return tuple(items)


def make_charts(report: PortfolioReport) -> dict[str, str]:
    """The four charts of the portfolio report as SVG strings, keyed by their element ids."""
    lines = report.runtimes
    colours = {**charts.RUNTIME_COLOURS, "none": charts.OKABE_ITO["vermillion"]}
    count_bars = [charts.Bar(r.label, float(r.count), f"{r.count:,} ({r.share:.0%})", colours[r.id]) for r in lines]
    cost_bars = [charts.Bar(r.label, r.monthly_cost_usd, format_usd(r.monthly_cost_usd), colours[r.id])
                 for r in lines if r.id != "none"]
    return {
        "chart-runtimes": charts.bar_chart("chart-runtimes", "Recommended runtime", "workloads", count_bars,
                                           tick_format="{:,.0f}"),
        "chart-runtime-cost": charts.bar_chart(
            "chart-runtime-cost", "Estimated monthly cost on the recommended runtimes", "US dollars per month",
            cost_bars, tick_format="${:,.0f}"),
        "chart-blockers": blocker_chart("chart-blockers", "How often each hard limit blocks a runtime",
                                        report.blockers, report.valid, BLOCKER_CHART_CONSTRAINTS),
        "chart-confidence": histogram_chart("chart-confidence", "Confidence in the recommendations",
                                            report.histogram_bins, report.histogram_counts, report.low_confidence),
    }


# --------------------------------------------------------------------------------------------- assemble
def portfolio_report(results: pd.DataFrame | None, summary: Mapping[str, Any],
                     name_column: str | None = None) -> PortfolioReport:
    """Everything the portfolio report shows, charts included, from assess's results and summary."""
    import dataclasses

    from advisor.engine.explain import confidence_thresholds
    from advisor.knowledge.base import knowledge

    summary = _check_summary(summary)
    if results is not None:
        missing = [key for key in RESULT_KEYS if key not in results.columns]
        if missing:
            raise UsageError(f"portfolio results: missing column(s) {', '.join(missing)} "
                             "(use the results of advisor assess)")
        if name_column is not None and name_column not in results.columns:
            raise UsageError(f"portfolio results: no column {name_column!r} for the workload names")
    table, first, review_count = table_rows(results, name_column) if results is not None else ((), 0, 0)
    k, criterion, waves = _waves(summary)
    bins, counts = _histogram(summary)
    report = PortfolioReport(
        rows=int(_number(summary["rows"])),
        valid=int(_number(summary["valid"])),
        invalid=int(_number(summary["invalid"])),
        total_monthly_cost_usd=_number(summary["total_monthly_cost_usd"]),
        needs_review_total=int(_number(summary["needs_review_total"])),
        runtimes=_runtimes(summary),
        consolidation=_consolidation(summary),
        waves_k=k,
        waves_criterion=criterion,
        waves=waves,
        blockers=_blockers(summary),
        histogram_bins=bins,
        histogram_counts=counts,
        low_confidence=confidence_thresholds()[0],
        review=_review(summary, {row.row for row in table}),
        table=table,
        table_first=first,
        table_review=review_count,
        knowledge_as_of=tuple(sorted(knowledge().as_of_dates().items())),
        priced=_priced(summary),
    )
    return dataclasses.replace(report, charts=make_charts(report))


def _priced(summary: Mapping[str, Any]) -> str:
    """'savings-1y in us-east-1 (10), eu-west-1 (2)' from the summary's pricing and regions."""
    regions = summary.get("regions") or {}
    where = ", ".join(f"{region} ({int(_number(count)):,})" for region, count in regions.items()
                      if isinstance(region, str))
    return str(summary.get("pricing") or "on-demand") + (f" in {where}" if where else "")


def render_html(report: PortfolioReport) -> str:
    """The report as one HTML page: inline CSS and SVG, one hashed inline script, no external requests."""
    from advisor.outputs.reports.environment import environment

    script = portfolio_script()
    return environment("html").get_template("portfolio.html.j2").render(
        report=report,
        charts={key: Markup(svg) for key, svg in report.charts.items()},  # charts.py escapes every text
        script=Markup(script),  # our own file, checked to hold no '</script'; hashed into the CSP
        style=Markup(template_text(STYLE_FILE)),
        csp=content_security_policy(script),
        generator=report.generator,
        runtime_ids=RUNTIMES,
        runtime_labels=RUNTIME_LABELS,
    )


def write_portfolio_report(results: pd.DataFrame | None, summary: Mapping[str, Any], out: Path,
                           force: bool = False, name_column: str | None = None) -> Path:
    """Write the portfolio report for `advisor assess`'s results frame and --summary JSON to `out` (.html).

    `name_column` names the results column holding workload names (default: `name`, else the first
    column whose header mentions a name). Raises UsageError for another suffix, a missing folder or
    a summary or results frame that is not assess's, and OutputExistsError when `out` exists and
    `force` is off (checked before anything is rendered). Returns the path written.
    """
    from advisor.files import check_output_files, write_files

    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{out}: a portfolio report file name must end in .html or .htm")
    check_output_files([out], force, "report file")
    html = render_html(portfolio_report(results, summary, name_column))
    return write_files({out: html}, force, "report file")[0]
