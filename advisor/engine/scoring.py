"""Axis fit, weighted score, ranking and confidence, vectorised over a frame of profiles.

One code path serves one profile and a million: `score_frame` takes a frame (a single profile is
a one-row frame) and returns arrays; nothing here loops over rows in Python.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor import AXES, RUNTIMES
from advisor.engine.cost import CostEstimate, estimate
from advisor.engine.feasibility import BlockerRule, CautionRule, blocker_masks, caution_masks, feasible_matrix
from advisor.errors import KnowledgeBaseError
from advisor.knowledge.base import knowledge, rules
from advisor.knowledge.conditions import evaluate, validate
from advisor.profile.fields import PRIORITY_FIELDS

COMPONENTS: tuple[str, ...] = (*AXES, "cost")
"""Score components in weight order; priorities map onto them one to one."""


BlendParts = Callable[[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[float, np.ndarray | None]]
"""A learned calibration: (frame, axes, cost_fit, rule score, feasible) -> (scale, offset or None)."""


@dataclass(frozen=True)
class LinearBlend:
    """A learned calibration written out as numbers, for a reader that re-weights priorities on its own.

    For row i and runtime k, with p the five raw priorities and s the four rule scores at those priorities:
    logit = constant[i, k] + priority[i, k] . p + score[i, k] . s, and the blended score is
    (1 - weight) * s[k] + weight / (1 + exp(-clip(logit, -clip, clip))). Nothing else in it depends on
    the priorities, which is what lets the HTML report re-rank in the page (outputs/reports/interactive.py).
    """

    weight: float
    clip: float
    constant: np.ndarray  # (n, 4)
    priority: np.ndarray  # (n, 4, 5), priorities in COMPONENTS order
    score: np.ndarray  # (n, 4, 4), rule scores in RUNTIMES order


BlendTerms = Callable[[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray], LinearBlend | None]
"""The same calibration as BlendParts, as a LinearBlend: (frame, axes, cost_fit, feasible) -> terms or None."""


@dataclass(frozen=True)
class AxisRule:
    id: str
    when: Any
    effects: dict[str, dict[str, float]]  # axis -> runtime -> delta
    reasons: dict[str, str]


@dataclass(frozen=True)
class OptionRule:
    """A deployment option inside a runtime worth suggesting (never lifts a limit)."""

    id: str
    runtime: str
    when: Any
    text: str


@functools.cache
def axis_model() -> tuple[np.ndarray, tuple[AxisRule, ...], tuple[OptionRule, ...]]:
    """Base fits (4 runtimes x 4 axes), the modifier rules and the option hints from models/scoring.yaml."""
    kb = knowledge()
    data = rules("scoring.yaml")
    base = np.zeros((len(RUNTIMES), len(AXES)))
    for a, axis in enumerate(AXES):
        row = (data.get("base") or {}).get(axis)
        if not isinstance(row, dict) or set(row) != set(RUNTIMES):
            raise KnowledgeBaseError(f"models/scoring.yaml: base.{axis} must give a fit for each of {RUNTIMES}")
        for r, runtime in enumerate(RUNTIMES):
            base[r, a] = float(row[runtime])
    axis_rules = []
    for index, entry in enumerate(data.get("rules") or []):
        where = f"models/scoring.yaml: rules[{index}] ({entry.get('id')})"
        validate(entry.get("when"), where, kb)
        effects = entry.get("effects") or {}
        for axis, by_runtime in effects.items():
            if axis not in AXES or not set(by_runtime) <= set(RUNTIMES):
                raise KnowledgeBaseError(f"{where}: effects must map an axis to runtimes, got {axis}: {by_runtime}")
        reasons = entry.get("reasons") or {}
        if not set(reasons) <= set(RUNTIMES):
            raise KnowledgeBaseError(f"{where}: reasons must be keyed by runtime id")
        axis_rules.append(AxisRule(str(entry["id"]), entry.get("when"),
                                   {a: {r: float(v) for r, v in e.items()} for a, e in effects.items()},
                                   {r: str(t) for r, t in reasons.items()}))
    options = []
    for index, entry in enumerate(data.get("options") or []):
        where = f"models/scoring.yaml: options[{index}]"
        if entry.get("runtime") not in RUNTIMES or not entry.get("text"):
            raise KnowledgeBaseError(f"{where}: needs a runtime and text")
        validate(entry.get("when"), where, kb)
        options.append(OptionRule(str(entry["id"]), entry["runtime"], entry.get("when"), str(entry["text"])))
    return base, tuple(axis_rules), tuple(options)


@dataclass
class Scored:
    """Everything the engine worked out for a frame; arrays are indexed [row, runtime(, axis)]."""

    frame: pd.DataFrame
    axes: np.ndarray  # (n, 4, 4)
    cost: CostEstimate
    monthly_cost: np.ndarray  # (n, 4)
    cost_fit: np.ndarray  # (n, 4)
    weights: np.ndarray  # (n, 5)
    score: np.ndarray  # (n, 4)
    feasible: np.ndarray  # (n, 4)
    order: np.ndarray  # (n, 4) runtime indices, first place first
    confidence: np.ndarray  # (n,)
    rule_masks: np.ndarray  # (axis rules, n)
    blocker_rules: tuple[BlockerRule, ...]
    blocker_masks: np.ndarray
    caution_rules: tuple[CautionRule, ...]
    caution_masks: np.ndarray
    blend: BlendParts | None = None  # the learned blend these scores used (re-scoring reuses it)

    @property
    def recommendation(self) -> np.ndarray:
        """Index of the first-place runtime per row, or -1 where nothing is feasible."""
        first = self.order[:, 0]
        return np.where(self.feasible[np.arange(len(first)), first], first, -1)

    @property
    def runner_up(self) -> np.ndarray:
        """Index of the second feasible runtime per row, or -1."""
        second = self.order[:, 1]
        return np.where(self.feasible[np.arange(len(second)), second], second, -1)


def weights_from(priorities: np.ndarray) -> np.ndarray:
    """Priorities 0-5 (..., 5) -> weights summing to 1; all zeros means equal weights."""
    priorities = np.asarray(priorities, dtype=float)
    total = priorities.sum(axis=-1, keepdims=True)
    equal = np.full_like(priorities, 1.0 / priorities.shape[-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, priorities / np.where(total > 0, total, 1.0), equal)


def axis_fits(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4 runtimes, 4 axes) fits in [0, 1] and the (rules, n) mask of which rules applied."""
    kb = knowledge()
    base, axis_rules, _ = axis_model()
    n = len(frame)
    fits = np.broadcast_to(base, (n, *base.shape)).copy()
    masks = np.zeros((len(axis_rules), n), dtype=bool)
    for index, rule in enumerate(axis_rules):
        mask = evaluate(rule.when, frame, kb)
        masks[index] = mask
        if not mask.any():
            continue
        delta = np.zeros(base.shape)
        for axis, by_runtime in rule.effects.items():
            for runtime, value in by_runtime.items():
                delta[RUNTIMES.index(runtime), AXES.index(axis)] += value
        fits[mask] += delta
    return np.clip(fits, 0.0, 1.0), masks


def cost_fits(monthly: np.ndarray, feasible: np.ndarray, floor: float) -> np.ndarray:
    """Cost fit in (0, 1]: 1 for the cheapest feasible runtime, falling with the log of the ratio."""
    candidates = np.where(feasible & np.isfinite(monthly), monthly, np.nan)
    any_candidate: np.ndarray = np.asarray(np.isfinite(candidates).any(axis=1))
    fallback = np.where(np.isfinite(monthly), monthly, np.nan)
    any_fallback: np.ndarray = np.asarray(np.isfinite(fallback).any(axis=1))
    with np.errstate(all="ignore"):
        cheapest = np.where(any_candidate, np.nanmin(np.where(any_candidate[:, None], candidates, 0.0), axis=1),
                            np.nanmin(np.where(any_fallback[:, None], fallback, 0.0), axis=1))
        ratio = (monthly + floor) / (cheapest[:, None] + floor)
        fit = 1.0 / (1.0 + np.log2(np.maximum(ratio, 1.0)))
    return np.where(np.isfinite(fit), fit, 0.0)


def rank(score: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Runtime indices per row, best first: feasible runtimes before infeasible ones (hard limits win),
    then by score; ties keep the runtime order. The one ranking rule of serving and training."""
    key = feasible.astype(float) * 10.0 + score
    return np.argsort(-key, axis=1, kind="stable")


def first_place(score: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Index of the first-place runtime per row under `rank`, -1 where none is feasible."""
    first = rank(np.asarray(score, dtype=float), feasible)[:, 0]
    return np.where(feasible[np.arange(len(first)), first], first, -1)


def _confidence(components: np.ndarray, priorities: np.ndarray, feasible: np.ndarray,
                first: np.ndarray, samples: int, spread: float, chunk: int = 65536,
                blend: tuple[float, np.ndarray | None] = (1.0, None)) -> np.ndarray:
    """Share of sampled priority weightings (fixed seed, `assume.seed`) under which `first` stays first.

    Each sample scales every priority by its own log-normal factor, `(p + 0.25) * exp(N(0, spread))`,
    the same factors for every row, so a run repeats. Normalising weights divides all four runtimes'
    scores by the same positive number and cannot change which leads, so the scores of all samples
    are one matrix product: (components * (p + 0.25)) @ exp(noise).T. Ties keep first place. A learned
    blend (scale, offset) is applied to each sample as it is to the score.
    """
    rng = np.random.default_rng(int(knowledge().number("assume.seed")))
    factors = np.exp(rng.normal(0.0, spread, size=(samples, priorities.shape[1]))).astype(np.float32)
    n, runtimes, parts = components.shape
    out = np.zeros(n)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        parts_of_rows = components[start:stop]
        scale, offset = blend
        if offset is not None:
            # The blended score of a sample is scale * (rule part, a weighted mean) + offset. Multiplying
            # through by the sample's positive weight total keeps the order and folds the offset into
            # every component: (scale * component + offset) weighted by the same sampled priorities.
            parts_of_rows = scale * parts_of_rows + offset[start:stop, :, None]
        weighted = parts_of_rows * (priorities[start:stop, None, :] + 0.25)
        scores = (weighted.reshape(-1, parts).astype(np.float32) @ factors.T).reshape(stop - start, runtimes, samples)
        leader = scores[np.arange(stop - start), first[start:stop], :]  # (rows, samples)
        stays = np.ones_like(leader, dtype=bool)
        for k in range(runtimes):
            stays &= (leader >= scores[:, k, :]) | ~feasible[start:stop, k, None]
        out[start:stop] = stays.mean(axis=1)
    any_feasible = feasible.any(axis=1)
    return np.where(any_feasible, out, 0.0)


def score_frame(frame: pd.DataFrame, free_tier: bool = False, blend: BlendParts | None = None,
                pricing: str = "on-demand", shared_vpc: bool = False) -> Scored:
    """Run feasibility, axis fit, cost, weighting, ranking and confidence for every row.

    `blend` plugs in a learned calibration from above (`advisor.learn.blend.blend_parts`); the engine
    itself never imports `advisor.learn`. Without it the score is the rules' weighted mean. `pricing`
    is how compute is bought (engine/rates.py PRICING_CHOICES); each row is priced in its own Region.
    `shared_vpc`: the rows are a portfolio whose container workloads share one VPC (engine/cost.py estimate).
    """
    kb = knowledge()
    n = len(frame)
    b_rules, b_masks = blocker_masks(frame)
    c_rules, c_masks = caution_masks(frame)
    feasible = feasible_matrix(b_rules, b_masks, n)
    axes, rule_masks = axis_fits(frame)
    cost = estimate(frame, kb, free_tier=free_tier, pricing=pricing, shared_vpc=shared_vpc)
    monthly = cost.totals()
    cost_fit = cost_fits(monthly, feasible, kb.number("assume.cost_floor_usd"))
    priorities = frame[list(PRIORITY_FIELDS)].to_numpy(dtype=float)
    weights = weights_from(priorities)
    components = np.concatenate([axes, cost_fit[:, :, None]], axis=2)  # (n, 4, 5)
    score = np.einsum("nkc,nc->nk", components, weights)
    # Learned calibration, when the caller plugs one in: score = scale * rule score + offset. It stays in
    # [0, 1] and `rank` puts feasible runtimes first, so hard limits still win. The confidence sampler
    # re-weights the rule part and adds the model's part unchanged.
    blend_scale, blend_offset = blend(frame, axes, cost_fit, score, feasible) if blend else (1.0, None)
    if blend_offset is not None:
        score = blend_scale * score + blend_offset
    order = rank(score, feasible)
    confidence = _confidence(components, priorities, feasible, order[:, 0],
                             int(kb.number("assume.confidence_samples")), kb.number("assume.confidence_spread"),
                             blend=(blend_scale, blend_offset))
    return Scored(frame, axes, cost, monthly, cost_fit, weights, score, feasible, order, confidence,
                  rule_masks, b_rules, b_masks, c_rules, c_masks, blend)
