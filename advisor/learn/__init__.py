"""Learned calibration: a cited reference corpus, a model that must beat the rules to be used, similar workloads.

Only numpy and pandas are needed to apply a trained model (`advisor.learn.blend`) or find similar
reference workloads (`advisor.learn.similar`); scikit-learn is imported by training and evaluation only.
"""

from __future__ import annotations

from typing import Any


def provider(profile: Any, scored: Any, recommendation: Any) -> dict[str, Any]:
    """Extra output fields for `recommend`: `model` (was the blend used?) and `similar` (3 nearest references)."""
    from advisor.learn.blend import model_summary
    from advisor.learn.similar import similar_workloads

    return {"model": model_summary(), "similar": similar_workloads(scored.frame.iloc[[0]])[0]}
