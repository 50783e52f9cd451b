"""`advisor profile from PATH`: profiles from a compose file, Kubernetes manifests, an ECS task
definition or a SAM/CloudFormation template, each field with its provenance.

The library (`advisor.importers`) reads the descriptor; this module writes what it found: one YAML
(or JSON) profile per workload into a directory, or a portfolio CSV on stdout for `advisor assess -`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.common import encoding_option, fail, handle_errors
from advisor.errors import OutputExistsError, UsageError
from advisor.files import refuse_input_overwrite

if TYPE_CHECKING:
    from advisor.importers import ImportedProfile

FORMATS = ("yaml", "json", "csv")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


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
    _warn(result.problems)
    if result.problems:
        raise typer.Exit(3)


def _warn(problems: tuple[str, ...] | list[str]) -> None:
    for problem in problems:
        typer.echo(f"advisor: warning: {problem}", err=True)
    if any(_ENCODING_PROBLEM.search(problem) for problem in problems):
        typer.echo("advisor: give the files' encoding with --encoding, for example --encoding latin-1", err=True)


_ENCODING_PROBLEM = re.compile(r": not valid \S+ text \(")  # InputEncodingError's words, as importers report them


# --- rendering ---------------------------------------------------------------------------------


def _quote(value: Any) -> str:
    """A value for a YAML comment: JSON with every non-ASCII character and line break escaped."""
    return json.dumps(value, ensure_ascii=True, default=str)


def provenance_comment(profile: ImportedProfile) -> str:
    """The comment block above a YAML profile: source, provenance of each field, the unknowns."""
    origin = profile.provenance["name"]
    lines = [f"# Imported by `advisor profile from` from {_quote(origin.file)} ({profile.source_kind}).",
             "# Provenance (field: file, path inside the document, original value):"]
    for field_name in profile.data:
        source = profile.provenance.get(field_name)
        if source is not None:
            lines.append(f"#   {field_name}: {_quote(source.file)} {_quote(source.path)} = {_quote(source.original)}")
    lines.append("# Unknown (the file cannot tell; left at the defaults; `advisor interview` asks these):")
    lines.append("#   " + ", ".join(profile.unknown))
    return "\n".join(lines) + "\n"


def profile_yaml(profile: ImportedProfile) -> str:
    """One profile as YAML: the provenance comment block, then the derived fields only."""
    import yaml

    body = yaml.safe_dump(profile.data, sort_keys=False, allow_unicode=False, default_flow_style=False, width=100)
    return provenance_comment(profile) + body


def provenance_record(profile: ImportedProfile) -> dict[str, Any]:
    """Provenance as plain data: {field: {file, path, original}}."""
    return {name: {"file": p.file, "path": p.path, "original": p.original} for name, p in profile.provenance.items()}


def profiles_csv(profiles: list[ImportedProfile]) -> str:
    """A portfolio CSV (`advisor assess` reads it): a column per profile field, blank where unknown."""
    from advisor.profile.fields import FIELD_NAMES

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELD_NAMES)
    for profile in profiles:
        writer.writerow([_csv_cell(profile.data.get(name)) for name in FIELD_NAMES])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def provenance_csv(profiles: list[ImportedProfile]) -> str:
    """One row per derived field: name, field, file, path, original (JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "field", "file", "path", "original"])
    for profile in profiles:
        for field_name, source in profile.provenance.items():
            writer.writerow([profile.name, field_name, source.file, source.path, _quote(source.original)])
    return buffer.getvalue()


def render(profiles: list[ImportedProfile], fmt: str) -> str:
    """All profiles as one text for stdout: CSV, a YAML stream, or a JSON list with provenance."""
    if fmt == "csv":
        return profiles_csv(profiles)
    if fmt == "yaml":
        return "---\n".join(profile_yaml(p) for p in profiles)
    return json.dumps([{"name": p.name, "source_kind": p.source_kind, "profile": p.data,
                        "provenance": provenance_record(p), "unknown": list(p.unknown)} for p in profiles],
                      indent=2, default=str) + "\n"


# --- writing files -----------------------------------------------------------------------------


def safe_file_stem(name: str, taken: set[str]) -> str:
    """A file name stem from a workload name: letters, digits, `.`, `_`, `-` only; never hidden, never a
    path, never a reserved device name, unique (case-insensitively) among `taken`."""
    stem = _UNSAFE.sub("-", name).strip(".-")[:100] or "profile"
    if stem.lower().split(".", 1)[0] in _RESERVED:
        stem = f"{stem}-profile"
    candidate, number = stem, 2
    while candidate.lower() in taken:
        candidate = f"{stem}-{number}"
        number += 1
    taken.add(candidate.lower())
    return candidate


def _planned_files(profiles: list[ImportedProfile], fmt: str) -> list[tuple[str, str]]:
    """(file name, text) for every file to write."""
    if fmt == "csv":
        return [("profiles.csv", profiles_csv(profiles)), ("profiles.provenance.csv", provenance_csv(profiles))]
    taken: set[str] = {"profiles"}
    files: list[tuple[str, str]] = []
    for profile in profiles:
        stem = safe_file_stem(profile.name, taken)
        if fmt == "yaml":
            files.append((f"{stem}.yaml", profile_yaml(profile)))
        else:
            files.append((f"{stem}.json", json.dumps(profile.data, indent=2, default=str) + "\n"))
            record = {"name": profile.name, "source_kind": profile.source_kind,
                      "provenance": provenance_record(profile), "unknown": list(profile.unknown)}
            files.append((f"{stem}.provenance.json", json.dumps(record, indent=2, default=str) + "\n"))
    return files


def write_atomic(target: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename: never a partial file."""
    refuse_input_overwrite(target)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".advisor-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a profile is an ordinary file
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_profiles(profiles: list[ImportedProfile], directory: Path, fmt: str, force: bool) -> list[Path]:
    """Write every profile into `directory`; refuses to overwrite without `force` (before writing any)."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--out {directory}: exists and is not a directory")
    files = _planned_files(profiles, fmt)
    root = directory.resolve()
    targets = []
    for name, _text in files:
        target = directory / name
        if target.resolve().parent != root:
            raise UsageError(f"--out {directory}: {name!r} would be written outside the directory")
        refuse_input_overwrite(target)
        targets.append(target)
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise OutputExistsError(f"{', '.join(existing)}: already exist; use --force to overwrite")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {directory}: cannot create the directory ({exc.strerror or exc})") from None
    for target, (_name, text) in zip(targets, files, strict=True):
        write_atomic(target, text)
    return targets
