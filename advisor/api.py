"""The library's front door: load a profile, score it, explain it. The CLI calls only these."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.profile.fields import WorkloadProfile, build_profile, parse_assignments, read_profile_data

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation
    from advisor.engine.scoring import Scored

ADHOC_NAME = "workload"

# Providers of extra top-level output fields (what_would_change, model, similar). Each entry is
# "module:function"; the function takes (profile, scored, recommendation) and returns a mapping of
# new top-level fields. Imported only when `recommend` runs.
EXTRA_PROVIDERS: tuple[str, ...] = ("advisor.engine.whatif:provider", "advisor.learn:provider")


def load_profile(path: str | None, assignments: Sequence[str] = (), stdin_text: str | None = None,
                 service: str | None = None) -> WorkloadProfile:
    """Read a profile (`-` for stdin, None for none) and apply `field=value` overrides.

    `path` may also be a descriptor a team already has (docker-compose file, Kubernetes manifests,
    ECS task definition, SAM/CloudFormation template): its derived fields become the profile, and
    `service` picks one workload when it describes several.
    """
    data: dict[str, Any] = {}
    source = "--set"
    if path is not None and path != "-" and _is_descriptor(path):
        from advisor.importers import profile_data_from_descriptor

        data = dict(profile_data_from_descriptor(Path(path), service).data)
        source = path
    elif path is not None:
        if path == "-" and stdin_text is None:
            stdin_text = sys.stdin.read()
        data = read_profile_data(path, stdin_text if path == "-" else None)
        source = "<stdin>" if path == "-" else path
    data.update(parse_assignments(list(assignments)))
    if path is None and "name" not in data:
        data["name"] = ADHOC_NAME
    return build_profile(data, source=source)


def _is_descriptor(path: str) -> bool:
    from advisor.importers import is_descriptor

    return Path(path).exists() and is_descriptor(Path(path))


def score_profiles(profiles: Sequence[WorkloadProfile], free_tier: bool = False) -> Scored:
    """Score many profiles in one vectorised pass."""
    from advisor.engine.scoring import score_frame
    from advisor.profile.frame import profiles_to_frame

    return score_frame(profiles_to_frame(profiles), free_tier=free_tier)


def recommend(profile: WorkloadProfile, free_tier: bool = False) -> Recommendation:
    """The explained recommendation for one profile (a one-row frame through the same engine)."""
    from advisor.engine.explain import explain_row

    scored = score_profiles([profile], free_tier=free_tier)
    recommendation = _with_free_tier(explain_row(scored, 0), free_tier)
    extra: dict[str, Any] = {}
    for provider in EXTRA_PROVIDERS:
        extra.update(_provider(provider)(profile, scored, recommendation))
    if extra:
        from dataclasses import replace

        recommendation = replace(recommendation, extra={**recommendation.extra, **extra})
    return recommendation


def _provider(spec: str) -> Any:
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _with_free_tier(recommendation: Recommendation, free_tier: bool) -> Recommendation:
    from dataclasses import replace

    return replace(recommendation, free_tier=free_tier)
