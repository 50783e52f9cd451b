"""The data behind the HTML report's priority sliders (no browser: tests/test_browser_priorities.py drives one).

The page re-weights numbers the engine worked out; these tests pin that the numbers are the engine's:
the learned blend written out as a LinearBlend gives the blended scores `score_profiles` gives, for any
priorities, and the JSON block in the page carries exactly those numbers, escaped.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from advisor import RUNTIMES
from advisor.api import load_profile, recommend, score_profiles, write_report
from advisor.engine.scoring import COMPONENTS, score_frame
from advisor.learn.blend import RULES_ONLY_ENV, active_model, blend_terms
from advisor.outputs.reports import write_report as write_without_blend
from advisor.outputs.reports.inline import json_block
from advisor.outputs.reports.interactive import DATA_ELEMENT_ID, DATA_FORMAT
from advisor.profile.fields import PRIORITY_FIELDS
from advisor.profile.frame import profiles_to_frame

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def page_data(html: str) -> dict:
    marker = f'<script type="application/json" id="{DATA_ELEMENT_ID}">'
    assert html.count(marker) == 1
    return json.loads(html.split(marker, 1)[1].split("</script>", 1)[0])


def rescore(data: dict, priorities: np.ndarray) -> np.ndarray:
    """The page's formula in numpy, from the embedded data only (the script does the same in the browser)."""
    total = priorities.sum()
    weights = priorities / total if total > 0 else np.full(len(COMPONENTS), 1 / len(COMPONENTS))
    fits = np.array([data["fits"][rt] for rt in RUNTIMES])
    rule = fits @ weights
    blend = data["blend"]
    if blend is None:
        return rule
    logit = np.array([blend["constant"][rt] + np.dot(blend["priority"][rt], priorities)
                      + np.dot(blend["score"][rt], rule) for rt in RUNTIMES])
    probability = 1 / (1 + np.exp(-np.clip(logit, -blend["clip"], blend["clip"])))
    return (1 - blend["weight"]) * rule + blend["weight"] * probability


def test_priorities_map_onto_the_components_in_order() -> None:
    assert [f"priority_{c}" for c in COMPONENTS] == list(PRIORITY_FIELDS)


@pytest.mark.parametrize("example", ["thumbnailer", "nightly-etl", "gpu-trainer", "legacy-dotnet-api"])
def test_the_blends_terms_give_the_engines_scores_for_any_priorities(example: str) -> None:
    model = active_model()
    assert model is not None and model.used, "the bundled model is expected to be blended in"
    profile = load_profile(str(EXAMPLES / f"{example}.yaml"))
    rng = np.random.default_rng(len(example))
    weightings = [*rng.integers(0, 6, size=(60, 5)), np.zeros(5, dtype=int), np.full(5, 5)]
    profiles = [dataclasses.replace(profile, **dict(zip(PRIORITY_FIELDS, map(int, w), strict=True)))
                for w in weightings]
    engine = score_profiles(profiles)
    rules = score_frame(profiles_to_frame([profile]))  # the rule parts, which do not depend on priorities
    terms = blend_terms(rules.frame, rules.axes, rules.cost_fit, rules.feasible)
    assert terms is not None
    components = np.concatenate([rules.axes[0], rules.cost_fit[0][:, None]], axis=1)
    for i, weighting in enumerate(np.asarray(weightings, dtype=float)):
        weights = weighting / weighting.sum() if weighting.sum() else np.full(5, 0.2)
        rule = components @ weights
        logit = terms.constant[0] + terms.priority[0] @ weighting + terms.score[0] @ rule
        blended = (1 - terms.weight) * rule + terms.weight / (1 + np.exp(-np.clip(logit, -terms.clip, terms.clip)))
        np.testing.assert_allclose(blended, engine.score[i], rtol=0, atol=1e-12)


def test_the_page_carries_the_engines_numbers(tmp_path: Path) -> None:
    profile = load_profile(str(EXAMPLES / "nightly-etl.yaml"))
    rec = recommend(profile)
    html = write_report(rec, profile, tmp_path / "r.html")[0].read_text("utf-8")
    data = page_data(html)
    assert data["format"] == DATA_FORMAT and data["runtimes"] == list(RUNTIMES)
    assert data["components"] == list(COMPONENTS)
    assert data["priorities"] == [getattr(profile, f) for f in PRIORITY_FIELDS]
    assert data["recommendation"] == rec.recommendation
    assert data["feasible"] == {r.runtime: r.feasible for r in rec.ranking} and not data["feasible"]["lambda"]
    assert data["blend"] is not None and data["blend"]["weight"] == rec.extra["model"]["blend_weight"]
    for weighting in ((4, 3, 3, 3, 4), (0, 0, 0, 0, 0), (1, 5, 0, 2, 5)):
        other = recommend(dataclasses.replace(profile, **dict(zip(PRIORITY_FIELDS, weighting, strict=True))))
        scores = rescore(data, np.array(weighting, dtype=float))
        assert {rt: round(float(s), 3) for rt, s in zip(RUNTIMES, scores, strict=True)} == \
            {r.runtime: r.score for r in other.ranking}


def test_without_the_blends_terms_a_blended_recommendation_gets_no_sliders(tmp_path: Path) -> None:
    profile = load_profile(str(EXAMPLES / "thumbnailer.yaml"))
    rec = recommend(profile)
    html = write_without_blend(rec, profile, tmp_path / "r.html")[0].read_text("utf-8")
    assert "<script" not in html and 'name="priority_cost"' not in html
    assert "script-src &#39;none&#39;" in html  # the CSP allows no script at all


def test_rules_only_scoring_gets_sliders_without_a_blend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RULES_ONLY_ENV, "1")
    profile = load_profile(str(EXAMPLES / "thumbnailer.yaml"))
    rec = recommend(profile)
    assert rec.extra["model"]["used"] is False
    data = page_data(write_report(rec, profile, tmp_path / "r.html")[0].read_text("utf-8"))
    assert data["blend"] is None
    scores = rescore(data, np.array(data["priorities"], dtype=float))
    assert {rt: round(float(s), 3) for rt, s in zip(RUNTIMES, scores, strict=True)} == \
        {r.runtime: r.score for r in rec.ranking}


def test_the_json_block_can_hold_any_text_and_never_end_the_script() -> None:
    hostile = {"a": "</script><script>alert(1)</script>", "b": "<!-- x --> & \u2028\u2029", "c": [1.5, None]}
    text = str(json_block(hostile))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == hostile
    with pytest.raises(ValueError):
        json_block({"x": float("nan")})
