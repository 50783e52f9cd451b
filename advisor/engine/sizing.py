"""Sizing one task or invocation the way each runtime allows: one implementation each, used by
feasibility, cost, explanations, what-would-change and the starter configurations.

- Lambda allocates CPU in proportion to memory (`lambda.mb_per_vcpu`), so a CPU need sets a memory floor.
- Fargate accepts only the CPU and memory combinations of its task-size table (`ecs_fargate.sizes_*`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from advisor.knowledge.base import KnowledgeBase

EPSILON = 1e-9
"""Tolerance when comparing a need with a size (sizes are exact binary fractions; needs may not be)."""


def lambda_memory_mb(vcpu: Any, memory_mb: Any, kb: KnowledgeBase, clip: bool = True) -> np.ndarray:
    """The memory a Lambda function needs for `vcpu` and `memory_mb` (arrays or scalars).

    Lambda gives one vCPU per `lambda.mb_per_vcpu` MB, so the function needs at least
    `vcpu * lambda.mb_per_vcpu` MB as well as the memory asked for. With `clip`, the result is kept
    within Lambda's memory range (what can be configured); without, it is the raw need.
    """
    wanted = np.maximum(np.asarray(memory_mb, dtype=float),
                        np.asarray(vcpu, dtype=float) * kb.number("lambda.mb_per_vcpu"))
    if clip:
        wanted = np.clip(wanted, kb.number("lambda.memory_min_mb"), kb.number("lambda.memory_max_mb"))
    return wanted


def fargate_size_key(windows: bool) -> str:
    """The knowledge-base fact that lists Fargate's task sizes for the OS."""
    return "ecs_fargate.sizes_windows" if windows else "ecs_fargate.sizes_linux"


def fargate_sizes(kb: KnowledgeBase, windows: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every valid Fargate (vCPU, memory GB) for the OS, cheapest first (Linux x86 list prices; ties
    by memory), so the first size that fits a need is the cheapest that does."""
    cpus = np.array([float(e["vcpu"]) for e in kb.value(fargate_size_key(windows)) for _ in e["memory_gb"]])
    mems = np.array([float(m) for e in kb.value(fargate_size_key(windows)) for m in e["memory_gb"]])
    order = np.lexsort((mems, cpus * kb.number("price.fargate.linux.x86_64.vcpu_hour")
                        + mems * kb.number("price.fargate.linux.x86_64.gb_hour")))
    return cpus[order], mems[order]


def fargate_fit(kb: KnowledgeBase, vcpu: Any, memory_gb: Any, windows: Any) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest valid Fargate size at or above each need: (vCPU, memory GB) arrays, NaN where no
    size of the row's OS is big enough."""
    vcpu_ = np.atleast_1d(np.asarray(vcpu, dtype=float))
    memory_ = np.atleast_1d(np.asarray(memory_gb, dtype=float))
    windows_ = np.broadcast_to(np.asarray(windows, dtype=bool), vcpu_.shape)
    size_vcpu = np.full(vcpu_.shape, np.nan)
    size_memory = np.full(vcpu_.shape, np.nan)
    for is_windows in (False, True):
        cpus, mems = fargate_sizes(kb, is_windows)
        if not len(cpus):
            continue
        fits = (cpus[None, :] >= vcpu_[:, None] - EPSILON) & (mems[None, :] >= memory_[:, None] - EPSILON)
        chosen = fits.any(axis=1) & (windows_ == is_windows)
        first = fits.argmax(axis=1)
        size_vcpu = np.where(chosen, cpus[first], size_vcpu)
        size_memory = np.where(chosen, mems[first], size_memory)
    return size_vcpu, size_memory
