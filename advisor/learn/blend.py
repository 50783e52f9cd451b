"""Blending the learned model into the rule score, inside `score_frame`.

final score = (1 - w) * rule score + w * model probability, applied only when models/model.json says
the blend's nested cross-validated accuracy is higher than the rules alone (`used`). Scores stay in [0, 1]
and `score_frame` ranks feasible runtimes first, so a hard limit always wins over the model.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from advisor.learn.model_file import RuntimeModel, default_model_path, load_model

if TYPE_CHECKING:
    from advisor.engine.scoring import LinearBlend

RULES_ONLY_ENV = "ADVISOR_RULES_ONLY"
"""Set to 1 to score with the hand-set rules alone, whatever models/model.json says."""
_rules_only_depth = 0


@contextlib.contextmanager
def rules_only() -> Iterator[None]:
    """Score with the rules alone inside this block (training needs the unblended rule outputs)."""
    global _rules_only_depth
    _rules_only_depth += 1
    try:
        yield
    finally:
        _rules_only_depth -= 1


def blending_disabled() -> bool:
    return _rules_only_depth > 0 or os.environ.get(RULES_ONLY_ENV, "").strip() not in ("", "0")


@functools.cache
def active_model() -> RuntimeModel | None:
    """The packaged models/model.json, read once per process; None before any model was trained."""
    path = default_model_path()
    if not path.exists():
        return None
    return load_model(path)


def blend_parts(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
                feasible: np.ndarray, model: RuntimeModel | None = None) -> tuple[float, np.ndarray | None]:
    """(scale, offset) with blended score = scale * rule score + offset; (1.0, None) when the blend is off.

    The offset (w * model probability) does not depend on the priorities, which lets a caller that
    re-weights the rule components (the confidence sampler) add the model's part unchanged.
    """
    if blending_disabled():
        return 1.0, None
    model = model if model is not None else active_model()
    if model is None or not model.used or model.blend_weight <= 0 or len(score) == 0:
        return 1.0, None
    probability = model.predict_proba(frame, axes, cost_fit, score, feasible)
    return 1.0 - model.blend_weight, model.blend_weight * probability


def apply_blend(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
                feasible: np.ndarray, model: RuntimeModel | None = None) -> np.ndarray:
    """The score `score_frame` ranks by: (1 - w) * rule score + w * model probability where the blend is
    used, else the rule score unchanged."""
    scale, offset = blend_parts(frame, axes, cost_fit, score, feasible, model)
    if offset is None:
        return score
    return scale * score + offset


def blend_terms(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, feasible: np.ndarray,
                model: RuntimeModel | None = None) -> LinearBlend | None:
    """The blend `blend_parts` applies, as numbers a reader can re-weight itself (None when it is off).

    The model's logit is linear in its features, and only two groups of them move with the priorities:
    the five raw priorities and the four rule scores. Their coefficients are read from the model by
    feature name; the constant is the logit with those nine features at 0 (everything else as profiled).
    """
    from advisor import RUNTIMES
    from advisor.engine.scoring import LinearBlend
    from advisor.learn.features import linear_scores
    from advisor.learn.model_file import LOGIT_CLIP
    from advisor.profile.fields import PRIORITY_FIELDS

    if blending_disabled():
        return None
    model = model if model is not None else active_model()
    if model is None or not model.used or model.blend_weight <= 0 or len(frame) == 0:
        return None
    names = list(model.feature_names)
    weights = model.weights
    priority = weights[:, [names.index(field) for field in PRIORITY_FIELDS]]
    score = weights[:, [names.index(f"score_{runtime}") for runtime in RUNTIMES]]
    zeroed = frame.copy()
    zeroed[list(PRIORITY_FIELDS)] = 0
    constant = linear_scores(zeroed, axes, cost_fit, np.zeros((len(frame), len(RUNTIMES))), feasible,
                             model.categories, weights, model.bias)
    n = len(frame)
    return LinearBlend(model.blend_weight, LOGIT_CLIP, constant,
                       np.broadcast_to(priority, (n, *priority.shape)).copy(),
                       np.broadcast_to(score, (n, *score.shape)).copy())


def model_summary() -> dict[str, Any]:
    """The `model` output field: whether the blend was used, its weight and the nested cross-validated accuracies."""
    model = active_model()
    if model is None:
        return {"used": False, "blend_weight": 0.0, "cv_accuracy_rules": None, "cv_accuracy_blend": None}
    summary = model.summary()
    if blending_disabled() or not model.used:
        summary.update(used=False, blend_weight=0.0)
    return summary
