"""The library's front door: load a profile, score it, explain it. The CLI calls only these."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.profile.fields import WorkloadProfile, build_profile, parse_assignments, read_profile_data

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation
    from advisor.engine.scoring import Scored
    from advisor.outputs.scaffold import StarterResult
    from advisor.outputs.scaffold.workload import Notes
    from advisor.portfolio.assess import AssessOptions, AssessOutcome

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
            from advisor.files import read_input_text

            stdin_text = read_input_text("-")
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
    from advisor.learn.blend import blend_parts
    from advisor.profile.frame import profiles_to_frame

    return score_frame(profiles_to_frame(profiles), free_tier=free_tier, blend=blend_parts)


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


def assess_portfolio(options: AssessOptions, progress: Any = None, note: Any = None) -> AssessOutcome:
    """Assess a whole portfolio file through the engine, with the learned calibration plugged in."""
    from dataclasses import replace

    from advisor.learn.blend import blend_parts
    from advisor.portfolio.assess import assess_portfolio as assess

    return assess(replace(options, blend=blend_parts), progress=progress, note=note)


def write_starter(profile: WorkloadProfile, out_dir: Path, runtime: str | None = None, force: bool = False,
                  *, scored: Scored | None = None, row: int = 0) -> StarterResult:
    """Write the starter configuration for `profile` (the recommended runtime unless `runtime`)."""
    from advisor.outputs.scaffold import write_starter as write

    if scored is None:
        scored, row = score_profiles([profile]), 0
    return write(profile, out_dir, runtime=runtime, force=force, scored=scored, row=row)


def what_would_change(profile: WorkloadProfile, recommendation: Recommendation | None = None,
                      free_tier: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """The smallest single changes to `profile` that would change first place (as `recommend` ranks)."""
    from advisor.engine.whatif import DEFAULT_LIMIT
    from advisor.engine.whatif import what_would_change as search
    from advisor.learn.blend import blend_parts

    return search(profile, recommendation, free_tier=free_tier, limit=DEFAULT_LIMIT if limit is None else limit,
                  blend=blend_parts)


def render_starter(profile: WorkloadProfile, runtime: str | None = None) -> tuple[str, dict[str, str], Notes]:
    """Every file of the starter as text (path -> text), scored as `recommend` scores, nothing written."""
    from advisor.outputs.scaffold import render_starter as render

    return render(profile, runtime, scored=score_profiles([profile]), row=0)
