"""cfn-lint as an independent oracle for the Fargate task sizes in the knowledge base.

cfn-lint's rule E3047 encodes AWS's table of valid Fargate CPU/memory pairs. Both directions are
checked: every size the knowledge base offers lints clean, and every pair on a grid of CPU and memory
values that cfn-lint accepts is a size the knowledge base offers (so a size AWS adds and cfn-lint
learns, or one the knowledge base lists wrongly, fails here).
"""

from __future__ import annotations

import json

import pytest
from cfnlint import api as cfnlint_api  # a test dependency; the advisor itself never imports cfn-lint

from advisor.knowledge.base import knowledge

RULE = "E3047"
MIB_PER_GB = 1024


def _kb_sizes(key: str) -> set[tuple[int, int]]:
    """(CPU units, MiB) pairs the knowledge base offers for one OS."""
    return {(int(entry["vcpu"] * 1024), int(memory * MIB_PER_GB))
            for entry in knowledge().value(key) for memory in entry["memory_gb"]}


def _task(cpu: int, memory: int, windows: bool = False) -> dict:
    properties = {"RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": str(cpu),
                  "Memory": str(memory), "ContainerDefinitions": [{"Name": "app", "Image": "app", "Essential": True}]}
    if windows:
        properties["RuntimePlatform"] = {"OperatingSystemFamily": "WINDOWS_SERVER_2022_CORE",
                                         "CpuArchitecture": "X86_64"}
    return {"Type": "AWS::ECS::TaskDefinition", "Properties": properties}


def _rejected(resources: dict[str, dict]) -> set[str]:
    """Logical ids of the task definitions cfn-lint's E3047 rejects (one lint run for all of them)."""
    template = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    matches = cfnlint_api.lint(template, config=cfnlint_api.ManualArgs(regions=["us-east-1"],
                                                                       ignore_checks=["W", "I"]))
    return {str(m.path[1]) for m in matches if m.rule.id == RULE}


def _grid() -> list[tuple[int, int]]:
    """CPU units x MiB: every Fargate CPU value and some that are not, against memory in 1 GB steps to
    32 GB, 4 GB steps to 128 GB and the neighbours of the largest size."""
    cpus = sorted({cpu for cpu, _ in _kb_sizes("ecs_fargate.sizes_linux")} | {128, 24576})
    memories = sorted({512, *range(1024, 32 * 1024 + 1, 1024), *range(32 * 1024, 128 * 1024 + 1, 4096),
                       240 * 1024, 244 * 1024, 248 * 1024})
    return [(cpu, memory) for cpu in cpus for memory in memories]


@pytest.fixture(scope="module")
def linted() -> tuple[set[tuple[int, int]], set[tuple[int, int]], set[tuple[int, int]]]:
    """(Linux grid pairs cfn-lint accepts, knowledge-base Linux sizes it rejects, Windows ones it rejects)."""
    linux, windows = _kb_sizes("ecs_fargate.sizes_linux"), _kb_sizes("ecs_fargate.sizes_windows")
    resources = {f"Grid{cpu}x{memory}": _task(cpu, memory) for cpu, memory in _grid()}
    resources |= {f"Kb{cpu}x{memory}": _task(cpu, memory) for cpu, memory in linux}
    resources |= {f"Win{cpu}x{memory}": _task(cpu, memory, windows=True) for cpu, memory in windows}
    rejected = _rejected(resources)
    accepted = {(cpu, memory) for cpu, memory in _grid() if f"Grid{cpu}x{memory}" not in rejected}
    return (accepted, {s for s in linux if f"Kb{s[0]}x{s[1]}" in rejected},
            {s for s in windows if f"Win{s[0]}x{s[1]}" in rejected})


def test_every_fargate_size_in_the_knowledge_base_lints_clean(linted) -> None:
    _, linux_rejected, windows_rejected = linted
    assert linux_rejected == set()
    assert windows_rejected == set()


def test_every_grid_pair_cfn_lint_accepts_is_a_knowledge_base_size(linted) -> None:
    accepted, _, _ = linted
    assert accepted - _kb_sizes("ecs_fargate.sizes_linux") == set()


def test_the_grid_reaches_every_knowledge_base_size_and_cfn_lint_accepts_them(linted) -> None:
    """The grid is dense enough to matter: it holds each knowledge-base size, and cfn-lint accepts them."""
    accepted, _, _ = linted
    linux = _kb_sizes("ecs_fargate.sizes_linux")
    assert linux <= set(_grid())
    assert linux <= accepted
    assert (32768, 249856) in accepted and (32768, 250880) not in set(_grid()) | accepted


def test_the_oracle_can_fail() -> None:
    """A pair AWS does not offer is rejected, so the checks above are not vacuous."""
    assert _rejected({"Bad": _task(32768, 245 * 1024), "Good": _task(32768, 244 * 1024)}) == {"Bad"}
