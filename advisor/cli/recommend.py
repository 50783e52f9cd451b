"""`advisor recommend` and `advisor report`: one workload's recommendation, printed or written as a report.

Both read the same inputs (PROFILE, --set, --free-tier, --pricing, --region, --encoding) the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from advisor.cli.common import (
    FreeTierOption,
    PricingOption,
    RegionOption,
    SetOption,
    cost_choices,
    encoding_option,
    fail,
    handle_errors,
)


def register(app: typer.Typer) -> None:
    """Add the `recommend` and `report` commands to the advisor CLI."""
    app.command(name="recommend")(recommend)
    app.command(name="report")(report)


@handle_errors
def recommend(
    profile: Annotated[str | None, typer.Argument(
        metavar="PROFILE",
        help="Profile (YAML or JSON), descriptor (compose, manifests, task definition, template) or -.")] = None,
    set_: SetOption = None,
    format_: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="table|json|yaml|markdown",
        help="Output format (default: table on a terminal, json otherwise).")] = None,
    free_tier: FreeTierOption = False,
    pricing: PricingOption = "on-demand",
    region: RegionOption = None,
    service: Annotated[str | None, typer.Option(
        "--service", metavar="NAME", help="The workload to pick when PROFILE is a descriptor that holds several.")
    ] = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Recommend a runtime for one workload profile, with reasons, blockers and costs.

    PROFILE may also be a docker-compose file, Kubernetes manifests, an ECS task definition or a
    SAM/CloudFormation template: advisor derives the profile from it (see `advisor profile from`).
    """
    from advisor.files import use_encoding
    from advisor.outputs.formats import OutputFormat, render

    use_encoding(encoding)
    fmt = _output_format(format_)
    _, result = _recommend_one(profile, set_, free_tier=free_tier, pricing=pricing, region=region, service=service)
    if fmt is OutputFormat.table:
        from advisor.cli.table import to_table

        width = max(80, min(140, typer.get_terminal_size()[0] if sys.stdout.isatty() else 110))
        typer.echo(to_table(result, width=width, color=sys.stdout.isatty()), nl=False)
    else:
        typer.echo(render(result, fmt), nl=False)


def _output_format(value: str | None) -> Any:
    from advisor.outputs.formats import OutputFormat

    if value is None:
        return OutputFormat.table if sys.stdout.isatty() else OutputFormat.json
    try:
        return OutputFormat(value.strip().lower())
    except ValueError:
        raise fail(f"--format {value!r}: use one of {', '.join(f.value for f in OutputFormat)}", 2) from None


def _recommend_one(profile: str | None, set_: list[str] | None, *, free_tier: bool, pricing: str,
                   region: str | None, service: str | None = None) -> tuple[Any, Any]:
    """What both commands do first: read PROFILE with the --set and --region overrides, and recommend.
    Returns the profile and the recommendation."""
    from advisor.api import load_profile, recommend

    if profile is None and not set_:
        raise fail("give a profile file, - for stdin, or --set field=value options", 2)
    pricing, region = cost_choices(pricing, region)
    loaded = load_profile(profile, [*(set_ or []), *([f"region={region}"] if region else [])], service=service)
    return loaded, recommend(loaded, free_tier=free_tier, pricing=pricing)


@handle_errors
def report(
    profile: Annotated[str | None, typer.Argument(metavar="PROFILE",
                                                  help="Profile file (YAML or JSON), or - for stdin.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE.html|FILE.md",
        help="Report file: .html (or .htm) for a self-contained page, .md for a decision record with SVG charts.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite report files that already exist.")] = False,
    set_: SetOption = None,
    free_tier: FreeTierOption = False,
    pricing: PricingOption = "on-demand",
    region: RegionOption = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Write a decision report for one workload: the choice, charts, blockers, costs and a checklist."""
    from advisor.api import write_report
    from advisor.files import note_inputs, use_encoding

    use_encoding(encoding)
    note_inputs(profile)
    if out is None:
        raise fail("give --out FILE.html or --out FILE.md", 2)
    if out.suffix.lower() not in (".html", ".htm", ".md"):
        raise fail(f"--out {str(out)!r}: the file name must end in .html, .htm or .md", 2)
    loaded, result = _recommend_one(profile, set_, free_tier=free_tier, pricing=pricing, region=region)
    for path in write_report(result, loaded, out, force=force):
        typer.echo(f"wrote {path}")
