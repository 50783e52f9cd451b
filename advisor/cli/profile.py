"""`advisor profile from PATH`: profiles from a compose file, Kubernetes manifests, an ECS task
definition or a SAM/CloudFormation template, each field with its provenance.

The library (`advisor.importers`) reads the descriptor; this module writes what it found: one YAML
(or JSON) profile per workload into a directory, or a portfolio CSV on stdout for `advisor assess -`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.cli.common import encoding_option, fail, handle_errors
from advisor.errors import EXIT_INVALID_INPUT, UsageError

if TYPE_CHECKING:
    pass



def register(app: typer.Typer) -> None:
    """Add the `profile` command group (`advisor profile from ...`)."""
    group = typer.Typer(help="Work with workload profiles: import them from existing descriptors.",
                        no_args_is_help=True)
    group.command("from")(profile_from)
    app.add_typer(group, name="profile")


@handle_errors
def profile_from(
    path: Annotated[str, typer.Argument(
        metavar="DESCRIPTOR",
        help="A docker-compose file, Kubernetes manifest (file or directory), ECS task definition "
             "(JSON or YAML) or SAM/CloudFormation template.")],
    out: Annotated[str, typer.Option(
        "--out", "-o", metavar="DIR|-",
        help="Directory for one profile file per workload, or - for stdout (a portfolio CSV by default).")],
    service: Annotated[str | None, typer.Option(
        "--service", "-s", metavar="NAME",
        help="Only this workload (compose service, Kubernetes object, function...).")] = None,
    format_: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="yaml|json|csv",
        help="yaml (default for a directory), csv (default for stdout) or json.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite profile files that already exist.")] = False,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Profiles from what a team already has; every derived field lists where it came from."""
    from advisor.files import note_inputs, use_encoding
    from advisor.importers import import_profiles
    from advisor.outputs.profiles import FORMATS, render, write_profiles

    use_encoding(encoding)
    note_inputs(path)
    fmt = (format_ or ("csv" if out == "-" else "yaml")).strip().lower()
    if fmt not in FORMATS:
        raise fail(f"--format {format_!r}: use one of {', '.join(FORMATS)}", 2)
    result = import_profiles(Path(path))
    profiles = list(result.profiles)
    if service is not None:
        profiles = [p for p in profiles if p.name == service]
        if not profiles:
            names = ", ".join(p.name for p in result.profiles) or "none"
            _warn(result.problems)
            raise UsageError(f"{path}: no workload named {service!r}; it holds: {names}")
    if not profiles:
        for note in result.notes:
            typer.echo(f"advisor: note: {note}", err=True)
        _warn(result.problems)
        raise UsageError(f"{path}: no workload found to import")
    if out == "-":
        typer.echo(render(profiles, fmt), nl=False)
    else:
        for target in write_profiles(profiles, Path(out), fmt, force):
            typer.echo(f"wrote {target}", err=True)
    for profile in profiles:
        derived = len([f for f in profile.data if f not in ("name", "description")])
        typer.echo(f"{profile.name}: {derived} field(s) from {profile.provenance['name'].file}; "
                   f"unknown: {', '.join(profile.unknown)}", err=True)
    for note in result.notes:
        typer.echo(f"advisor: note: {note}", err=True)
    _warn(result.problems)
    if result.problems:
        raise typer.Exit(EXIT_INVALID_INPUT)


def _warn(problems: tuple[str, ...] | list[str]) -> None:
    for problem in problems:
        typer.echo(f"advisor: warning: {problem}", err=True)
    if any(_ENCODING_PROBLEM.search(problem) for problem in problems):
        typer.echo("advisor: give the files' encoding with --encoding, for example --encoding latin-1", err=True)


_ENCODING_PROBLEM = re.compile(r": not valid \S+ text \(")  # InputEncodingError's words, as importers report them
