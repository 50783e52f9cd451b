"""Cost model: AWS's own Lambda worked example, valid Fargate sizes, instance packing, line items."""

from __future__ import annotations

import pytest

from advisor.api import recommend, score_profiles
from advisor.profile.fields import build_profile

# AWS Lambda pricing page example: 512 MB, 3 million invocations of 1 s each in a month, x86_64. A 512 MB
# function has about 0.29 vCPU (one per 1,769 MB), so the profile asks for 0.25 vCPU: with the default of 1
# vCPU Lambda would be priced at 1,769 MB (tests/test_cost_items.py).
AWS_EXAMPLE = {"name": "aws-example", "workload_type": "event_handler", "memory_mb": 512, "avg_duration_ms": 1000,
               "requests_per_month": 3_000_000, "arch": "x86_64", "ephemeral_storage_gb": 0.5, "vcpu": 0.25}


def lambda_lines(data: dict, free_tier: bool = False) -> dict[str, float]:
    scored = score_profiles([build_profile(data)], free_tier=free_tier)
    return {name: float(values[0]) for name, values in scored.cost.lines["lambda"].items()}


def test_aws_worked_example_without_free_tier() -> None:
    lines = lambda_lines(AWS_EXAMPLE)
    assert round(lines["compute"], 2) == 25.00
    assert round(lines["requests"], 2) == 0.60
    assert lines["ephemeral_storage"] == 0
    assert all(value == 0 for name, value in lines.items() if name.startswith("front_door"))


def test_aws_worked_example_with_free_tier() -> None:
    lines = lambda_lines(AWS_EXAMPLE, free_tier=True)
    assert round(lines["requests"], 2) == 0.40
    # AWS quotes $18.34 + $0.40 = $18.74, rounding the GB-second price to $0.00001667. The example predates
    # INIT billing (August 2025), which the model adds as its own line.
    assert lines["compute"] + lines["requests"] == pytest.approx(18.74, abs=0.01)
    assert lines["init"] > 0


def test_free_tier_flag_reaches_the_output() -> None:
    rec = recommend(build_profile(AWS_EXAMPLE), free_tier=True)
    assert rec.to_dict()["free_tier"] is True


def test_arm64_is_cheaper_per_gb_second() -> None:
    x86 = lambda_lines(AWS_EXAMPLE)["compute"]
    arm = lambda_lines({**AWS_EXAMPLE, "arch": "arm64"})["compute"]
    assert arm == pytest.approx(x86 * 0.0000133334 / 0.0000166667, rel=1e-6)


def test_lambda_memory_follows_vcpu() -> None:
    quarter = lambda_lines(AWS_EXAMPLE)["compute"]
    two = lambda_lines({**AWS_EXAMPLE, "vcpu": 2})["compute"]
    assert quarter == pytest.approx(25.0, abs=0.01)
    assert two == pytest.approx(quarter * 2 * 1769 / 512, rel=1e-9)


def test_http_api_on_lambda_pays_for_api_gateway() -> None:
    lines = lambda_lines({**AWS_EXAMPLE, "workload_type": "http_api"})
    assert lines["front_door_http_api"] == pytest.approx(3.00)


@pytest.mark.parametrize(("vcpu", "memory_mb", "expected"), [
    (0.25, 512, (0.25, 0.5)), (1, 1024, (1, 2)), (1.5, 1024, (2, 4)), (2, 9000, (2, 9)),
    (4, 31000, (8, 32)), (16, 122880, (16, 120)), (0.1, 100, (0.25, 0.5)),
])
def test_fargate_rounds_up_to_a_valid_size(vcpu: float, memory_mb: float, expected: tuple[float, float]) -> None:
    scored = score_profiles([build_profile({"name": "x", "vcpu": vcpu, "memory_mb": memory_mb})])
    assert (scored.cost.fargate_vcpu[0], scored.cost.fargate_memory_gb[0]) == expected


def test_fargate_beyond_the_largest_size_has_no_price() -> None:
    rec = recommend(build_profile({"name": "x", "vcpu": 32, "memory_mb": 262144}))
    assert rec.result("ecs_fargate").monthly_cost_usd is None
    assert rec.result("ecs_fargate").sizing == "no valid task size"


def test_jobs_pay_per_run_and_services_stay_up() -> None:
    job = build_profile({"name": "j", "workload_type": "batch_job", "vcpu": 1, "memory_mb": 2048,
                         "avg_duration_ms": 3_600_000, "requests_per_month": 30})
    scored = score_profiles([job])
    # 30 runs of 1 hour on a 1 vCPU / 2 GB task at the Linux x86 rates.
    expected = 30 * (1 * 0.04048 + 2 * 0.004445)
    assert scored.cost.lines["ecs_fargate"]["compute"][0] == pytest.approx(expected, rel=1e-6)
    assert scored.cost.lines["ecs_fargate"]["front_door_alb"][0] == 0
    service = score_profiles([build_profile({"name": "s", "workload_type": "http_api", "requests_per_month": 0})])
    hourly = 1 * 0.04048 + 2 * 0.004445
    assert service.cost.lines["ecs_fargate"]["compute"][0] == pytest.approx(2 * 730 * hourly, rel=1e-6)
    assert service.cost.lines["ecs_fargate"]["front_door_alb"][0] > 0


def test_eks_adds_its_control_plane_and_ec2_packs_instances() -> None:
    rec = recommend(build_profile({"name": "x", "workload_type": "http_api"}))
    assert rec.result("eks").cost_breakdown["control_plane"] == pytest.approx(73.0)
    assert "x" in rec.result("ecs_ec2").sizing


def test_gpu_work_lands_on_gpu_instances() -> None:
    rec = recommend(build_profile({"name": "g", "workload_type": "ml_training", "gpu": 4, "vcpu": 32,
                                   "memory_mb": 150_000, "requests_per_month": 10, "avg_duration_ms": 3_600_000}))
    assert rec.result("ecs_ec2").sizing.startswith("g5.")
    assert rec.result("lambda").feasible is False


def test_breakdown_sums_to_total() -> None:
    rec = recommend(build_profile({"name": "x", "workload_type": "http_api", "protocols": ["http", "udp"]}))
    for result in rec.ranking:
        assert result.monthly_cost_usd == pytest.approx(sum(result.cost_breakdown.values()), abs=0.02)
