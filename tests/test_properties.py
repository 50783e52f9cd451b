"""Properties that must hold for every valid profile (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import RUNTIMES
from advisor.api import known_regions, recommend, score_profiles
from advisor.knowledge.managed import products
from advisor.profile.fields import FIELDS, PROTOCOLS, build_profile

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(spec: Any) -> st.SearchStrategy[Any]:
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "region":
        return st.sampled_from(known_regions())
    if spec.kind == "protocols":
        return st.lists(st.sampled_from(PROTOCOLS), min_size=1, max_size=3, unique=True)
    if spec.kind == "string":  # backing_service: a known product, or any text (unknown ones get no alternative)
        return st.one_of(st.sampled_from([p.key for p in products()]), st.text(max_size=20))
    if spec.kind == "capabilities":
        return st.lists(st.sampled_from(spec.choices), max_size=3, unique=True)
    if spec.kind == "instance_types":  # named catalogue, packing catalogue, x86 and Graviton, and an unknown name
        return st.lists(st.sampled_from(["inf1.xlarge", "g5.2xlarge", "c7gn.large", "m7i.large", "p5.48xlarge",
                                         "zz9.huge"]), max_size=2, unique=True)
    if spec.name.startswith("priority_"):
        return st.integers(0, 5)
    if spec.name == "gpu":
        return st.integers(0, 16)
    if spec.name == "peak_concurrency":
        return st.integers(1, 100_000)
    if spec.name == "latency_slo_ms":
        return st.one_of(st.none(), st.floats(1, 60_000))
    low = 0.0 if not spec.exclusive_minimum else 0.01
    high = {"vcpu": 1000, "memory_mb": 5_000_000, "ephemeral_storage_gb": 10_000, "artifact_size_mb": 50_000,
            "max_duration_s": 200_000, "avg_duration_ms": 10_000_000, "requests_per_month": 1e11}[spec.name]
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


profiles = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")},
    optional={spec.name: _value(spec) for spec in FIELDS if spec.name not in ("name", "description")},
).map(lambda data: build_profile(data))


@SETTINGS
@given(profiles)
def test_no_valid_profile_crashes_the_engine(profile: Any) -> None:
    rec = recommend(profile)
    data = rec.to_dict()
    assert [r["runtime"] for r in data["ranking"]].count("lambda") == 1
    assert sorted(r["runtime"] for r in data["ranking"]) == sorted(RUNTIMES)
    assert 0.0 <= rec.confidence <= 1.0
    feasible_flags = [r.feasible for r in rec.ranking]
    assert feasible_flags == sorted(feasible_flags, reverse=True), "feasible runtimes come first"
    if rec.recommendation is not None:
        assert rec.result(rec.recommendation).feasible
    for result in rec.ranking:
        assert result.feasible is (not result.blockers)
        assert all(0.0 <= v <= 1.0 for v in result.axes.values())
        if result.monthly_cost_usd is not None:
            assert result.monthly_cost_usd >= 0
            assert abs(sum(result.cost_breakdown.values()) - result.monthly_cost_usd) < 0.05


RAISABLE = {"max_duration_s": 2.0, "memory_mb": 2.0, "vcpu": 2.0, "gpu": 1, "ephemeral_storage_gb": 2.0,
            "artifact_size_mb": 2.0}


@SETTINGS
@given(profiles, st.sampled_from(sorted(RAISABLE)))
def test_raising_a_requirement_never_makes_an_infeasible_runtime_feasible(profile: Any, field: str) -> None:
    step = RAISABLE[field]
    current = getattr(profile, field)
    raised = profile.replace(**{field: current + step if field == "gpu" else max(current * step, current + 1)})
    before, after = score_profiles([profile]), score_profiles([raised])
    newly_feasible = after.feasible[0] & ~before.feasible[0]
    assert not newly_feasible.any(), f"raising {field} made {np.array(RUNTIMES)[newly_feasible]} feasible"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles, min_size=2, max_size=6))
def test_single_profile_and_frame_paths_agree(batch: list[Any]) -> None:
    together = score_profiles(batch)
    for i, profile in enumerate(batch):
        alone = score_profiles([profile])
        assert np.array_equal(alone.feasible[0], together.feasible[i])
        assert np.allclose(alone.score[0], together.score[i])
        assert np.allclose(alone.monthly_cost[0], together.monthly_cost[i], equal_nan=True)
        assert np.array_equal(alone.order[0], together.order[i])
        assert np.isclose(alone.confidence[0], together.confidence[i])
