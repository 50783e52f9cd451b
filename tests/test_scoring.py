"""Weights, ranking, confidence and the rule data's validation."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.api import recommend
from advisor.engine.scoring import axis_model, cost_fits, weights_from
from advisor.errors import KnowledgeBaseError
from advisor.knowledge.base import _fact, knowledge
from advisor.knowledge.conditions import evaluate, validate
from advisor.profile.fields import build_profile
from advisor.profile.frame import profiles_to_frame


def test_weights_are_normalised_priorities() -> None:
    assert np.allclose(weights_from(np.array([[5, 0, 5, 0, 0]])), [[0.5, 0, 0.5, 0, 0]])
    assert np.allclose(weights_from(np.zeros((1, 5))), [[0.2] * 5])


def test_cost_fit_is_one_for_the_cheapest_feasible() -> None:
    fits = cost_fits(np.array([[10.0, 100.0, np.nan, 1000.0]]), np.array([[False, True, True, True]]), 50.0)
    assert fits[0, 1] == 1.0
    assert fits[0, 2] == 0.0
    assert fits[0, 3] < fits[0, 1]
    assert fits[0, 0] == 1.0, "an infeasible but cheaper runtime still gets the top fit"


def test_priorities_move_the_answer() -> None:
    base = {"name": "x", "workload_type": "http_api", "containerized": True, "k8s_experience": "expert",
            "ops_capacity": "platform_team", "existing_platform": "eks", "traffic_pattern": "steady"}
    assert recommend(build_profile(base)).recommendation == "eks"
    simple = {**base, "existing_platform": "none", "k8s_experience": "none", "ops_capacity": "none",
              "priority_simplicity": 5, "priority_flexibility": 0, "priority_hybridity": 0}
    assert recommend(build_profile(simple)).recommendation in ("lambda", "ecs_fargate")


def test_confidence_repeats_and_drops_in_close_calls() -> None:
    profile = build_profile({"name": "x"})
    first, second = recommend(profile), recommend(profile)
    assert first.confidence == second.confidence
    clear = recommend(build_profile({"name": "t", "workload_type": "event_handler", "ops_capacity": "none",
                                     "traffic_pattern": "sporadic", "priority_simplicity": 5}))
    assert clear.confidence >= 0.9


def test_reasons_explain_each_runtime() -> None:
    rec = recommend(build_profile({"name": "x", "k8s_experience": "expert", "containerized": True}))
    eks_reasons = " ".join(rec.result("eks").reasons)
    assert "fluent in Kubernetes" in eks_reasons
    assert all(r.reasons for r in rec.ranking)
    assert any("a month" in reason for reason in rec.result("lambda").reasons)


def test_rules_file_is_valid() -> None:
    base, rules, _ = axis_model()
    assert base.shape == (4, 4)
    assert len({rule.id for rule in rules}) == len(rules)


def test_conditions_reject_unknown_fields_ops_and_facts() -> None:
    kb = knowledge()
    with pytest.raises(KnowledgeBaseError, match="unknown profile field 'speed'"):
        validate([{"field": "speed", "op": "eq", "value": 1}], "here", kb)
    with pytest.raises(KnowledgeBaseError, match="unknown operator 'like'"):
        validate([{"field": "os", "op": "like", "value": "lin%"}], "here", kb)
    with pytest.raises(KnowledgeBaseError, match=r"no fact named 'lambda\.nope'"):
        validate([{"field": "vcpu", "op": "gt", "value": {"fact": "lambda.nope"}}], "here", kb)


def test_conditions_evaluate_without_eval() -> None:
    frame = profiles_to_frame([build_profile({"name": "a", "os": "windows", "vcpu": 8}),
                               build_profile({"name": "b", "protocols": ["grpc"]})])
    kb = knowledge()
    assert list(evaluate([{"field": "os", "op": "eq", "value": "windows"}], frame, kb)) == [True, False]
    assert list(evaluate({"any": [{"field": "vcpu", "op": "gt", "value": 4},
                                  {"field": "protocols", "op": "has", "value": "grpc"}]}, frame, kb)) == [True, True]
    assert list(evaluate({"not": [{"field": "latency_slo_ms", "op": "set"}]}, frame, kb)) == [True, True]
    assert list(evaluate([{"field": "vcpu", "op": "gt", "value": {"fact": "lambda.max_vcpu"}}], frame, kb)) == [
        True, False]


def test_facts_need_source_and_date() -> None:
    with pytest.raises(KnowledgeBaseError, match="missing 'source'"):
        _fact("lambda.x", {"value": 1, "as_of": "2026-11-26"}, "runtimes.yaml")
    with pytest.raises(KnowledgeBaseError, match="as_of must be a date"):
        _fact("lambda.x", {"value": 1, "source": "s", "as_of": "last week"}, "runtimes.yaml")


def test_every_fact_in_the_knowledge_base_is_cited() -> None:
    kb = knowledge()
    assert len(kb.facts) > 100
    for fact in kb.facts.values():
        assert fact.source.strip() and fact.as_of
        if not fact.key.startswith("assume."):
            assert fact.url.startswith("https://"), fact.key
        assert fact.verified in {"aws_docs", "third_party", "unconfirmed", "assumption"}, fact.key
