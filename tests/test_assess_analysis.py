"""Portfolio analysis: platform consolidation (shared costs) and migration waves, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from advisor import RUNTIMES
from advisor.portfolio.consolidation import (
    ConsolidationAccumulator,
    ConsolidationSettings,
    PlatformPrices,
    chunk_partial,
    platform_parts,
)
from advisor.portfolio.waves import TRAITS, plan_waves

PRICES = PlatformPrices(control_plane=73.0, alb=16.425, nlb=16.425)
SCORE = np.array([[0.9, 0.8, 0.5, 0.4],    # w0: lambda first
                  [0.2, 0.7, 0.6, 0.5],    # w1: ecs_fargate first
                  [0.1, 0.3, 0.6, 0.9]])   # w2: eks first, only ecs_ec2 and eks feasible
FEASIBLE = np.array([[True] * 4, [True] * 4, [False, False, True, True]])
RECOMMENDATION = np.array([0, 1, 3])


def consolidate(share: bool = True, chunks: int = 1) -> list[dict]:
    accumulator = ConsolidationAccumulator(ConsolidationSettings(share, 2, 2), PRICES)
    variable = np.full((3, 4), 10.0)
    alb = np.array([False, True, True])
    nlb = np.zeros(3, dtype=bool)
    valid = np.ones(3, dtype=bool)
    names = np.array(["w0", "w1", "w2"], dtype=object)
    parts = [slice(0, 3)] if chunks == 1 else [slice(0, 1), slice(1, 3)]
    for part in parts:
        accumulator.add(chunk_partial(valid[part], RECOMMENDATION[part], SCORE[part], FEASIBLE[part],
                                      variable[part], alb[part], nlb[part], names[part]))
    return accumulator.result()


def test_best_set_per_k_by_unserved_then_fit_loss() -> None:
    result = consolidate()
    assert [entry["runtimes"] for entry in result] == [["eks"], ["ecs_fargate", "eks"],
                                                        ["lambda", "ecs_fargate", "eks"], list(RUNTIMES)]
    assert result[0]["fit_loss"] == pytest.approx((0.5 + 0.2 + 0.0) / 3, abs=1e-4)
    assert result[1]["fit_loss"] == pytest.approx(0.1 / 3, abs=1e-4)
    assert result[2]["fit_loss"] == 0 and result[3]["fit_loss"] == 0
    assert all(entry["unserved_count"] == 0 for entry in result)


def test_shared_platform_costs_are_spread() -> None:
    eks_only = consolidate()[0]
    # All three on EKS: 30 of compute, ceil(3 / 2) = 2 control planes, one ALB for the two web workloads.
    assert eks_only["monthly_cost_usd"] == pytest.approx(30 + 2 * 73 + 16.425, abs=0.01)
    # Unconstrained: one EKS workload (one control plane), one ALB on Fargate and one on EKS.
    assert eks_only["cost_change_usd"] == pytest.approx((30 + 2 * 73 + 16.425) - (30 + 73 + 2 * 16.425), abs=0.01)
    alone = consolidate(share=False)[0]
    assert alone["monthly_cost_usd"] == pytest.approx(30 + 3 * 73 + 2 * 16.425, abs=0.01)


def test_unserved_workloads_are_named_and_chunks_add_up() -> None:
    accumulator = ConsolidationAccumulator(ConsolidationSettings(True, 2, 2), PRICES)
    accumulator.add(chunk_partial(np.ones(3, dtype=bool), RECOMMENDATION, SCORE, FEASIBLE, np.full((3, 4), 10.0),
                                  np.zeros(3, dtype=bool), np.zeros(3, dtype=bool),
                                  np.array(["w0", "w1", "w2"], dtype=object)))
    total = accumulator.total
    assert total is not None
    lambda_only = next(i for i, entry in enumerate(total.unserved_names) if entry == ["w2"])
    assert total.unserved[lambda_only] == 1
    assert consolidate(chunks=2) == consolidate(chunks=1)


def test_platform_parts_split_the_engine_cost_exactly() -> None:
    """Variable cost plus the shared items rebuilds each runtime's monthly cost from advisor.engine.cost."""
    from advisor.api import score_profiles
    from advisor.profile.fields import build_profile

    profiles = [build_profile({"name": "api", "workload_type": "http_api", "protocols": "http;tcp"}),
                build_profile({"name": "job", "workload_type": "batch_job", "max_duration_s": "2h"})]
    scored = score_profiles(profiles)
    variable, alb, nlb = platform_parts(scored.frame, scored)
    prices = PlatformPrices.from_knowledge()
    assert alb.tolist() == [True, False] and nlb.tolist() == [True, False]
    for row in range(2):
        for k, runtime in enumerate(RUNTIMES):
            shared = 0.0
            if runtime != "lambda":
                shared += alb[row] * prices.alb + nlb[row] * prices.nlb
            if runtime == "eks":
                shared += float(scored.cost.lines["eks"]["control_plane"][row])
            assert variable[row, k] + shared == pytest.approx(scored.monthly_cost[row, k], rel=1e-9)


def groups(sizes: tuple[int, ...], seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Workloads in clear groups: easy Lambda, containerised Fargate, hard blocked ECS on EC2."""
    rng = np.random.default_rng(seed)
    index = {name: i for i, name in enumerate(TRAITS)}
    rows, recommendation = [], []
    for group, size in enumerate(sizes):
        for _ in range(size):
            row = np.zeros(len(TRAITS), dtype=np.float32)
            row[index["confidence"]] = (0.95, 0.8, 0.4)[group] + rng.normal(0, 0.02)
            row[index["containerized"]] = (0, 1, 0)[group]
            row[index["blocked_share"]] = (0, 0.25, 0.5)[group]
            row[index["host_access"]] = (0, 0, 1)[group]
            runtime = (0, 1, 2)[group]
            row[index[f"rec_{RUNTIMES[runtime]}"]] = 1
            row[index["log_cost"]] = (1.0, 2.5, 3.5)[group] + rng.normal(0, 0.05)
            rows.append(row)
            recommendation.append(runtime)
    features = np.array(rows)
    names = [f"w{i}" for i in range(len(rows))]
    return features, np.array(recommendation, dtype=np.int8), features[:, index["confidence"]], names


def test_automatic_waves_find_the_groups_easiest_first() -> None:
    features, recommendation, confidence, names = groups((60, 20, 20))
    plan = plan_waves(features, recommendation, confidence, names)
    assert plan["k"] == 3
    assert "highest mean silhouette" in plan["criterion"] and "easiest first" in plan["criterion"]
    assert [w["dominant_runtime"] for w in plan["waves"]] == ["ecs_fargate", "lambda", "ecs_ec2"]
    assert [w["size"] for w in plan["waves"]] == [20, 60, 20]
    assert len(plan["waves"][1]["workloads"]) == 50  # names are capped
    hard = plan["waves"][2]
    assert any("needs host access" in trait for trait in hard["traits"])
    assert hard["mean_confidence"] == pytest.approx(0.4, abs=0.02)
    assert plan == plan_waves(features, recommendation, confidence, names)  # fixed seed: same answer


def test_requested_waves_and_small_portfolios() -> None:
    features, recommendation, confidence, names = groups((5, 5, 5))
    two = plan_waves(features, recommendation, confidence, names, k=2)
    assert two["k"] == 2 and two["criterion"].startswith("2 waves asked for;")
    one = plan_waves(features[:1], recommendation[:1], confidence[:1], names[:1])
    assert one["k"] == 1 and one["waves"][0]["workloads"] == ["w0"]
    same = np.repeat(features[:1], 4, axis=0)
    reduced = plan_waves(same, recommendation[:4], confidence[:4], names[:4], k=3)
    assert reduced["k"] == 1 and "reduced to 1: only 1 distinct" in reduced["criterion"]
    empty = plan_waves(np.zeros((0, len(TRAITS)), np.float32), np.zeros(0, np.int8), np.zeros(0), [])
    assert empty == {"k": 0, "criterion": "no valid workloads to plan", "waves": []}
