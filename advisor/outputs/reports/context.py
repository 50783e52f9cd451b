"""What a single-workload report shows, worked out once for both the HTML and the Markdown version.

`single_report(...)` turns a Recommendation and its profile into a `SingleReport`: plain values and
lists the templates only lay out (and SVG charts as strings). No text here is escaped: the template
environment escapes every value for its target.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from advisor import AXES, RUNTIME_LABELS, RUNTIMES, __version__
from advisor.engine.explain import Recommendation, RuntimeResult, confidence_words
from advisor.engine.feasibility import Blocker, format_value
from advisor.errors import KnowledgeBaseError
from advisor.outputs.formats import price_basis_words
from advisor.outputs.reports import charts
from advisor.profile.fields import FIELD_BY_NAME, FIELDS, WorkloadProfile
from advisor.profile.units import format_usd

CHECKLIST_FILE = "checklists.yaml"
CHART_TITLES = {
    "radar": "Fit on the four axes",
    "scores": "Weighted score",
    "cost": "Estimated monthly cost",
    "break-even": "Monthly cost against monthly requests",
}
# Break-even chart: volumes from 1,000x below to 1,000x above the workload's, this many points a decade.
BREAK_EVEN_DECADES = 3
BREAK_EVEN_POINTS_PER_DECADE = 4


@dataclass(frozen=True)
class RuntimeView:
    """One runtime as a report shows it: the engine's result (scores, cost, sizing, cautions) with its
    label and place, the blockers in words, and the reasons sorted into for, against and neutral."""

    result: RuntimeResult
    label: str
    place: int
    blockers: tuple[dict[str, Any], ...]  # in words: constraint, limit, value, message, source; see_also (citations)
    good: tuple[str, ...]
    bad: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.result.runtime


@dataclass(frozen=True)
class InputRow:
    field: str
    value: str
    assumed: bool
    help: str


@dataclass(frozen=True)
class StarterLink:
    name: str
    href: str


@dataclass(frozen=True)
class SingleReport:
    """Everything one workload's report shows, in the order it shows it."""

    name: str
    description: str
    recommendation: str | None
    recommendation_label: str
    runner_up: str | None
    runner_up_label: str
    confidence: float
    confidence_words: str
    why_none: str
    free_tier: bool
    price_basis: str
    runtimes: tuple[RuntimeView, ...]
    priorities: tuple[dict[str, Any], ...]
    what_would_change: tuple[dict[str, Any], ...]
    similar: tuple[dict[str, Any], ...] | None
    managed_alternative: dict[str, Any] | None
    input_warnings: tuple[str, ...]  # given inputs that contradict each other (engine/consistency.py)
    inputs: tuple[InputRow, ...]
    assumed_defaults: tuple[str, ...]
    knowledge_as_of: tuple[tuple[str, str], ...]
    checklist: tuple[dict[str, Any], ...]
    starter_files: tuple[StarterLink, ...]
    break_even_notes: tuple[str, ...]
    summary: str = ""
    confidence_note: str = ""
    charts: dict[str, str] = field(default_factory=dict)
    generator: str = f"advisor {__version__}"

    @property
    def chosen(self) -> RuntimeView | None:
        return next((r for r in self.runtimes if r.id == self.recommendation), None)

    @property
    def priorities_in_order(self) -> list[dict[str, Any]]:
        """The priorities in the engine's component order (simplicity ... cost), as the sliders show them."""
        from advisor.engine.scoring import COMPONENTS

        return sorted(self.priorities, key=lambda p: COMPONENTS.index(p["component"]))

    @property
    def blocker_rows(self) -> list[tuple[RuntimeView, dict[str, str]]]:
        return [(r, b) for r in self.runtimes for b in r.blockers]



# --------------------------------------------------------------------------------------------- reasons
@functools.cache
def _reason_signs() -> dict[tuple[str, str], int]:
    """(runtime, reason text) -> +1 or -1 from the sign of the scoring rule that gives the reason."""
    from advisor.engine.scoring import axis_model

    _, axis_rules, _ = axis_model()
    signs: dict[tuple[str, str], int] = {}
    for rule in axis_rules:
        for runtime, text in rule.reasons.items():
            total = sum(by_runtime.get(runtime, 0.0) for by_runtime in rule.effects.values())
            if total:
                signs[(runtime, text)] = 1 if total > 0 else -1
    return signs


def classify_reason(runtime: str, text: str) -> int:
    """+1 for a reason in favour, -1 against, 0 for a neutral note (a deployment option, a cost near the best)."""
    sign = _reason_signs().get((runtime, text))
    if sign is not None:
        return sign
    if text.startswith(("Best of the four", "Cheapest feasible")):
        return 1
    if text.startswith("Weakest of the four") or ("x the cheapest feasible option" in text):
        return -1
    return 0


def _limit_text(blocker: Blocker) -> str:
    limit = blocker.limit
    if isinstance(limit, dict):
        return " with ".join(format_value(k, v) + (" vCPU" if k == "vcpu" else "") for k, v in limit.items())
    if isinstance(limit, bool):
        return "not supported" if not limit else "supported"
    if isinstance(limit, list):
        return "allowed: " + ", ".join(str(v) for v in limit)
    return format_value(blocker.constraint, limit) if blocker.constraint in FIELD_BY_NAME else str(limit)


def _value_text(blocker: Blocker) -> str:
    value = blocker.value
    if isinstance(value, dict):
        return " with ".join(format_value(k, v) + (" vCPU" if k == "vcpu" else "") for k, v in value.items())
    if isinstance(value, bool):
        return "required" if value else "not required"
    return format_value(blocker.constraint, value) if blocker.constraint in FIELD_BY_NAME else str(value)


def _runtime_view(result: RuntimeResult, place: int) -> RuntimeView:
    good: list[str] = []
    bad: list[str] = []
    notes: list[str] = []
    for reason in result.reasons:
        sign = classify_reason(result.runtime, reason)
        (good if sign > 0 else bad if sign < 0 else notes).append(reason)
    blockers = tuple({"constraint": b.constraint, "limit": _limit_text(b), "value": _value_text(b),
                      "message": b.message, "source": b.source, "see_also": b.see_also} for b in result.blockers)
    return RuntimeView(result, RUNTIME_LABELS[result.runtime], place, blockers, tuple(good), tuple(bad), tuple(notes))


# --------------------------------------------------------------------------------------------- checklist
@functools.cache
def checklists() -> dict[str, tuple[dict[str, Any], ...]]:
    """The best-practice checklist per runtime from templates/reports/checklists.yaml (safe YAML)."""
    import yaml

    where = f"advisor/templates/reports/{CHECKLIST_FILE}"
    try:
        text = (importlib.resources.files("advisor") / "templates" / "reports" / CHECKLIST_FILE).read_text("utf-8")
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{where}: file is missing from the installation") from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{where}: not valid YAML ({exc})") from None
    runtimes = data.get("runtimes") if isinstance(data, dict) else None
    if not isinstance(runtimes, dict) or set(runtimes) != set(RUNTIMES):
        raise KnowledgeBaseError(f"{where}: 'runtimes' must map each of {', '.join(RUNTIMES)} to a list of topics")
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for runtime, topics in runtimes.items():
        if not isinstance(topics, list) or not topics:
            raise KnowledgeBaseError(f"{where}: runtimes.{runtime} must be a non-empty list of topics")
        checked = []
        for index, topic in enumerate(topics):
            key = f"runtimes.{runtime}[{index}]"
            if (not isinstance(topic, dict) or not isinstance(topic.get("topic"), str)
                    or not isinstance(topic.get("items"), list) or not topic["items"]
                    or not all(isinstance(item, str) and item.strip() for item in topic["items"])):
                raise KnowledgeBaseError(f"{where}: {key} needs a 'topic' and a non-empty list of text 'items'")
            checked.append({"topic": topic["topic"], "items": tuple(topic["items"])})
        out[runtime] = tuple(checked)
    return out


# --------------------------------------------------------------------------------------------- inputs
def _input_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in ("name", "description"):
        return str(value) if value else "(none)"
    if name == "vcpu":
        return f"{value:g}"
    return format_value(name, value)


def _inputs(profile: WorkloadProfile) -> tuple[InputRow, ...]:
    assumed = set(profile.assumed_defaults)
    return tuple(InputRow(spec.name, _input_value(spec.name, getattr(profile, spec.name)), spec.name in assumed,
                          spec.help) for spec in FIELDS)


def starter_links(files: Sequence[Path], report_dir: Path) -> tuple[StarterLink, ...]:
    """Relative, percent-encoded links from the report's folder to each starter file."""
    links = []
    for path in files:
        relative = os.path.relpath(Path(path).resolve(), report_dir.resolve())
        href = "/".join(quote(part, safe="") for part in Path(relative).parts)
        if not href.startswith("."):
            href = "./" + href  # a relative path, never read as a scheme such as javascript:
        links.append(StarterLink(relative.replace(os.sep, "/"), href))
    return tuple(links)


def confidence_note(recommendation: Recommendation) -> str:
    """What the confidence number measures, with the spread the engine samples (from the knowledge base)."""
    from advisor.knowledge.base import knowledge

    if recommendation.recommendation is None:
        return ""
    kb = knowledge()
    spread = kb.number("assume.confidence_spread")  # standard deviation of the log-normal factor
    samples = kb.number("assume.confidence_samples")
    return (f"Confidence is the share of {samples:g} plausible shifts in your priorities (each priority scaled "
            f"by a random factor, typically between {math.exp(-spread):.1f}x and {math.exp(spread):.1f}x) under "
            f"which {RUNTIME_LABELS[recommendation.recommendation]} stays first.")


WORKLOAD_WORDS = {"http_api": "HTTP API", "ml_inference": "ML inference service", "ml_training": "ML training job",
                  "unknown": "workload of unknown type", "stateful_service": "stateful service"}


def summary(profile: WorkloadProfile) -> str:
    """The workload in one sentence, from its profile: what it is, how big, how busy."""
    from advisor.profile.units import format_count, format_duration, format_size_mb

    kind = WORKLOAD_WORDS.get(profile.workload_type, profile.workload_type.replace("_", " "))
    article = "An" if kind[0] in "aeiouAEIOU" else "A"
    language = "" if profile.language in ("unknown", "other") else f" in {profile.language.replace('_', ' ')}"
    container = ", shipped as a container image" if profile.containerized else ""
    return (f"{article} {kind}{language} on {profile.os}{container}: {profile.vcpu:g} vCPU and "
            f"{format_size_mb(float(profile.memory_mb))} per task, runs of up to "
            f"{format_duration(float(profile.max_duration_s))}, {format_count(float(profile.requests_per_month))} "
            f"a month with {profile.traffic_pattern} traffic and a peak of {profile.peak_concurrency} in flight.")


# --------------------------------------------------------------------------------------------- break-even
@dataclass(frozen=True)
class BreakEven:
    volumes: tuple[float, ...]
    costs: dict[str, tuple[float | None, ...]]
    volume: float
    notes: tuple[str, ...]


def break_even(profile: WorkloadProfile, recommendation: Recommendation, free_tier: bool = False,
               pricing: str = "on-demand") -> BreakEven:
    """Each runtime's monthly cost across request volumes around the workload's, scored in one frame.

    Peak concurrency scales with the volume (the same traffic shape, more or less of it).
    """
    import dataclasses

    import numpy as np

    from advisor.engine.scoring import score_frame
    from advisor.profile.frame import profiles_to_frame

    volume = float(profile.requests_per_month)
    centre = math.floor(math.log10(volume)) if volume >= 1 else BREAK_EVEN_DECADES
    low = max(0, centre - BREAK_EVEN_DECADES)
    high = low + 2 * BREAK_EVEN_DECADES
    steps = 2 * BREAK_EVEN_DECADES * BREAK_EVEN_POINTS_PER_DECADE
    grid = {float(f"{10 ** (low + (high - low) * i / steps):.6g}") for i in range(steps + 1)}
    if volume > 0:
        grid.add(volume)
    volumes = tuple(sorted(grid))
    rows = []
    for requests in volumes:
        peak = profile.peak_concurrency
        if volume > 0:
            peak = max(1, round(profile.peak_concurrency * requests / volume))
        rows.append(dataclasses.replace(profile, requests_per_month=requests, peak_concurrency=peak))
    scored = score_frame(profiles_to_frame(rows), free_tier=free_tier, pricing=pricing)  # costs only: no blend
    costs: dict[str, tuple[float | None, ...]] = {}
    for k, runtime in enumerate(RUNTIMES):
        column = scored.monthly_cost[:, k]
        costs[runtime] = tuple(float(c) if np.isfinite(c) else None for c in column)
    notes = _crossings(volumes, costs, recommendation)
    return BreakEven(volumes, costs, volume, notes)


def _crossings(volumes: Sequence[float], costs: dict[str, tuple[float | None, ...]],
               recommendation: Recommendation) -> tuple[str, ...]:
    """Sentences naming where the chosen runtime's cost line crosses each other feasible runtime's."""
    from advisor.profile.units import format_count

    chosen = recommendation.recommendation
    if chosen is None:
        return ()
    notes = []
    for other in RUNTIMES:
        if other == chosen or not recommendation.result(other).feasible:
            continue
        crossings = []
        previous: tuple[float, float] | None = None
        for volume, mine, theirs in zip(volumes, costs[chosen], costs[other], strict=True):
            if mine is None or theirs is None or mine <= 0 or theirs <= 0:
                previous = None
                continue
            gap = math.log(mine) - math.log(theirs)
            if previous is not None and (previous[1] < 0) != (gap < 0) and gap != 0:
                x0, g0 = previous
                share = g0 / (g0 - gap)
                crossings.append(10 ** (math.log10(x0) + share * (math.log10(volume) - math.log10(x0))))
            previous = (volume, gap)
        label, other_label = RUNTIME_LABELS[chosen], RUNTIME_LABELS[other]
        if crossings:
            where = " and ".join(f"about {format_count(x)}" for x in crossings)
            notes.append(f"{label} and {other_label} cost the same at {where} requests a month.")
        elif all(m is not None and t is not None and m <= t for m, t in zip(costs[chosen], costs[other], strict=True)):
            notes.append(f"{label} costs less than {other_label} across the whole range shown.")
        elif all(m is not None and t is not None and m >= t for m, t in zip(costs[chosen], costs[other], strict=True)):
            notes.append(f"{label} costs more than {other_label} across the whole range shown.")
    return tuple(notes)


# --------------------------------------------------------------------------------------------- charts
def make_charts(report: SingleReport, curve: BreakEven, id_prefix: str = "chart-") -> dict[str, str]:
    """The four charts of a single-workload report as SVG strings, keyed radar/scores/cost/break-even."""
    from advisor.profile.units import format_count

    ranked = report.runtimes
    by_id = {r.id: r for r in ranked}
    radar = charts.radar_chart(
        f"{id_prefix}radar", f"{CHART_TITLES['radar']}: {report.name}", AXES,
        [(charts.runtime_series(rt), [by_id[rt].result.axes[a] for a in AXES]) for rt in RUNTIMES])
    score_bars = [charts.Bar(r.label, r.result.score,
                             f"{r.result.score:.3f}" + ("" if r.result.feasible else " (not feasible)"),
                             charts.RUNTIME_COLOURS[r.id], muted=not r.result.feasible) for r in ranked]
    scores = charts.bar_chart(f"{id_prefix}scores", f"{CHART_TITLES['scores']}: {report.name}",
                              "weighted score, 0 to 1 (higher is better)", score_bars, maximum=1.0)
    cost_bars = [charts.Bar(r.label, r.result.monthly_cost_usd,
                            ("no estimate" if r.result.monthly_cost_usd is None
                             else format_usd(r.result.monthly_cost_usd))
                            + ("" if r.result.feasible else " (not feasible)"),
                            charts.RUNTIME_COLOURS[r.id], muted=not r.result.feasible) for r in ranked]
    cost = charts.bar_chart(f"{id_prefix}cost", f"{CHART_TITLES['cost']}: {report.name}",
                            "US dollars per month" + (" (after the Lambda free tier)" if report.free_tier else ""),
                            cost_bars, tick_format="${:,.0f}")
    series = [(charts.runtime_series(rt, "" if by_id[rt].result.feasible else " (not feasible)"), curve.volumes,
               curve.costs[rt]) for rt in RUNTIMES]
    volume_label = f"this workload: {format_count(curve.volume)}/month" if curve.volume > 0 else ""
    break_even_chart = charts.line_chart(
        f"{id_prefix}break-even", f"{CHART_TITLES['break-even']}: {report.name}",
        "requests, events or runs per month (log scale)", "US dollars per month (log scale)", series,
        mark_x=curve.volume if curve.volume > 0 else None, mark_label=volume_label,
        notes=["peak concurrency scales", "with the volume"])
    return {"radar": radar, "scores": scores, "cost": cost, "break-even": break_even_chart}


# --------------------------------------------------------------------------------------------- assemble
def _managed_alternative(recommendation: Recommendation, profile: WorkloadProfile) -> dict[str, Any] | None:
    """The managed service to weigh for a backing service: from the recommendation, else the profile."""
    if "managed_alternative" in recommendation.extra:
        found = recommendation.extra["managed_alternative"]
        return dict(found) if isinstance(found, dict) else None
    from advisor.engine.managed import managed_alternative

    return managed_alternative(profile)


def _input_warnings(recommendation: Recommendation, profile: WorkloadProfile) -> tuple[str, ...]:
    """Given inputs that disagree: from the recommendation when it says, else checked on the profile."""
    if "input_warnings" in recommendation.extra:
        return tuple(str(message) for message in recommendation.extra["input_warnings"])
    from advisor.engine.consistency import disagreements
    from advisor.profile.frame import profiles_to_frame

    return tuple(disagreements(profiles_to_frame([profile])).get(0, []))


def single_report(recommendation: Recommendation, profile: WorkloadProfile, report_dir: Path,
                  starter_files: Sequence[Path] = (), id_prefix: str = "chart-") -> SingleReport:
    """Everything a single-workload report shows, charts included."""
    from advisor.engine.whatif import what_would_change

    changes = recommendation.extra.get("what_would_change")
    if changes is None:
        changes = what_would_change(profile, recommendation, free_tier=recommendation.free_tier)
    similar = recommendation.extra.get("similar")
    runtimes = tuple(_runtime_view(result, place) for place, result in enumerate(recommendation.ranking, start=1))
    priorities = tuple(
        {"component": component, "priority": int(getattr(profile, f"priority_{component}")),
         "weight": float(weight)}
        for component, weight in sorted(recommendation.weights.items(), key=lambda item: -item[1]))
    chosen = recommendation.recommendation
    curve = break_even(profile, recommendation, free_tier=recommendation.free_tier,
                       pricing=str(recommendation.extra.get("pricing", "on-demand")))
    report = SingleReport(
        name=recommendation.name,
        description=profile.description,
        recommendation=chosen,
        recommendation_label=RUNTIME_LABELS.get(chosen or "", "no runtime"),
        runner_up=recommendation.runner_up,
        runner_up_label=RUNTIME_LABELS.get(recommendation.runner_up or "", "none"),
        confidence=recommendation.confidence,
        confidence_words=confidence_words(recommendation.confidence),
        why_none=recommendation.why_none,
        free_tier=recommendation.free_tier,
        price_basis=price_basis_words(recommendation.extra),
        runtimes=runtimes,
        priorities=priorities,
        what_would_change=tuple(dict(item) for item in changes),
        similar=tuple(dict(item) for item in similar) if similar else None,
        managed_alternative=_managed_alternative(recommendation, profile),
        input_warnings=_input_warnings(recommendation, profile),
        inputs=_inputs(profile),
        assumed_defaults=tuple(recommendation.assumed_defaults),
        knowledge_as_of=tuple(sorted(recommendation.knowledge_as_of.items())),
        checklist=checklists()[chosen] if chosen else (),
        starter_files=starter_links(starter_files, report_dir),
        break_even_notes=curve.notes,
        summary=summary(profile),
        confidence_note=confidence_note(recommendation),
    )
    return _with_charts(report, make_charts(report, curve, id_prefix))


def _with_charts(report: SingleReport, charts_: dict[str, str]) -> SingleReport:
    import dataclasses

    return dataclasses.replace(report, charts=charts_)
