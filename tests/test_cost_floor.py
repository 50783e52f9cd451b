"""The demand floor (issue 13 item 1) as a property: for every valid profile, each container runtime's
compute is at least the vCPU-hours and GB-hours the work itself occupies, at that runtime's rates, plus
the traffic pattern's headroom. The floor is worked out here from the profile and the knowledge base,
independently of advisor/engine/cost.py."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.api import score_profiles
from advisor.knowledge.prices import price_book
from advisor.profile.fields import build_profile

TYPES = ("http_api", "web_app", "event_handler", "queue_worker", "batch_job", "scheduled_job", "stream_processor",
         "ml_inference", "ml_training", "stateful_service", "unknown")

profiles = st.fixed_dictionaries({
    "name": st.just("p"),
    "workload_type": st.sampled_from(TYPES),
    "vcpu": st.sampled_from([0.1, 0.25, 0.5, 1, 1.5, 2, 4, 8, 16]),
    "memory_mb": st.sampled_from([128, 512, 1024, 2048, 4096, 8192, 30000, 60000]),
    "avg_duration_ms": st.floats(1, 3_600_000),
    "requests_per_month": st.floats(0, 1e10),
    "peak_concurrency": st.integers(1, 100_000),
    "traffic_pattern": st.sampled_from(["steady", "diurnal", "spiky", "sporadic"]),
    "arch": st.sampled_from(["x86_64", "arm64", "any"]),
    "region": st.sampled_from(["us-east-1", "sa-east-1", "ap-southeast-1"]),
})


def floor(data: dict[str, Any], vcpu_rate: float, gb_rate: float) -> float:
    kb = price_book(data["region"])
    cpu_bound = data["workload_type"] in kb.value("assume.cpu_bound_workload_types")
    share = 1.0 if cpu_bound else 1.0 / kb.value("assume.requests_per_task")[data["workload_type"]]
    hours = data["requests_per_month"] * data["avg_duration_ms"] / 1000 / 3600 * share
    job = data["workload_type"] in kb.value("assume.job_workload_types")
    headroom = 1.0 if job else 1.0 / kb.value("assume.target_utilisation")[data["traffic_pattern"]]
    return (hours * data["vcpu"] * vcpu_rate + hours * data["memory_mb"] / 1024 * gb_rate) * headroom


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_container_compute_is_never_below_the_demand_floor(data: dict[str, Any]) -> None:
    kb = price_book(data["region"])
    scored = score_profiles([build_profile(data)])
    arm = data["arch"] == "arm64"
    fargate = scored.cost.lines["ecs_fargate"]["compute"][0]
    if np.isfinite(fargate):
        rate_v = kb.number(f"price.fargate.linux.{'arm64' if arm else 'x86_64'}.vcpu_hour")
        rate_g = kb.number(f"price.fargate.linux.{'arm64' if arm else 'x86_64'}.gb_hour")
        assert fargate >= floor(data, rate_v, rate_g) * (1 - 1e-9)
    instances = {e["type"]: e for e in kb.value("price.ec2.instances")}
    for runtime in ("ecs_ec2", "eks"):
        compute = scored.cost.lines[runtime]["compute"][0]
        kind = scored.cost.instance_type[runtime][0]
        if not np.isfinite(compute) or not kind:
            continue
        entry = instances[kind]
        # At this instance type's rates: its hourly price per vCPU, or per GB, whichever the work needs more.
        per_vcpu = entry["usd_hour"] / entry["vcpu"]
        per_gb = entry["usd_hour"] / entry["memory_gib"]
        expected = max(floor(data, per_vcpu, 0.0), floor(data, 0.0, per_gb))
        assert compute >= expected * (1 - 1e-9)
