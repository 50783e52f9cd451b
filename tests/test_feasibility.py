"""Every blocker at its exact boundary, every caution, and the Fargate task-size table."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.api import recommend
from advisor.engine.feasibility import compiled_rules
from advisor.knowledge.base import knowledge
from advisor.profile.fields import build_profile

BLOCKER_RULES, CAUTION_RULES = compiled_rules()

# For checks that are not `max`, the value that must trip each rule (on top of `base`).
TRIGGER: dict[tuple[str, str], dict[str, Any]] = {
    ("lambda", "gpu"): {"gpu": 1},
    ("lambda", "os"): {"os": "windows"},
    ("lambda", "language"): {"language": "dotnet_framework"},
    ("lambda", "privileged"): {"privileged": True},
    ("lambda", "host_networking"): {"host_networking": True},
    ("lambda", "daemon_per_host"): {"daemon_per_host": True},
    ("lambda", "kernel_tuning"): {"kernel_tuning": True},
    ("lambda", "protocols"): {"protocols": ["grpc"]},
    ("lambda", "persistent_storage"): {"persistent_storage": "block"},
    ("lambda", "dedicated_tenancy"): {"dedicated_tenancy": True},
    ("lambda", "specific_instance_type"): {"specific_instance_type": True},
    ("lambda", "kubernetes_native"): {"kubernetes_native": True},
    ("lambda", "hybrid"): {"hybrid": "on_prem"},
    ("lambda", "added_capabilities"): {"added_capabilities": ["SYS_PTRACE"]},
    ("lambda", "host_mounts"): {"host_mounts": True},
    ("lambda", "host_devices"): {"host_devices": True},
    ("lambda", "host_pid"): {"host_pid": True},
    ("ecs_fargate", "task_size"): {"vcpu": 64, "memory_mb": 65536},
    ("ecs_fargate", "added_capabilities"): {"added_capabilities": ["NET_ADMIN"]},
    ("ecs_fargate", "host_mounts"): {"host_mounts": True},
    ("ecs_fargate", "host_devices"): {"host_devices": True},
    ("ecs_fargate", "host_pid"): {"host_pid": True},
    ("ecs_fargate", "gpu"): {"gpu": 1},
    ("ecs_fargate", "arch"): {"os": "windows", "arch": "arm64"},
    ("ecs_fargate", "privileged"): {"privileged": True},
    ("ecs_fargate", "host_networking"): {"host_networking": True},
    ("ecs_fargate", "daemon_per_host"): {"daemon_per_host": True},
    ("ecs_fargate", "kernel_tuning"): {"kernel_tuning": True},
    ("ecs_fargate", "persistent_storage"): {"persistent_storage": "local_nvme"},
    ("ecs_fargate", "dedicated_tenancy"): {"dedicated_tenancy": True},
    ("ecs_fargate", "specific_instance_type"): {"specific_instance_type": True},
    ("ecs_fargate", "kubernetes_native"): {"kubernetes_native": True},
    ("ecs_fargate", "hybrid"): {"hybrid": "edge"},
    ("ecs_ec2", "kubernetes_native"): {"kubernetes_native": True},
    ("ecs_ec2", "arch"): {"os": "windows", "arch": "arm64"},
    ("ecs_ec2", "privileged"): {"os": "windows", "privileged": True},
    ("ecs_ec2", "host_networking"): {"os": "windows", "host_networking": True},
    ("ecs_ec2", "host_pid"): {"os": "windows", "host_pid": True},
    ("eks", "arch"): {"os": "windows", "arch": "arm64"},
}
# Rules whose capability exists on every value a profile can take (kept for completeness, never tripped).
NEVER_TRIPPED = {("ecs_fargate", "os"), ("ecs_fargate", "protocols"), ("ecs_ec2", "hybrid"), ("eks", "hybrid")}
BASE = {"name": "probe", "workload_type": "http_api", "containerized": True}


def blocker_constraints(profile_data: dict[str, Any], runtime: str) -> set[str]:
    result = recommend(build_profile(profile_data)).result(runtime)
    assert result.feasible is not bool(result.blockers)
    return {b.constraint for b in result.blockers}


def max_rules() -> list[Any]:
    return [r for r in BLOCKER_RULES if r.check == "max"]


@pytest.mark.parametrize("rule", max_rules(), ids=lambda r: f"{r.runtime}-{r.constraint}")
def test_max_limits_are_exact(rule: Any) -> None:
    """A value at the limit is feasible; just over it is blocked by exactly this constraint."""
    limit = float(knowledge().value(rule.fact)) / rule.field_scale
    at = {**BASE, rule.field: limit}
    over = {**BASE, rule.field: limit + (1 if rule.field in ("gpu",) else max(limit * 1e-6, 1e-3))}
    if rule.field == "vcpu" and rule.runtime == "lambda":
        at["memory_mb"] = over["memory_mb"] = 10240
    if rule.field == "memory_mb" and rule.runtime in ("ecs_ec2", "eks"):
        at["vcpu"] = over["vcpu"] = 64
    if rule.add_field:  # the boundary of the field alone, with nothing added (the sum has its own tests)
        at[rule.add_field] = over[rule.add_field] = 0
    assert rule.constraint not in blocker_constraints(at, rule.runtime)
    assert rule.constraint in blocker_constraints(over, rule.runtime)


@pytest.mark.parametrize("rule", [r for r in BLOCKER_RULES if r.check != "max"],
                         ids=lambda r: f"{r.runtime}-{r.constraint}")
def test_every_capability_blocker_trips(rule: Any) -> None:
    key = (rule.runtime, rule.constraint)
    if key in NEVER_TRIPPED:
        from advisor.profile.fields import FIELD_BY_NAME, PROTOCOLS

        choices = PROTOCOLS if rule.field == "protocols" else FIELD_BY_NAME[rule.field].choices
        for choice in choices:
            value = [choice] if rule.field == "protocols" else choice
            assert rule.constraint not in blocker_constraints({**BASE, rule.field: value}, rule.runtime)
        return
    trigger = TRIGGER[key]
    blocked = blocker_constraints({**BASE, **trigger}, rule.runtime)
    assert rule.constraint in blocked
    assert rule.constraint not in blocker_constraints(BASE, rule.runtime)


def test_blocker_objects_follow_the_contract() -> None:
    result = recommend(build_profile({**BASE, "max_duration_s": "2h"})).result("lambda")
    blocker = result.blockers[0].to_dict()
    assert blocker["constraint"] == "max_duration_s"
    assert blocker["limit"] == 900 and blocker["value"] == 7200
    assert "15 min" in blocker["message"] and "2 h" in blocker["message"]
    assert "lambda" in blocker["source"].lower() and "as of" in blocker["source"]


@pytest.mark.parametrize(("vcpu", "memory_mb", "os", "feasible"), [
    (16, 122880, "linux", True),      # 16 vCPU / 120 GB: the largest 16 vCPU size
    (16, 122881, "linux", True),      # rounds up to 32 vCPU / 244 GB
    (32, 249856, "linux", True),      # 32 vCPU / 244 GB: the largest Linux size
    (32, 249857, "linux", False),
    (32.5, 1024, "linux", False),
    (0.25, 512, "linux", True),
    (4, 30720, "windows", True),      # 4 vCPU / 30 GB: the largest Windows size
    (4, 30721, "windows", False),
    (8, 16384, "windows", False),
])
def test_fargate_task_sizes(vcpu: float, memory_mb: float, os: str, feasible: bool) -> None:
    constraints = blocker_constraints({**BASE, "vcpu": vcpu, "memory_mb": memory_mb, "os": os}, "ecs_fargate")
    assert ("task_size" not in constraints) is feasible


def test_multi_cloud_is_a_preference_not_a_blocker() -> None:
    rec = recommend(build_profile({**BASE, "hybrid": "multi_cloud"}))
    assert all("hybrid" not in {b.constraint for b in r.blockers} for r in rec.ranking)


def test_nothing_feasible_gives_null_and_says_why() -> None:
    rec = recommend(build_profile({**BASE, "kubernetes_native": True, "vcpu": 2000}))
    assert rec.recommendation is None and rec.runner_up is None
    assert rec.confidence == 0.0
    data = rec.to_dict()
    assert data["recommendation"] is None and "blocker" in data["why_none"]


CAUTION_TRIGGERS: dict[str, dict[str, Any]] = {
    "lambda_near_timeout": {"max_duration_s": 800},
    "lambda_concurrency_quota": {"peak_concurrency": 1500},
    "lambda_cold_start": {"latency_slo_ms": 100, "traffic_pattern": "spiky"},
    "lambda_long_connections": {"long_lived_connections": True},
    "lambda_zip_too_large": {"containerized": False, "artifact_size_mb": 400},
    "lambda_cpu_needs_memory": {"vcpu": 2},
    "fargate_large_image": {"artifact_size_mb": 4096},
    "fargate_spiky_latency": {"traffic_pattern": "spiky", "latency_slo_ms": 200},
    "fargate_windows_sizes": {"os": "windows"},
    "ec2_no_ops": {"ops_capacity": "none"},
    "eks_no_ops": {"ops_capacity": "none"},
    "eks_no_k8s": {"k8s_experience": "none"},
    "eks_windows": {"os": "windows"},
    "ecs_multicloud": {"hybrid": "multi_cloud"},
    "fargate_multicloud": {"hybrid": "multi_cloud"},
    "lambda_multicloud": {"hybrid": "multi_cloud"},
    "ec2_windows_licence_unpriced": {"os": "windows"},
    "eks_windows_licence_unpriced": {"os": "windows"},
    "fargate_ebs_not_durable": {"persistent_storage": "block"},
    "eks_windows_host_process": {"os": "windows", "privileged": True},
}
QUIET = {**BASE, "k8s_experience": "expert", "ops_capacity": "platform_team"}


def test_every_caution_has_a_trigger() -> None:
    assert {c.id for c in CAUTION_RULES} == set(CAUTION_TRIGGERS)


@pytest.mark.parametrize("caution", CAUTION_RULES, ids=lambda c: c.id)
def test_every_caution_fires_and_stays_quiet(caution: Any) -> None:
    def cautions(data: dict[str, Any]) -> tuple[str, ...]:
        return recommend(build_profile(data)).result(caution.runtime).cautions

    quiet = cautions(QUIET)
    loud = cautions({**QUIET, **CAUTION_TRIGGERS[caution.id]})
    assert len(loud) > len(quiet)
    assert all("{" not in text for text in loud), "every placeholder is filled"


def test_near_timeout_boundary() -> None:
    """The caution starts at 80% of the timeout and stops past the limit (where a blocker takes over)."""
    def near(seconds: float) -> bool:
        return any("close to Lambda" in c for c in
                   recommend(build_profile({**QUIET, "max_duration_s": seconds})).result("lambda").cautions)

    assert not near(719)
    assert near(720) and near(900)
    assert not near(901)
