"""The single-workload report's priority sliders: the data its inline script re-weights.

A reader who weighs things differently moves the five priorities in the page and sees the ranking the
engine would give. The page does not hold a copy of any rule: everything the engine works out that
does not depend on the priorities is embedded as numbers (each runtime's four axis fits and cost fit,
its feasibility, and the learned blend's terms as a `LinearBlend`), and the script in
templates/reports/single.js only applies the engine's weighting to them:

    weights = priorities / their sum (equal weights when all are 0)
    rule score[k] = sum over the five components of fit[k][c] * weights[c]
    learned blend (when on): logit[k] = constant[k] + priority[k] . priorities + score[k] . rule scores
                             score[k] = (1 - w) * rule score[k] + w / (1 + exp(-clip(logit[k])))
    ranking: feasible runtimes first (key = 10 * feasible + score), highest score first, ties in runtime order

What the page cannot redo (confidence, what would change the answer, the reasons, the checklist) is
labelled as worked out for the profile's own priorities once the sliders move.
"""

from __future__ import annotations

from typing import Any

from advisor import RUNTIME_LABELS, RUNTIMES
from advisor.engine.explain import Recommendation
from advisor.engine.scoring import COMPONENTS, BlendTerms
from advisor.outputs.reports import charts
from advisor.profile.fields import PRIORITY_FIELDS, WorkloadProfile

DATA_FORMAT = "advisor-report-priorities"
DATA_VERSION = 1
DATA_ELEMENT_ID = "advisor-priorities-data"
SCRIPT_FILE = "single.js"


def blend_was_used(recommendation: Recommendation) -> bool:
    """Whether the recommendation's scores include the learned blend (its `model` output field says so)."""
    model = recommendation.extra.get("model")
    return bool(isinstance(model, dict) and model.get("used"))


def priorities_data(recommendation: Recommendation, profile: WorkloadProfile,
                    blend: BlendTerms | None) -> dict[str, Any] | None:
    """The numbers the page's script re-weights, or None when it could not reproduce the engine's scores
    (the recommendation was blended with the learned model but no `blend` terms were given)."""
    import numpy as np

    from advisor.engine.scoring import score_frame
    from advisor.profile.frame import profiles_to_frame
    from advisor.profile.units import format_usd as money

    scored = score_frame(profiles_to_frame([profile]), free_tier=recommendation.free_tier)  # rule parts only
    terms = blend(scored.frame, scored.axes, scored.cost_fit, scored.feasible) if blend is not None else None
    if blend_was_used(recommendation) != (terms is not None):
        return None
    fits = np.concatenate([scored.axes[0], scored.cost_fit[0][:, None]], axis=1)  # (4 runtimes, 5 components)
    by_id = {result.runtime: result for result in recommendation.ranking}
    top, _ = charts.bar_scale([], 1.0)  # the score chart's scale (scores run from 0 to 1)
    return {
        "format": DATA_FORMAT,
        "version": DATA_VERSION,
        "runtimes": list(RUNTIMES),
        "labels": {runtime: RUNTIME_LABELS[runtime] for runtime in RUNTIMES},
        "components": list(COMPONENTS),
        "priorities": [int(getattr(profile, field)) for field in PRIORITY_FIELDS],
        "recommendation": recommendation.recommendation or "",
        "fits": {runtime: [float(v) for v in fits[k]] for k, runtime in enumerate(RUNTIMES)},
        "feasible": {runtime: bool(scored.feasible[0, k]) for k, runtime in enumerate(RUNTIMES)},
        "blend": None if terms is None else {
            "weight": float(terms.weight),
            "clip": float(terms.clip),
            "constant": {runtime: float(terms.constant[0, k]) for k, runtime in enumerate(RUNTIMES)},
            "priority": {runtime: [float(v) for v in terms.priority[0, k]] for k, runtime in enumerate(RUNTIMES)},
            "score": {runtime: [float(v) for v in terms.score[0, k]] for k, runtime in enumerate(RUNTIMES)},
        },
        "cost_text": {runtime: money(by_id[runtime].monthly_cost_usd) for runtime in RUNTIMES},
        "bars": {"x": charts.BAR_LABEL_WIDTH, "plot_width": charts.BAR_PLOT_WIDTH, "top": top,
                 "row_height": charts.BAR_ROW_HEIGHT},
    }
