"""`advisor report`: write a decision report (HTML page or Markdown decision record) for one workload."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    """Add the `report` command to the advisor CLI."""
    app.command(name="report")(report)


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
    from advisor.api import load_profile, recommend, write_report
    from advisor.files import note_inputs, use_encoding

    use_encoding(encoding)
    note_inputs(profile)
    if out is None:
        raise fail("give --out FILE.html or --out FILE.md", 2)
    if out.suffix.lower() not in (".html", ".htm", ".md"):
        raise fail(f"--out {str(out)!r}: the file name must end in .html, .htm or .md", 2)
    if profile is None and not set_:
        raise fail("give a profile file, - for stdin, or --set field=value options", 2)
    pricing, region = cost_choices(pricing, region)
    loaded = load_profile(profile, [*(set_ or []), *([f"region={region}"] if region else [])])
    result = recommend(loaded, free_tier=free_tier, pricing=pricing)
    for path in write_report(result, loaded, out, force=force):
        typer.echo(f"wrote {path}")
