"""`advisor scaffold`: write a starter config (infrastructure code, Dockerfile, README) for a workload."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.common import SetOption, encoding_option, fail, handle_errors


def register(app: typer.Typer) -> None:
    """Add the `scaffold` command to the root app."""
    app.command(name="scaffold")(scaffold)


@handle_errors
def scaffold(
    profile: Annotated[str, typer.Argument(metavar="PROFILE", help="Profile file (YAML or JSON), or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR",
                                      help="Folder to write the starter into (created if missing).",
                                      file_okay=False, dir_okay=True)],
    runtime: Annotated[str | None, typer.Option(
        "--runtime", "-r", metavar="lambda|ecs_fargate|ecs_ec2|eks",
        help="Write this runtime's starter instead of the recommended one (warns when it is not feasible).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist in --out.")] = False,
    set_: SetOption = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Write a deployable starter config for the recommended runtime (or --runtime) into --out."""
    from advisor import RUNTIME_LABELS
    from advisor.api import load_profile, write_starter
    from advisor.cli.common import normalise_runtime
    from advisor.files import note_inputs, use_encoding

    use_encoding(encoding)
    note_inputs(profile)

    chosen = None
    if runtime is not None:
        try:
            chosen = normalise_runtime(runtime)
        except typer.BadParameter as exc:
            raise fail(f"--runtime: {exc}", 2) from None
    loaded = load_profile(profile, set_ or [])
    result = write_starter(loaded, out, runtime=chosen, force=force)
    for warning in result.warnings:
        typer.echo(f"advisor: warning: {warning}", err=True)
    typer.echo(f"Wrote {len(result.files)} files for {RUNTIME_LABELS[result.runtime]} to {result.out_dir}:")
    for path in result.files:
        typer.echo(f"  {path}")
    if result.adjustments:
        typer.echo("Adjusted to be valid for AWS (also in README.md):")
        for adjustment in result.adjustments:
            typer.echo(f"  - {adjustment}")
    typer.echo(f"Next: read {result.out_dir / 'README.md'} and fill in every REPLACE_ME_ value.")
