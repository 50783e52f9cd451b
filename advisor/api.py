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
EXTRA_PROVIDERS: tuple[str, ...] = ("advisor.engine.whatif:provider", "advisor.learn:provider",
                                     "advisor.engine.managed:provider", "advisor.engine.consistency:provider")


def load_profile(path: str | None, assignments: Sequence[str] = (), stdin_text: str | None = None,
                 service: str | None = None) -> WorkloadProfile:
    """Read a profile (`-` for stdin, None for none) and apply `field=value` overrides.

    `path` may also be a descriptor a team already has (docker-compose file, Kubernetes manifests,
    ECS task definition, SAM/CloudFormation template): its derived fields become the profile, and
    `service` picks one workload when it describes several.
    """
    data: dict[str, Any] = {}
    source = "field assignments"
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


def score_profiles(profiles: Sequence[WorkloadProfile], free_tier: bool = False,
                   pricing: str = "on-demand") -> Scored:
    """Score many profiles in one vectorised pass (each priced in its `region`, bought as `pricing`)."""
    from advisor.engine.scoring import score_frame
    from advisor.learn.blend import blend_parts
    from advisor.profile.frame import profiles_to_frame

    return score_frame(profiles_to_frame(profiles), free_tier=free_tier, blend=blend_parts, pricing=pricing)


def recommend(profile: WorkloadProfile, free_tier: bool = False, pricing: str = "on-demand") -> Recommendation:
    """The explained recommendation for one profile (a one-row frame through the same engine).

    `pricing` is on-demand, savings-1y or savings-3y (Compute Savings Plans, no upfront); the JSON
    says which in `pricing`, and `region`/`prices` say where the prices come from.
    """
    from advisor.engine.explain import explain_row

    scored = score_profiles([profile], free_tier=free_tier, pricing=pricing)
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
                      free_tier: bool = False, limit: int | None = None,
                      pricing: str | None = None) -> list[dict[str, Any]]:
    """The smallest single changes to `profile` that would change first place (as `recommend` ranks)."""
    from advisor.engine.whatif import DEFAULT_LIMIT
    from advisor.engine.whatif import what_would_change as search
    from advisor.learn.blend import blend_parts

    return search(profile, recommendation, free_tier=free_tier, limit=DEFAULT_LIMIT if limit is None else limit,
                  blend=blend_parts, pricing=pricing)


def render_starter(profile: WorkloadProfile, runtime: str | None = None) -> tuple[str, dict[str, str], Notes]:
    """Every file of the starter as text (path -> text), scored as `recommend` scores, nothing written."""
    from advisor.outputs.scaffold import render_starter as render

    return render(profile, runtime, scored=score_profiles([profile]), row=0)


def write_starters(profiles: Sequence[WorkloadProfile], folder: Path, force: bool = False) -> list[StarterResult]:
    """A starter configuration for each profile's recommended runtime, one folder each under `folder`
    (named safely after the workload, unique), all profiles scored in one pass."""
    from advisor.files import safe_file_name
    from advisor.outputs.scaffold import write_starter as write

    scored = score_profiles(profiles)
    used: set[str] = set()
    return [write(profile, folder / safe_file_name(profile.name, used), runtime=None, force=force,
                  scored=scored, row=row) for row, profile in enumerate(profiles)]


def write_report(recommendation: Recommendation, profile: WorkloadProfile, out: Path, force: bool = False,
                 starter_files: Sequence[Path] = ()) -> list[Path]:
    """Write the decision report for one workload (.html page or .md record), the learned calibration
    plugged in so the page's priority sliders give exactly the scores `recommend` gives."""
    from advisor.learn.blend import blend_terms
    from advisor.outputs.reports import write_report as write

    return write(recommendation, profile, out, force=force, starter_files=starter_files, blend=blend_terms)


def check_pricing(pricing: str) -> str:
    """`pricing` if it is one of `engine.rates.PRICING_CHOICES` (on demand, or a 1- or 3-year Compute
    Savings Plan, no upfront); otherwise a usage error naming them."""
    from advisor.engine.rates import check_pricing as check

    return check(pricing)


def known_regions() -> list[str]:
    """The AWS Regions with prices: bundled ones and any `advisor prices update` wrote."""
    from advisor.knowledge.prices import known_regions as regions

    return regions()


def check_region(region: str) -> str:
    """`region` (lower-cased) when prices are known for it; an UnknownRegionError listing the known ones."""
    from advisor.knowledge.prices import check_region as check

    return check(region.strip().lower())


def region_prices(region: str) -> Any:
    """The price book of one Region (facts, where they come from, what is borrowed from us-east-1)."""
    from advisor.knowledge.prices import price_book

    return price_book(check_region(region))


def price_files() -> list[Any]:
    """Every Region price file in use, bundled and updated, for `advisor runtimes`."""
    from advisor.knowledge.prices import bundled_price_files, updated_price_files

    return [*bundled_price_files().values(), *updated_price_files().values()]


def update_prices(regions: Sequence[str] = (), source: str | None = None,
                  directory: str | None = None, base_url: str | None = None) -> list[Any]:
    """Read AWS Price List offer files (`source`, else download them from `base_url`, default
    $ADVISOR_PRICE_LIST_URL or AWS's endpoint) and write Region price files that later runs prefer;
    returns what was written for each Region."""
    from advisor.knowledge.price_list import update_prices as update
    from advisor.knowledge.prices import user_price_dir

    target = Path(directory) if directory else user_price_dir()
    return update([r.strip().lower() for r in regions], Path(source) if source else None, target, base_url)
