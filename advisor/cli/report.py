"""`advisor report`: write a decision report (HTML page or Markdown decision record) for one workload."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.common import cost_choices, encoding_option, fail, handle_errors


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
    set_: Annotated[list[str] | None, typer.Option("--set", metavar="FIELD=VALUE",
                                                   help="Set or override a profile field (repeatable).")] = None,
    free_tier: Annotated[bool, typer.Option("--free-tier", help="Subtract the Lambda free tier from costs.")] = False,
    pricing: Annotated[str, typer.Option(
        "--pricing", metavar="on-demand|savings-1y|savings-3y",
        help="How compute is bought: on demand, or a 1- or 3-year Compute Savings Plan (no upfront).")
    ] = "on-demand",
    region: Annotated[str | None, typer.Option(
        "--region", metavar="REGION", help="Price in this AWS Region (default: the profile's region, us-east-1).")
    ] = None,
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
