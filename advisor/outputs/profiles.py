"""Imported workload profiles as files: YAML with provenance comments, JSON with a provenance file,
or one CSV (with a provenance CSV) that `advisor assess` reads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import UsageError
from advisor.files import check_output_files, safe_file_name, write_text_atomic

if TYPE_CHECKING:
    from advisor.importers import ImportedProfile

FORMATS = ("yaml", "json", "csv")


# --- rendering ---------------------------------------------------------------------------------


def _quote(value: Any) -> str:
    """A value for a YAML comment: JSON with every non-ASCII character and line break escaped."""
    return json.dumps(value, ensure_ascii=True, default=str)


def _comment_text(text: str) -> str:
    """Free text for a YAML comment line: no line breaks, ASCII only."""
    return json.dumps(text, ensure_ascii=True)[1:-1] if text else ""


def provenance_comment(profile: ImportedProfile) -> str:
    """The comment block above a YAML profile: source, provenance of each field, the unknowns."""
    origin = profile.provenance["name"]
    lines = [f"# Imported by `advisor profile from` from {_quote(origin.file)} ({profile.source_kind}).",
             "# Provenance (field: file, path inside the document, original value):"]
    for field_name in profile.data:
        source = profile.provenance.get(field_name)
        if source is not None:
            implied = f" (implied: {source.implied}; a value you give wins)" if source.implied else ""
            lines.append(f"#   {field_name}: {_quote(source.file)} {_quote(source.path)} = {_quote(source.original)}"
                         + _comment_text(implied))
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
    return {name: {"file": p.file, "path": p.path, "original": p.original,
                   **({"implied": p.implied} if p.implied else {})}
            for name, p in profile.provenance.items()}


def profiles_csv(profiles: list[ImportedProfile]) -> str:
    """A portfolio CSV (`advisor assess` reads it): a column per profile field, blank where unknown."""
    from advisor.profile.fields import FIELD_NAMES, cell_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELD_NAMES)
    for profile in profiles:
        writer.writerow([cell_text(profile.data.get(name)) for name in FIELD_NAMES])
    return buffer.getvalue()


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


def _planned_files(profiles: list[ImportedProfile], fmt: str) -> list[tuple[str, str]]:
    """(file name, text) for every file to write."""
    if fmt == "csv":
        return [("profiles.csv", profiles_csv(profiles)), ("profiles.provenance.csv", provenance_csv(profiles))]
    taken: set[str] = {"profiles"}
    files: list[tuple[str, str]] = []
    for profile in profiles:
        stem = safe_file_name(profile.name, taken)
        if fmt == "yaml":
            files.append((f"{stem}.yaml", profile_yaml(profile)))
        else:
            files.append((f"{stem}.json", json.dumps(profile.data, indent=2, default=str) + "\n"))
            record = {"name": profile.name, "source_kind": profile.source_kind,
                      "provenance": provenance_record(profile), "unknown": list(profile.unknown)}
            files.append((f"{stem}.provenance.json", json.dumps(record, indent=2, default=str) + "\n"))
    return files


def write_profiles(profiles: list[ImportedProfile], directory: Path, fmt: str, force: bool) -> list[Path]:
    """Write every profile into `directory`; refuses to overwrite without `force` (before writing any)."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: exists and is not a folder")
    files = _planned_files(profiles, fmt)
    root = directory.resolve()
    targets = []
    for name, _text in files:
        target = directory / name
        if target.resolve().parent != root:
            raise UsageError(f"{directory}: {name!r} would be written outside the folder")
        targets.append(target)
    check_output_files(targets, force, "profile file", folders_must_exist=False)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{directory}: cannot create the folder ({exc.strerror or exc})") from None
    for target, (_name, text) in zip(targets, files, strict=True):
        write_text_atomic(target, text, newline="")
    return targets
