"""Issue 13, items 1-8, and issue 12 item 4: each against a figure worked by hand in the docstring.

Rates used below are us-east-1's bundled ones (models/prices.yaml): Fargate Linux x86 $0.04048 per
vCPU-hour and $0.004445 per GB-hour, Lambda x86 $0.0000166667 per GB-second, EKS $0.10 per cluster-hour,
NAT gateway $0.045 per hour and per GB, public IPv4 $0.005 per hour; a month is 730 hours.
"""

from __future__ import annotations

import pytest

from advisor.api import recommend, score_profiles
from advisor.profile.fields import build_profile

FARGATE_1_2 = 1 * 0.04048 + 2 * 0.004445  # a 1 vCPU / 2 GB task-hour: $0.04937


def lines(data: dict, runtime: str, **options: object) -> dict[str, float]:
    scored = score_profiles([build_profile({"name": "w", **data})], **options)  # type: ignore[arg-type]
    return {name: float(values[0]) for name, values in scored.cost.lines[runtime].items()}


CPU_BOUND = {"workload_type": "event_handler", "vcpu": 1, "memory_mb": 2048, "avg_duration_ms": 30_000,
             "requests_per_month": 240_000, "traffic_pattern": "sporadic"}


def test_item1_container_compute_never_below_the_work_itself() -> None:
    """240,000 requests x 30 s x 1 vCPU = 2,000 vCPU-hours x $0.04048 = $80.96, and x 2 GB = 4,000 GB-hours x
    $0.004445 = $17.78: the work costs $98.74 at Fargate's rates, $123.43 with sporadic traffic's headroom
    (1 / 0.8). A 1 vCPU task serves one such request at a time: 2.74 in flight on average -> 3 tasks, plus a
    tenth of the way to the peak of 10 -> 3.7 tasks x 730 h x $0.04937 = $133.35 (was $36.04 with 10 per task).
    """
    fargate = lines(CPU_BOUND, "ecs_fargate")
    assert fargate["compute"] == pytest.approx(3.7 * 730 * FARGATE_1_2, rel=1e-6)
    assert fargate["compute"] >= 98.74 / 0.8 - 0.01
    scored = score_profiles([build_profile({"name": "w", **CPU_BOUND})])
    assert scored.cost.demand_floor["ecs_fargate"][0] == pytest.approx((2000 * 0.04048 + 4000 * 0.004445) / 0.8)


def test_item1_floor_binds_for_io_bound_work_at_volume() -> None:
    """An API at 1 billion requests of 1 s: 1e9 x 1 s / 3600 = 277,778 request-hours, each using 1/20 of a
    1 vCPU / 1 GB task -> 13,889 vCPU-hours and 13,889 GB-hours. At Fargate's rates on the 1 vCPU / 2 GB size
    that is $562.22 + $61.74 = $623.96, x 1/0.9 for steady traffic = $693.29; tasks alone (20 per task:
    381 in flight -> 20 tasks, steady peak share 1.0 with the cap of 2x) give 40 x 730 x $0.04937 = $1,441.60,
    above the floor, so the tasks stand."""
    api = {"workload_type": "http_api", "requests_per_month": 1e9, "avg_duration_ms": 1000,
           "traffic_pattern": "steady", "peak_concurrency": 1_000_000}
    scored = score_profiles([build_profile({"name": "w", **api})])
    floor = scored.cost.demand_floor["ecs_fargate"][0]
    assert floor == pytest.approx((1e9 / 3600 / 20) * (0.04048 + 1 * 0.004445) / 0.9, rel=1e-6)
    assert scored.cost.lines["ecs_fargate"]["compute"][0] >= floor


def test_item2_lambda_memory_covers_the_vcpu() -> None:
    """vcpu 1 needs 1,769 MB on Lambda: 3M x 1 s x 1,769/1,024 GB = 5,182,617 GB-s x $0.0000166667 = $86.38,
    not the $50.00 that 1,024 MB would cost."""
    data = {"workload_type": "event_handler", "vcpu": 1, "memory_mb": 1024, "avg_duration_ms": 1000,
            "requests_per_month": 3_000_000, "arch": "x86_64"}
    assert lines(data, "lambda")["compute"] == pytest.approx(86.38, abs=0.01)
    rec = recommend(build_profile({"name": "w", **data}))
    assert rec.result("lambda").sizing.startswith("1,769 MB")


def test_item3_shared_platforms_pay_a_share() -> None:
    """Joining the organisation's EKS cluster: $73.00 / 50 workloads = $1.46 of control plane, named
    control_plane_share; joining an ECS platform's ALB with no traffic: 730 x $0.0225 / 50 = $0.3285."""
    eks = lines({"workload_type": "http_api", "existing_platform": "eks"}, "eks")
    assert eks["control_plane"] == 0
    assert eks["control_plane_share"] == pytest.approx(1.46)
    fargate = lines({"workload_type": "http_api", "existing_platform": "ecs", "requests_per_month": 0},
                    "ecs_fargate")
    assert fargate["front_door_alb"] == 0
    assert fargate["front_door_alb_share"] == pytest.approx(730 * 0.0225 / 50)
    alone = lines({"workload_type": "http_api"}, "eks")
    assert alone["control_plane"] == pytest.approx(73.0) and alone["control_plane_share"] == 0
    # The platform's VPC too: 2 x 730 x $0.045 / 50 = $1.314 of NAT gateway hours, named network_nat_gateway_share.
    assert fargate["network_nat_gateway"] == 0 and fargate["network_nat_gateway_share"] == pytest.approx(1.314)
    assert alone["network_nat_gateway_share"] == 0


def test_item4_network_lines_for_containers_only() -> None:
    """Default egress is a NAT gateway per zone: 2 x 730 x $0.045 = $65.70, plus 1M requests x 10 KB =
    9.537 GB x $0.045 = $0.43, so $66.13. With public IPv4 instead, 2 always-on API tasks x 730 h x $0.005 =
    $7.30. Lambda outside a VPC pays none of it."""
    fargate = lines({"workload_type": "http_api"}, "ecs_fargate")
    assert fargate["network_nat_gateway"] == pytest.approx(65.70 + 1e6 * 10 / 1024 / 1024 * 0.045)
    public = lines({"workload_type": "http_api", "network_egress": "public_ipv4", "requests_per_month": 0},
                   "ecs_fargate")
    assert public["network_public_ipv4"] == pytest.approx(7.30) and public["network_nat_gateway"] == 0
    assert lines({"workload_type": "http_api", "network_egress": "none"}, "ecs_fargate")["network_nat_gateway"] == 0
    assert not any(name.startswith("network") for name in lines({"workload_type": "http_api"}, "lambda"))


def test_item5_websocket_api_bills_connection_minutes() -> None:
    """10,000 connections held all month (steady): 10,000 x 730 x 60 = 438,000,000 minutes x $0.25 per
    million = $109.50, before any message; no HTTP API charge."""
    data = {"workload_type": "http_api", "protocols": ["websocket"], "long_lived_connections": True,
            "peak_concurrency": 10_000, "traffic_pattern": "steady", "requests_per_month": 0}
    lam = lines(data, "lambda")
    assert lam["front_door_websocket_api"] == pytest.approx(109.50)
    assert lam["front_door_http_api"] == 0
    busy = lines({**data, "requests_per_month": 5_000_000}, "lambda")
    # 5M requests x 2 messages (in and out) = 10M messages x $1.00 per million = $10.00 more.
    assert busy["front_door_websocket_api"] == pytest.approx(119.50)


def test_item6_init_phase_is_billed_for_cold_starts() -> None:
    """3M invocations, steady traffic (1% cold), Python INIT 300 ms at 512 MB: 3M x 0.01 x 0.3 s x 0.5 GB =
    4,500 GB-s x $0.0000166667 = $0.075 on the init line; the $25.00 of compute is unchanged."""
    data = {"workload_type": "event_handler", "vcpu": 0.25, "memory_mb": 512, "avg_duration_ms": 1000,
            "requests_per_month": 3_000_000, "arch": "x86_64", "traffic_pattern": "steady", "language": "python"}
    lam = lines(data, "lambda")
    assert lam["init"] == pytest.approx(0.075, abs=1e-4)
    assert lam["compute"] == pytest.approx(25.00, abs=0.005)
    java = lines({**data, "language": "java"}, "lambda")  # 1,500 ms INIT: five times as much
    assert java["init"] == pytest.approx(0.375, abs=1e-3)


def test_item7_interruptible_work_runs_on_spot() -> None:
    """A queue worker marked interruptible: us-east-1's Fargate Spot rates, 1 task x 730 x ($0.01288871 +
    2 x $0.00141527) = $11.48 instead of $36.04; EC2 t3.medium has no Spot price of its own, so the typical 54%
    off: 2 x t3.medium x 730 x $0.0416 x 0.46 = $27.94; Lambda unchanged."""
    data = {"workload_type": "queue_worker", "vcpu": 1, "memory_mb": 2048, "requests_per_month": 10_000,
            "avg_duration_ms": 200, "peak_concurrency": 1, "traffic_pattern": "steady"}
    on_demand = lines(data, "ecs_fargate")
    spot = lines({**data, "interruptible": True}, "ecs_fargate")
    assert on_demand["compute"] == pytest.approx(730 * FARGATE_1_2)
    assert spot["compute"] == pytest.approx(730 * (0.01288871 + 2 * 0.00141527))
    assert lines({**data, "interruptible": True}, "ecs_ec2")["compute"] == pytest.approx(2 * 730 * 0.0416 * 0.46)
    assert lines({**data, "interruptible": True}, "lambda") == lines(data, "lambda")
    rec = recommend(build_profile({"name": "w", **data, "interruptible": True}))
    assert any("Fargate Spot" in reason for reason in rec.result("ecs_fargate").reasons)
    api = recommend(build_profile({"name": "w", "workload_type": "http_api", "interruptible": True}))
    assert any("interruptible" in caution for caution in api.result("ecs_fargate").cautions)
    assert not any("interruptible" in caution for caution in rec.result("ecs_fargate").cautions)


def test_item8_savings_plans_discount_compute_not_the_control_plane() -> None:
    """1-year Compute Savings Plan, no upfront (us-east-1 rates, price.savings_plans.compute_rates): Fargate
    $0.032384 / $0.003556 = 20% off (2 x 730 x $0.04937 = $72.08 -> $57.66); Lambda duration $0.0000147 per
    GB-s, so $25.00 -> 1,500,000 GB-s x $0.0000147 = $22.05; EC2 types without a rate of their own 27.7% off
    (c7i.xlarge's: 1 - $0.12899 / $0.1785); the EKS control plane stays $73.00; the JSON says `savings-1y`."""
    data = {"workload_type": "http_api", "requests_per_month": 0}
    od, sp = lines(data, "ecs_fargate"), lines(data, "ecs_fargate", pricing="savings-1y")
    assert od["compute"] == pytest.approx(2 * 730 * FARGATE_1_2)
    assert sp["compute"] == pytest.approx(2 * 730 * FARGATE_1_2 * 0.80)
    assert lines(data, "eks", pricing="savings-3y")["control_plane"] == pytest.approx(73.0)
    assert lines(data, "eks", pricing="savings-1y")["compute"] == pytest.approx(
        lines(data, "eks")["compute"] * (1 - 0.277))
    lam = {"workload_type": "event_handler", "vcpu": 0.25, "memory_mb": 512, "avg_duration_ms": 1000,
           "requests_per_month": 3_000_000}
    assert lines(lam, "lambda", pricing="savings-1y")["compute"] == pytest.approx(22.05, abs=0.005)
    assert lines(lam, "lambda", pricing="savings-1y")["requests"] == pytest.approx(0.60)
    rec = recommend(build_profile({"name": "w", **data}), pricing="savings-3y")
    assert rec.to_dict()["pricing"] == "savings-3y"


def test_issue12_item4_long_synchronous_api_uses_a_door_that_allows_it() -> None:
    """A 60 s synchronous API on Lambda cannot sit behind an HTTP API (30 s, fixed). 1M requests: a REST API
    with a raised timeout costs $3.50; an ALB 730 x ($0.0225 + 0.0327 LCU x $0.008) = $16.62; the REST API
    is priced, named front_door_rest_api, and a caution names the 30 s limit. Over 300 s (the most a REST
    API's timeout can be raised to) only the ALB can wait, so it is priced."""
    data = {"workload_type": "http_api", "max_duration_s": 60}
    lam = lines(data, "lambda")
    assert lam["front_door_http_api"] == 0
    assert lam["front_door_rest_api"] == pytest.approx(3.50)
    rec = recommend(build_profile({"name": "w", **data}))
    assert "front_door_rest_api" in rec.result("lambda").cost_breakdown
    assert any("30 s" in caution and "HTTP API" in caution for caution in rec.result("lambda").cautions)
    slow = lines({**data, "max_duration_s": 600}, "lambda")
    assert slow["front_door_rest_api"] == 0 and slow["front_door_alb"] > 0
    quick = lines({"workload_type": "http_api", "max_duration_s": 29}, "lambda")
    assert quick["front_door_http_api"] == pytest.approx(1.00) and quick["front_door_rest_api"] == 0


def test_rest_api_tiers() -> None:
    """REST API tiers: 400M requests = 333M x $3.50 + 67M x $2.80 = $1,165.50 + $187.60 = $1,353.10."""
    import numpy as np

    from advisor.engine.cost import _tiered
    from advisor.knowledge.base import knowledge

    cost = _tiered(np.array([400e6]), knowledge().value("price.apigw.rest_api_per_million"),
                   "up_to_requests_per_month", 1e6)
    assert cost[0] == pytest.approx(1353.10)


def test_issue13_discounts_come_from_the_regions_own_rates() -> None:
    """us-east-1 has Savings Plans and Spot rates of its own: c7i.xlarge 1 - $0.12899 / $0.1785 = 27.74% (1y)
    and 1 - $0.08618 / $0.1785 = 51.72% (3y); Spot $0.0839 an hour for it is 53.0% off. sa-east-1 has none of
    its own, so it takes the per-service discount (27.7% EC2) and the typical Spot discount (54%), never
    us-east-1's rates against its own on-demand prices."""
    from advisor.engine.rates import savings_discount
    from advisor.knowledge.prices import price_book

    home = savings_discount(price_book("us-east-1"), "savings-1y")
    assert home["ec2.c7i.xlarge"] == pytest.approx(0.2774, abs=1e-4)
    assert savings_discount(price_book("us-east-1"), "savings-3y")["ec2.c7i.xlarge"] == pytest.approx(0.5172, abs=1e-4)
    assert home["fargate.x86_64_vcpu_hour"] == pytest.approx(0.20)
    away = savings_discount(price_book("sa-east-1"), "savings-1y")
    assert "ec2.c7i.xlarge" not in away and away["ec2"] == pytest.approx(0.277)
    job = {"workload_type": "batch_job", "vcpu": 3, "memory_mb": 6144, "avg_duration_ms": 3_600_000,
           "max_duration_s": 7200, "requests_per_month": 100, "arch": "x86_64", "interruptible": True}
    scored = score_profiles([build_profile({"name": "w", **job})])
    assert scored.cost.instance_type["ecs_ec2"][0] == "c7i.xlarge"
    # 100 runs x 1 h x 1.2 overhead = 120 instance-hours x $0.0839 (Spot) = $10.07.
    assert float(scored.cost.lines["ecs_ec2"]["compute"][0]) == pytest.approx(120 * 0.0839)
    away_job = score_profiles([build_profile({"name": "w", **job, "region": "sa-east-1"})])
    instance_hours = float(away_job.cost.instance_count["ecs_ec2"][0]) * 730
    hourly = float(away_job.cost.lines["ecs_ec2"]["compute"][0]) / instance_hours
    chosen = away_job.cost.instance_type["ecs_ec2"][0]
    od = {e["type"]: e["usd_hour"] for e in price_book("sa-east-1").value("price.ec2.instances")}[chosen]
    assert hourly == pytest.approx(od * 0.46)
