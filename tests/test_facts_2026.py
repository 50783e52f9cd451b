"""Issue 12: knowledge and rules current to December 2026, tested at each new boundary."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from advisor.api import recommend
from advisor.cli.app import app
from advisor.engine.cost import estimate
from advisor.knowledge.base import format_fact, knowledge
from advisor.profile.fields import build_profile
from advisor.profile.frame import profiles_to_frame


def _ranking(**fields) -> dict[str, dict]:
    result = recommend(build_profile({"name": "case", **fields})).to_dict()
    return {entry["runtime"]: entry for entry in result["ranking"]}


def _blocker(entry: dict, constraint: str) -> dict:
    found = [b for b in entry["blockers"] if b["constraint"] == constraint]
    assert found, f"{entry['runtime']} has no {constraint} blocker: {entry['blockers']}"
    return found[0]


# ------------------------------------------------------------------------------------ Fargate sizes

def test_fargate_runs_32_vcpu_with_244_gb() -> None:
    fargate = _ranking(vcpu=32, memory_mb="244GB")["ecs_fargate"]
    assert fargate["feasible"], fargate["blockers"]
    assert fargate["monthly_cost_usd"] is not None


@pytest.mark.parametrize(("vcpu", "memory"), [(32, "245GB"), (33, "64GB"), (16, "250GB")])
def test_fargate_blocks_sizes_beyond_its_table(vcpu: float, memory: str) -> None:
    blocker = _blocker(_ranking(vcpu=vcpu, memory_mb=memory)["ecs_fargate"], "task_size")
    assert blocker["limit"] == {"vcpu": 32, "memory_mb": 244 * 1024}
    assert "32 vCPU with 244 GB" in blocker["message"]
    assert "create-task-definition" in blocker["source"]


def test_24_vcpu_and_200_gb_round_up_to_32_vcpu_and_244_gb_and_are_priced() -> None:
    profile = build_profile({"name": "big", "vcpu": 24, "memory_mb": "200GB", "workload_type": "batch_job"})
    cost = estimate(profiles_to_frame([profile]), knowledge())
    assert (cost.fargate_vcpu[0], cost.fargate_memory_gb[0]) == (32, 244)
    fargate = _ranking(vcpu=24, memory_mb="200GB", workload_type="batch_job")["ecs_fargate"]
    assert fargate["feasible"] and fargate["monthly_cost_usd"] > 0
    assert fargate["cost_breakdown"]


def test_windows_on_fargate_keeps_its_smaller_table() -> None:
    blocker = _blocker(_ranking(os="windows", vcpu=8, memory_mb="16GB")["ecs_fargate"], "task_size")
    assert blocker["limit"]["vcpu"] == 4


# ------------------------------------------------------------------------------------ ECS task size

def test_ecs_on_ec2_runs_a_192_vcpu_task_and_blocks_193() -> None:
    assert _ranking(vcpu=192, memory_mb="512GB")["ecs_ec2"]["feasible"]
    blocker = _blocker(_ranking(vcpu=193, memory_mb="512GB")["ecs_ec2"], "vcpu")
    assert blocker["limit"] == 192 and blocker["value"] == 193
    assert "192" in blocker["message"] and "create-task-definition" in blocker["source"]


def test_a_193_vcpu_pod_is_still_fine_on_eks() -> None:
    assert _ranking(vcpu=193, memory_mb="512GB")["eks"]["feasible"]


# ------------------------------------------------------------------------------------ Windows

def test_windows_on_arm64_is_blocked_everywhere_with_the_reason() -> None:
    ranking = _ranking(os="windows", arch="arm64")
    assert not any(entry["feasible"] for entry in ranking.values())
    assert "Linux only" in _blocker(ranking["lambda"], "os")["message"]
    assert "x86_64" in _blocker(ranking["ecs_fargate"], "arch")["message"]
    ec2 = _blocker(ranking["ecs_ec2"], "arch")
    assert "ARM64 is for Linux tasks only" in ec2["message"] and "RuntimePlatform" in ec2["source"]
    eks = _blocker(ranking["eks"], "arch")
    assert "EKS Windows nodes are x86_64 only" in eks["message"] and "windows-support" in eks["source"]


def test_linux_on_arm64_stays_feasible_on_the_container_runtimes() -> None:
    ranking = _ranking(arch="arm64")
    assert all(ranking[rt]["feasible"] for rt in ("ecs_fargate", "ecs_ec2", "eks"))


def test_windows_privileged_is_blocked_on_ecs_and_runs_as_host_process_on_eks() -> None:
    ranking = _ranking(os="windows", privileged=True)
    blocker = _blocker(ranking["ecs_ec2"], "privileged")
    assert "Windows containers" in blocker["message"] and "ContainerDefinition" in blocker["source"]
    assert ranking["eks"]["feasible"]
    assert any("HostProcess" in caution for caution in ranking["eks"]["cautions"])
    assert _ranking(privileged=True)["ecs_ec2"]["feasible"]  # Linux keeps privileged mode on EC2


def test_windows_host_networking_is_blocked_on_ecs_and_allowed_on_eks() -> None:
    ranking = _ranking(os="windows", host_networking=True)
    blocker = _blocker(ranking["ecs_ec2"], "host_networking")
    assert "host mode is Linux-only" in blocker["message"] and "task-networking" in blocker["source"]
    assert ranking["eks"]["feasible"]
    assert _ranking(host_networking=True)["ecs_ec2"]["feasible"]


def test_windows_cannot_share_the_host_pid_namespace_on_ecs() -> None:
    assert "pidMode" in _blocker(_ranking(os="windows", host_pid=True)["ecs_ec2"], "host_pid")["message"]
    assert _ranking(host_pid=True)["ecs_ec2"]["feasible"]


# ------------------------------------------------------------------------------------ long work on Lambda

def test_a_two_hour_batch_job_is_blocked_on_lambda_and_told_how_to_split_it() -> None:
    lam = _ranking(workload_type="batch_job", max_duration_s="2h")["lambda"]
    assert not lam["feasible"]
    blocker = _blocker(lam, "max_duration_s")
    assert (blocker["limit"], blocker["value"]) == (900, 7200)
    assert "durable functions" in blocker["message"] and "Step Functions" in blocker["message"]
    assert "Managed Instances" not in blocker["message"]  # two hours is over its 90 minutes
    assert any("durable" in s for s in blocker["see_also"]) and any("step-functions" in s for s in blocker["see_also"])


def test_an_hour_long_queue_worker_hears_of_managed_instances_but_stays_blocked() -> None:
    lam = _ranking(workload_type="queue_worker", max_duration_s="1h")["lambda"]
    assert not lam["feasible"]
    blocker = _blocker(lam, "max_duration_s")
    assert "Managed Instances" in blocker["message"] and "90 min" in blocker["message"]
    assert any("configuration-timeout" in s for s in blocker["see_also"])
    assert len([b for b in lam["blockers"] if b["constraint"] == "max_duration_s"]) == 1


def test_a_synchronous_api_over_the_limit_does_not_hear_of_managed_instances() -> None:
    blocker = _blocker(_ranking(workload_type="http_api", max_duration_s="1h")["lambda"], "max_duration_s")
    assert "Managed Instances" not in blocker["message"] and "durable functions" in blocker["message"]


def test_fifteen_minutes_exactly_is_still_fine_on_lambda() -> None:
    assert _ranking(workload_type="queue_worker", max_duration_s=900)["lambda"]["feasible"]


# ------------------------------------------------------------------------------------ Fargate storage

def test_the_image_counts_against_fargate_ephemeral_storage() -> None:
    factor = knowledge().number("assume.fargate_image_disk_factor")
    fits = 200 - factor * 2  # a 2 GB image
    assert _ranking(ephemeral_storage_gb=fits, artifact_size_mb="2GB")["ecs_fargate"]["feasible"]
    blocker = _blocker(_ranking(ephemeral_storage_gb=fits + 1, artifact_size_mb="2GB")["ecs_fargate"],
                       "ephemeral_storage_gb")
    assert blocker["limit"] == 200 and blocker["value"] == pytest.approx(201)
    assert "image" in blocker["message"] and "fargate-task-storage" in blocker["source"]


def test_block_storage_on_fargate_carries_a_caution_that_it_does_not_follow_a_replica() -> None:
    fargate = _ranking(workload_type="stateful_service", persistent_storage="block")["ecs_fargate"]
    assert fargate["feasible"]
    assert any("deleted when the task stops" in caution for caution in fargate["cautions"])
    assert not any("deleted when the task stops" in c for c in _ranking()["ecs_fargate"]["cautions"])


# ------------------------------------------------------------------------------------ host access

def test_fargate_adds_only_sys_ptrace() -> None:
    assert _ranking(added_capabilities="SYS_PTRACE")["ecs_fargate"]["feasible"]
    for capabilities in ("NET_ADMIN", "SYS_PTRACE;SYS_ADMIN", "ALL"):
        blocker = _blocker(_ranking(added_capabilities=capabilities)["ecs_fargate"], "added_capabilities")
        assert "SYS_PTRACE" not in blocker["value"] and blocker["limit"] == ["SYS_PTRACE"]
    assert _ranking(added_capabilities="NET_ADMIN")["ecs_ec2"]["feasible"]


@pytest.mark.parametrize("field", ["host_mounts", "host_devices", "host_pid"])
def test_host_access_is_blocked_on_fargate_and_lambda_but_not_on_ec2(field: str) -> None:
    ranking = _ranking(**{field: True})
    for runtime in ("ecs_fargate", "lambda"):
        assert _blocker(ranking[runtime], field)["source"]
    assert ranking["ecs_ec2"]["feasible"] and ranking["eks"]["feasible"]


def test_lambda_adds_no_capability_at_all() -> None:
    assert _blocker(_ranking(added_capabilities="SYS_PTRACE")["lambda"], "added_capabilities")


# ------------------------------------------------------------------------------------ facts

NEW_FACTS = ("lambda.durable_functions", "lambda.durable_execution_max_s", "lambda.managed_instances_timeout_s",
             "lambda.step_functions_standard_max_s", "ecs_fargate.express_mode", "ecs_fargate.app_runner_status",
             "ecs_fargate.copilot_status", "ecs_fargate.addable_capabilities", "ecs_fargate.host_mounts",
             "ecs_fargate.host_devices", "ecs_fargate.host_pid", "ecs_fargate.ebs_deleted_on_task_stop",
             "ecs_fargate.ephemeral_storage_holds_image", "ecs_ec2.max_task_vcpu", "ecs_ec2.windows_arch",
             "ecs_ec2.windows_privileged", "ecs_ec2.windows_network_modes", "eks.windows_arch",
             "eks.windows_host_process")


def test_advisor_runtimes_lists_the_new_facts_with_source_and_date() -> None:
    result = CliRunner().invoke(app, ["runtimes", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {fact["key"]: fact for fact in json.loads(result.output)}
    for key in NEW_FACTS:
        assert key in listed, key
        assert listed[key]["source"] and listed[key]["url"].startswith("https://"), key
        assert listed[key]["as_of"] >= "2026-12-01", key
    assert "30 April 2026" in listed["ecs_fargate.app_runner_status"]["value"]
    assert "12 June 2026" in listed["ecs_fargate.copilot_status"]["value"]


def test_the_table_view_of_fargate_facts_shows_express_mode() -> None:
    result = CliRunner().invoke(app, ["runtimes", "--runtime", "ecs-fargate"])
    assert result.exit_code == 0 and "ecs_fargate.express_mode" in result.output


def test_durations_read_as_durations_in_messages() -> None:
    kb = knowledge()
    assert format_fact(kb.fact("lambda.timeout_s")) == "15 min"
    assert format_fact(kb.fact("lambda.managed_instances_timeout_s")) == "90 min"
