"""What would change the answer: the smallest single changes a team could make that move first place.

Every candidate change (a skill learnt, a platform adopted, a priority moved by a point, a job cut
to just under a runtime's limit, ...) becomes one row of a frame that also holds the unchanged
profile; the vectorised engine scores them all in one pass, and the rows whose first place differs
from the unchanged row's are the answer, smallest change first.

Only changes a team could actually make are tried: the workload's name, type, OS and hard physical
needs (GPUs, on-premises or edge placement, protocols, tenancy) are never changed, resources are only
ever reduced, and only as far as the limit that blocks them (a value AT a limit is feasible).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor import RUNTIME_LABELS, RUNTIMES
from advisor.profile.fields import FIELD_NAMES, PRIORITY_FIELDS, WorkloadProfile

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation
    from advisor.engine.scoring import BlendParts, Scored
    from advisor.knowledge.base import KnowledgeBase

# How far a team could plausibly cut a resource to get under a limit (at most this factor). Durations
# can fall far (split the job into steps, as the blocker messages suggest); memory, vCPUs and image
# size rarely halve without a rewrite; scratch data can move to S3 or EFS.
MAX_REDUCTION: dict[str, float] = {
    "max_duration_s": 10.0,
    "memory_mb": 2.0,
    "vcpu": 2.0,
    "ephemeral_storage_gb": 4.0,
    "artifact_size_mb": 2.0,
}

# Ordinal choices: the number of steps between two values is the size of the change.
ORDINAL: dict[str, tuple[str, ...]] = {
    "k8s_experience": ("none", "some", "expert"),
    "ops_capacity": ("none", "limited", "platform_team"),
    "release_frequency": ("daily", "weekly", "monthly", "rarely"),
    "persistent_storage": ("none", "shared_fs", "block", "local_nvme"),
}

# A moved priority point costs less than a new skill or platform: it is a decision, not work.
PRIORITY_STEP = 0.5
DEFAULT_LIMIT = 8

_ENUM_WORDS: dict[str, dict[str, str]] = {
    "ops_capacity": {
        "none": "no one on the team ran infrastructure",
        "limited": "the team had limited capacity to run infrastructure",
        "platform_team": "a platform team ran the infrastructure",
    },
    "existing_platform": {
        "none": "the organisation ran no container or serverless platform yet",
        "lambda": "the organisation already built on Lambda",
        "ecs": "the organisation already ran ECS",
        "eks": "the organisation already ran EKS",
        "kubernetes": "the organisation already ran Kubernetes",
    },
    "release_frequency": {v: f"it shipped {v}" for v in ("daily", "weekly", "monthly", "rarely")},
    "traffic_pattern": {v: f"its traffic were {v}" for v in ("steady", "diurnal", "spiky", "sporadic")},
    "persistent_storage": {
        "none": "it mounted no durable storage",
        "shared_fs": "it kept its data on a shared file system (EFS)",
        "block": "it kept its data on a block volume (EBS)",
        "local_nvme": "it kept its data on local NVMe disks",
    },
    "hybrid": {"aws_only": "it only had to run on AWS"},
}


@dataclass(frozen=True)
class Change:
    """One candidate change to a profile: set `field` to `to`; `size` orders changes, smallest first."""

    field: str
    to: Any
    size: float
    implies: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass
class _Candidates:
    changes: list[Change] = field(default_factory=list)
    seen: set[tuple[str, Any]] = field(default_factory=set)

    def add(self, change: Change) -> None:
        key = (change.field, change.to)
        if key not in self.seen:
            self.seen.add(key)
            self.changes.append(change)


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _limit_changes(profile: WorkloadProfile, kb: KnowledgeBase) -> Iterator[Change]:
    """Resources cut to exactly the limit that blocks them on some runtime."""
    from advisor.engine.feasibility import compiled_rules
    from advisor.engine.sizing import fargate_sizes

    blocker_rules, _ = compiled_rules()
    for rule in blocker_rules:
        if rule.check == "max" and rule.field in MAX_REDUCTION:
            limit = float(kb.value(rule.fact)) / rule.field_scale
            yield from _reduce(profile, rule.field, limit)
        elif rule.check == "fargate_size":
            cpus, mems = fargate_sizes(kb, profile.os == "windows")
            sizes = [(float(v), float(m) * 1024.0) for v, m in zip(cpus, mems, strict=True)]
            vcpus = [v for v, m in sizes if m >= profile.memory_mb - 1e-9]
            memories = [m for v, m in sizes if v >= profile.vcpu - 1e-9]
            if vcpus:
                yield from _reduce(profile, "vcpu", max(vcpus))
            if memories:
                yield from _reduce(profile, "memory_mb", max(memories))


def _reduce(profile: WorkloadProfile, name: str, limit: float) -> Iterator[Change]:
    value = float(getattr(profile, name))
    if limit <= 0 or value <= limit + 1e-9 or value / limit > MAX_REDUCTION[name]:
        return
    implies: dict[str, Any] = {}
    if name == "max_duration_s" and profile.avg_duration_ms > limit * 1000.0:
        # The mean run cannot be longer than the longest one.
        implies["avg_duration_ms"] = _plain(limit * 1000.0)
    yield Change(name, _plain(limit), math.log2(value / limit), implies)


def _choice_changes(profile: WorkloadProfile) -> Iterator[Change]:
    """Skills, platforms, ways of working and traffic a team could change."""
    from advisor.profile.fields import FIELD_BY_NAME

    current = profile.k8s_experience
    levels = ORDINAL["k8s_experience"]
    for level in levels[levels.index(current) + 1:]:  # skills are learnt, not forgotten
        yield Change("k8s_experience", level, levels.index(level) - levels.index(current))
    for name in ("ops_capacity", "release_frequency"):
        order = ORDINAL[name]
        here = order.index(getattr(profile, name))
        for index, value in enumerate(order):
            if index != here:
                yield Change(name, value, abs(index - here))
    for name in ("existing_platform", "traffic_pattern"):
        for value in FIELD_BY_NAME[name].choices:
            if value != getattr(profile, name):
                yield Change(name, value, 1.0)
    if not profile.containerized:
        yield Change("containerized", True, 1.0)
    if profile.persistent_storage in ("block", "local_nvme"):
        # Durable data can move to a simpler kind of storage, but not disappear.
        order = ORDINAL["persistent_storage"]
        here = order.index(profile.persistent_storage)
        for index in range(1, here):
            yield Change("persistent_storage", order[index], here - index)
    if not profile.daemon_per_host:
        # A per-host agent needs the host; anything else can usually drop these with some rework.
        for name in ("privileged", "host_networking", "kernel_tuning"):
            if getattr(profile, name):
                yield Change(name, False, 1.0)
    if profile.hybrid == "multi_cloud":
        yield Change("hybrid", "aws_only", 1.0)
    if profile.portability_required:
        yield Change("portability_required", False, 1.0)


def _priority_changes(profile: WorkloadProfile) -> Iterator[Change]:
    for name in PRIORITY_FIELDS:
        here = int(getattr(profile, name))
        for value in range(6):
            if value != here:
                yield Change(name, value, PRIORITY_STEP * abs(value - here))


def candidate_changes(profile: WorkloadProfile) -> list[Change]:
    """Every single change worth trying for `profile`, without duplicates."""
    from advisor.knowledge.base import knowledge

    candidates = _Candidates()
    for change in (*_limit_changes(profile, knowledge()), *_choice_changes(profile), *_priority_changes(profile)):
        candidates.add(change)
    return candidates.changes


def _apply(profile: WorkloadProfile, change: Change) -> WorkloadProfile:
    changed = {change.field: change.to, **change.implies}
    assumed = tuple(name for name in profile.assumed_defaults if name not in changed)
    return dataclasses.replace(profile, **changed, assumed_defaults=assumed)


def _words(name: str, value: Any) -> str:
    from advisor.engine.feasibility import format_value

    if name == "vcpu":
        return f"{value:g} vCPU" if isinstance(value, int | float) else str(value)
    return format_value(name, value)


def _condition(change: Change) -> str:
    name, to = change.field, change.to
    if name in PRIORITY_FIELDS:
        return f"{name.removeprefix('priority_')} mattered {to} of 5"
    if name in _ENUM_WORDS and to in _ENUM_WORDS[name]:
        return _ENUM_WORDS[name][to]
    return {
        "max_duration_s": f"the longest run finished within {_words(name, to)}",
        "memory_mb": f"it needed at most {_words(name, to)} of memory",
        "vcpu": f"it needed at most {_words(name, to)}",
        "ephemeral_storage_gb": f"it needed at most {_words(name, to)} of scratch disk",
        "artifact_size_mb": f"the deployable were at most {_words(name, to)}",
        "k8s_experience": ("the team's Kubernetes experience were expert" if to == "expert"
                           else "the team had some Kubernetes experience"),
        "containerized": "it shipped as a container image",
        "privileged": "it no longer needed privileged containers",
        "host_networking": "it no longer needed the host's network",
        "kernel_tuning": "it no longer needed kernel modules or host sysctls",
        "portability_required": "it did not have to stay portable between providers",
    }.get(name, f"{name} were {to}")


_VALUE_WORDS = {"eks": "EKS", "ecs": "ECS", "lambda": "Lambda", "kubernetes": "Kubernetes",
                "shared_fs": "shared file system", "local_nvme": "local NVMe", "aws_only": "AWS only",
                "multi_cloud": "multi-cloud", "platform_team": "a platform team"}


def _now(name: str, value: Any) -> str:
    if name in PRIORITY_FIELDS:
        return f"now {value}"
    if isinstance(value, bool):
        return "now " + ("yes" if value else "no")
    if isinstance(value, str):
        return "now " + _VALUE_WORDS.get(value, value.replace("_", " "))
    return f"now {_words(name, value)}"


def message(change: Change, before: Any, current: str | None, new: str) -> str:
    """The change in words: 'If the longest run finished within 15 min (now 16 min), AWS Lambda would lead ...'."""
    label = RUNTIME_LABELS[new]
    outcome = (f"{label} would lead instead of {RUNTIME_LABELS[current]}" if current
               else f"{label} would become feasible and lead")
    return f"If {_condition(change)} ({_now(change.field, before)}), {outcome}."


def what_would_change(profile: WorkloadProfile, recommendation: Recommendation | None = None,
                      free_tier: bool = False, limit: int = DEFAULT_LIMIT,
                      blend: BlendParts | None = None, pricing: str | None = None) -> list[dict[str, Any]]:
    """The smallest single changes to `profile` that would change first place, smallest first.

    Each item is {"field", "from", "to", "new_recommendation", "message"} (plus "implies" when the
    change forces another field, such as the mean run when the longest run is cut). At most one item
    per field and new first place; [] when no single change a team could make moves first place.
    """
    from advisor.engine.scoring import score_frame
    from advisor.profile.frame import profiles_to_frame

    changes = candidate_changes(profile)
    rows = [profile, *(_apply(profile, change) for change in changes)]
    if pricing is None:
        pricing = str((recommendation.extra if recommendation is not None else {}).get("pricing", "on-demand"))
    scored = score_frame(profiles_to_frame(rows), free_tier=free_tier, blend=blend, pricing=pricing)
    return flips(profile, changes, scored, recommendation, limit)


def flips(profile: WorkloadProfile, changes: list[Change], scored: Scored,
          recommendation: Recommendation | None, limit: int) -> list[dict[str, Any]]:
    """The changes (rows 1.. of `scored`, row 0 the unchanged profile) whose first place differs."""
    first = scored.recommendation
    base = int(first[0])
    current = RUNTIMES[base] if base >= 0 else None
    shown = base
    if recommendation is not None and recommendation.recommendation != current:
        # The caller's answer came from another path (a blended model, say): a change counts only
        # when it moves the engine's first place to something other than that answer too.
        current = recommendation.recommendation
        shown = RUNTIMES.index(current) if current else -1
    best: dict[tuple[str, int], tuple[float, int]] = {}
    for position, change in enumerate(changes, start=1):
        new = int(first[position])
        if new < 0 or new in (base, shown):
            continue
        key = (change.field, new)
        if key not in best or change.size < best[key][0]:
            best[key] = (change.size, position)
    field_order = {name: index for index, name in enumerate(FIELD_NAMES)}
    chosen = sorted(best.values(), key=lambda item: (item[0], field_order[changes[item[1] - 1].field],
                                                     str(changes[item[1] - 1].to)))
    out: list[dict[str, Any]] = []
    for _, position in chosen[:limit]:
        change = changes[position - 1]
        new_runtime = RUNTIMES[int(first[position])]
        before = getattr(profile, change.field)
        item: dict[str, Any] = {
            "field": change.field,
            "from": list(before) if isinstance(before, tuple) else before,
            "to": change.to,
            "new_recommendation": new_runtime,
            "message": message(change, before, current, new_runtime),
        }
        if change.implies:
            item["implies"] = dict(change.implies)
        out.append(item)
    return out


def provider(profile: WorkloadProfile, scored: Scored, recommendation: Recommendation) -> dict[str, Any]:
    """EXTRA_PROVIDERS entry: adds `what_would_change` to every recommendation."""
    return {"what_would_change": what_would_change(profile, recommendation, free_tier=recommendation.free_tier,
                                                   blend=scored.blend)}
