"""Turn scored rows into explained results: blockers, cautions and reasons in words (output v1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor import AXES, RUNTIME_LABELS, RUNTIMES
from advisor.engine.feasibility import Blocker, describe_blocker, describe_caution, format_value
from advisor.engine.scoring import COMPONENTS, Scored, axis_model
from advisor.knowledge.base import PLACEHOLDER, knowledge
from advisor.knowledge.conditions import evaluate
from advisor.profile.units import format_usd

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RuntimeResult:
    """One runtime's place in the ranking for one workload."""

    runtime: str
    feasible: bool
    score: float
    axes: dict[str, float]
    monthly_cost_usd: float | None
    cost_breakdown: dict[str, float]
    blockers: tuple[Blocker, ...]
    cautions: tuple[str, ...]
    reasons: tuple[str, ...]
    sizing: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "runtime": self.runtime,
            "feasible": self.feasible,
            "score": self.score,
            "axes": dict(self.axes),
            "monthly_cost_usd": self.monthly_cost_usd,
            "cost_breakdown": dict(self.cost_breakdown),
            "blockers": [b.to_dict() for b in self.blockers],
            "cautions": list(self.cautions),
            "reasons": list(self.reasons),
            "sizing": self.sizing,
        }


@dataclass(frozen=True)
class Recommendation:
    """The explained recommendation for one workload (DESIGN.md output contract v1)."""

    name: str
    recommendation: str | None
    runner_up: str | None
    confidence: float
    assumed_defaults: tuple[str, ...]
    ranking: tuple[RuntimeResult, ...]
    weights: dict[str, float]
    why_none: str = ""
    free_tier: bool = False
    knowledge_as_of: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def result(self, runtime: str) -> RuntimeResult:
        return next(r for r in self.ranking if r.runtime == runtime)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "recommendation": self.recommendation,
            "runner_up": self.runner_up,
            "confidence": self.confidence,
            "assumed_defaults": list(self.assumed_defaults),
            "ranking": [r.to_dict() for r in self.ranking],
            "weights": dict(self.weights),
            "free_tier": self.free_tier,
            "knowledge_base_as_of": dict(self.knowledge_as_of),
        }
        if self.recommendation is None:
            out["why_none"] = self.why_none
        out.update(self.extra)
        return out


def confidence_words(confidence: float) -> str:
    """Confidence in words for people: high, moderate or low."""
    low, high = confidence_thresholds()
    if confidence >= high:
        return "high"
    if confidence >= low:
        return "moderate"
    return "low"


def confidence_thresholds() -> tuple[float, float]:
    """(low, high): below `low` a first place needs a human look; from `high` up it is robust
    (models/assumptions.yaml `assume.low_confidence`, `assume.high_confidence`)."""
    kb = knowledge()
    return kb.number("assume.low_confidence"), kb.number("assume.high_confidence")


def _sizing(scored: Scored, i: int, runtime: str) -> str:
    cost, frame = scored.cost, scored.frame
    row = frame.iloc[i]
    job = row["workload_type"] in knowledge().value("assume.job_workload_types")
    if runtime == "lambda":
        # The memory the cost model priced: at least vcpu x lambda.mb_per_vcpu (one vCPU per 1,769 MB).
        arch = "arm64" if row["arch"] == "arm64" else "x86_64"
        return f"{cost.lambda_memory_mb[i]:,.0f} MB function on {arch}"
    if runtime == "ecs_fargate":
        if np.isnan(cost.fargate_vcpu[i]):
            return "no valid task size"
        size = f"{cost.fargate_vcpu[i]:g} vCPU / {cost.fargate_memory_gb[i]:g} GB task"
        return f"{size} per run" if job else f"{cost.tasks[i]:.3g} x {size} on average"
    kind = cost.instance_type[runtime][i]
    if not kind:
        return "no instance type in the price list fits"
    count = cost.instance_count[runtime][i]
    if not job:
        return f"{count:g} x {kind}"
    return f"{kind} for about {count * knowledge().number('assume.hours_per_month'):,.0f} instance-hours a month"


def explain_row(scored: Scored, i: int, extra: dict[str, Any] | None = None) -> Recommendation:
    """The explained Recommendation for row `i` of a scored frame."""
    kb = knowledge()
    frame = scored.frame
    row = frame.iloc[i]
    _, axis_rules, options = axis_model()
    weights = scored.weights[i]
    priorities = {c: int(row[f"priority_{c}"]) for c in COMPONENTS}
    feasible_costs = [scored.monthly_cost[i, k] for k in range(len(RUNTIMES))
                      if scored.feasible[i, k] and np.isfinite(scored.monthly_cost[i, k])]
    cheapest = min(feasible_costs) if feasible_costs else None
    results: list[RuntimeResult] = []
    for k in scored.order[i]:
        runtime = RUNTIMES[k]
        blockers = tuple(describe_blocker(rule, row, kb) for idx, rule in enumerate(scored.blocker_rules)
                         if rule.runtime == runtime and scored.blocker_masks[idx, i])
        cautions = tuple(describe_caution(rule, row, kb) for idx, rule in enumerate(scored.caution_rules)
                         if rule.runtime == runtime and scored.caution_masks[idx, i])
        notes = [n for n in scored.cost.notes if n.runtime == runtime and n.mask[i]]
        cautions += tuple(_note_text(kb, n.text, row) for n in notes if n.kind == "caution")
        reasons = _reasons(scored, i, k, axis_rules, weights, priorities, cheapest)
        reasons.extend(_note_text(kb, n.text, row) for n in notes if n.kind == "reason")
        for option in options:
            if option.runtime == runtime and evaluate(option.when, frame.iloc[[i]], kb)[0]:
                reasons.append(kb.fill(option.text))
        monthly = scored.monthly_cost[i, k]
        breakdown = {name: round(float(values[i]), 2) for name, values in scored.cost.lines[runtime].items()
                     if np.isfinite(values[i]) and (values[i] > 0 or name in ("compute", "requests"))}
        results.append(RuntimeResult(
            runtime=runtime,
            feasible=bool(scored.feasible[i, k]),
            score=round(float(scored.score[i, k]), 3),
            axes={axis: round(float(scored.axes[i, k, a]), 3) for a, axis in enumerate(AXES)},
            monthly_cost_usd=round(float(monthly), 2) if np.isfinite(monthly) else None,
            cost_breakdown=breakdown if np.isfinite(monthly) else {},
            blockers=blockers, cautions=cautions, reasons=tuple(reasons),
            sizing=_sizing(scored, i, runtime),
        ))
    first, second = int(scored.recommendation[i]), int(scored.runner_up[i])
    why_none = ""
    if first < 0:
        why_none = ("No runtime can run this workload as described: every runtime has at least one blocker. "
                    "Read each runtime's blockers for the limit it breaks and what to change.")
    return Recommendation(
        name=str(row["name"]),
        recommendation=RUNTIMES[first] if first >= 0 else None,
        runner_up=RUNTIMES[second] if second >= 0 else None,
        confidence=round(float(scored.confidence[i]), 3),
        assumed_defaults=tuple(row["assumed_defaults"]),
        ranking=tuple(results),
        weights={c: round(float(w), 3) for c, w in zip(COMPONENTS, weights, strict=True)},
        why_none=why_none,
        knowledge_as_of=kb.as_of_dates(),
        extra={**price_basis(scored, i), **(extra or {})},
    )


def price_basis(scored: Scored, i: int) -> dict[str, Any]:
    """The `region`, `pricing` and `prices` output fields: where and how row `i` was priced."""
    region = str(scored.frame.iloc[i]["region"])
    book = scored.cost.books.get(region)
    return {"region": region, "pricing": scored.cost.pricing,
            "prices": book.summary() if book is not None else {"region": region}}


def _note_text(kb: Any, text: str, row: Any) -> str:
    """A cost note in words: `{fact.key}` from the knowledge base, `{field}` from the row's profile."""
    fields = {name: format_value(name, row[name]) for name in PLACEHOLDER.findall(text) if name in row.index}
    return str(kb.fill(text, fields))


def _reasons(scored: Scored, i: int, k: int, axis_rules: tuple, weights: np.ndarray,
             priorities: dict[str, int], cheapest: float | None) -> list[str]:
    runtime = RUNTIMES[k]
    reasons: list[str] = []
    fits = scored.axes[i]  # (4, 4)
    for a, axis in enumerate(AXES):
        if priorities[axis] < 3:
            continue
        if fits[k, a] >= fits[:, a].max() - 1e-9 and fits[k, a] - np.sort(fits[:, a])[-2] >= 0.05:
            reasons.append(f"Best of the four on {axis} ({fits[k, a]:.2f}), which you weight {priorities[axis]} of 5.")
        elif fits[k, a] <= fits[:, a].min() + 1e-9 and np.sort(fits[:, a])[1] - fits[k, a] >= 0.05:
            reasons.append(f"Weakest of the four on {axis} ({fits[k, a]:.2f}), "
                           f"which you weight {priorities[axis]} of 5.")
    impacts = []
    for index, rule in enumerate(axis_rules):
        text = rule.reasons.get(runtime)
        if not text or not scored.rule_masks[index, i]:
            continue
        impact = sum(abs(by_rt.get(runtime, 0.0)) * weights[AXES.index(axis)] for axis, by_rt in rule.effects.items())
        impacts.append((impact, text))
    reasons.extend(text for _, text in sorted(impacts, key=lambda item: -item[0])[:4])
    monthly = scored.monthly_cost[i, k]
    if np.isfinite(monthly) and cheapest is not None:
        if scored.feasible[i, k] and monthly <= cheapest + 1e-9:
            reasons.append(f"Cheapest feasible option at about {format_usd(monthly)} a month.")
        elif cheapest > 0 and monthly / cheapest >= 1.5:
            reasons.append(f"About {format_usd(monthly)} a month, {monthly / cheapest:.1f}x the cheapest feasible "
                           f"option ({format_usd(cheapest)}).")
        else:
            reasons.append(f"About {format_usd(monthly)} a month, close to the cheapest feasible option "
                           f"({format_usd(cheapest)}).")
    return reasons


def runtime_label(runtime: str | None) -> str:
    return RUNTIME_LABELS.get(runtime or "", "none")
