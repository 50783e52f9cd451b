"""Column mapping: an export's own column names and values mapped onto profile fields, and the plan
of which input column feeds which field."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor import RUNTIMES
from advisor.errors import UsageError
from advisor.profile.fields import FIELD_BY_NAME, FIELD_NAMES, cell_text, suggest_field

if TYPE_CHECKING:

    pass


RESULT_COLUMNS: tuple[str, ...] = (
    "row", "status", "error", "warning", "recommendation", "runner_up", "confidence",
    *(f"feasible_{rt}" for rt in RUNTIMES), *(f"score_{rt}" for rt in RUNTIMES),
    *(f"monthly_cost_{rt}" for rt in RUNTIMES), *(f"blockers_{rt}" for rt in RUNTIMES),
)
"""The columns every output row gets after the input's own columns (DESIGN.md CSV contract, plus `warning`)."""


# --------------------------------------------------------------------------------------- mapping file


def header_key(text: str) -> str:
    """A column name reduced for matching: lower case, letters and digits only ("Memory (MB)" -> "memorymb")."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).casefold())


FIELD_KEYS: dict[str, str] = {header_key(name): name for name in FIELD_NAMES}


def value_key(text: str) -> str:
    """A cell reduced for value mapping: trimmed and case-folded ("Win " -> "win")."""
    return text.strip().casefold()


@dataclass(frozen=True)
class ColumnMapping:
    """An export's own column names and values mapped onto profile fields (`--columns mapping.yaml`).

    `columns` maps an export column to a profile field (None: pass the column through, never match
    it); `values` maps, per profile field, a value key (see `value_key`) to the profile value.
    """

    columns: dict[str, str | None]
    values: dict[str, dict[str, str]]
    source: str


def load_mapping(path: str) -> ColumnMapping:
    """Read and validate a mapping file (YAML, safe loading only); every problem names the file and key."""
    from advisor.files import read_yaml_file

    data = read_yaml_file(path, "mapping file")
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a mapping file is a YAML mapping with `columns:` (and optionally `values:`)")
    unknown = set(data) - {"columns", "values"}
    if unknown:
        shown = ", ".join(f"{k}{_did_you_mean(k, ['columns', 'values'])}" for k in sorted(map(str, unknown)))
        raise UsageError(f"{path}: unknown key(s) {shown}; a mapping file has columns and values")
    columns_raw = data.get("columns") or {}
    if not isinstance(columns_raw, dict):
        raise UsageError(f"{path}: columns must map an export column name to a profile field")
    columns: dict[str, str | None] = {}
    targets: dict[str, str] = {}
    for column, target in columns_raw.items():
        column_name = cell_text(column).strip()
        if target is None:
            columns[column_name] = None
            continue
        target_name = str(target).strip()
        if target_name not in FIELD_BY_NAME:
            raise UsageError(f"{path}: columns.{column_name}: {target_name!r} is not a profile field"
                             f"{suggest_field(target_name)}")
        if target_name in targets:
            raise UsageError(f"{path}: columns {targets[target_name]!r} and {column_name!r} both map to "
                             f"{target_name}; keep one")
        targets[target_name] = column_name
        columns[column_name] = target_name
    values_raw = data.get("values") or {}
    if not isinstance(values_raw, dict):
        raise UsageError(f"{path}: values must map a profile field to {{export value: profile value}}")
    values: dict[str, dict[str, str]] = {}
    for key, table in values_raw.items():
        name = str(key).strip()
        field_name = name if name in FIELD_BY_NAME else columns.get(name)
        if field_name is None:
            raise UsageError(f"{path}: values.{name}: not a profile field or a mapped column{suggest_field(name)}")
        if not isinstance(table, dict):
            raise UsageError(f"{path}: values.{name} must map export values to profile values")
        values.setdefault(field_name, {}).update({value_key(cell_text(k)): cell_text(v) for k, v in table.items()})
    return ColumnMapping(columns, values, path)


# --------------------------------------------------------------------------------------- column plan


@dataclass(frozen=True)
class ColumnPlan:
    """How the input's columns become profile fields and output columns."""

    header: tuple[str, ...]
    output_header: tuple[str, ...]
    fields: tuple[tuple[int, str], ...]  # (input column index, profile field)
    value_maps: dict[str, dict[str, str]]
    column_of: dict[str, str]  # profile field -> input column name, for messages
    notes: tuple[str, ...]

    @property
    def name_index(self) -> int:
        return next(index for index, name in self.fields if name == "name")


def _did_you_mean(name: str, candidates: list[str]) -> str:
    """' (did you mean X?)' when `name` is close to one of `candidates` (compared as header keys), or ''."""
    keys = {header_key(c): c for c in candidates}
    close = difflib.get_close_matches(header_key(name), list(keys), n=1, cutoff=0.75)
    return f" (did you mean {keys[close[0]]!r}?)" if close else ""


def plan_columns(header: list[str], mapping: ColumnMapping | None, label: str) -> ColumnPlan:
    """Match header cells to profile fields; the mapping first, then names ignoring case, spaces and punctuation."""
    notes: list[str] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            raise UsageError(f"{label}: column {name!r} appears twice (columns {seen[name]} and {position}); "
                             "rename one so every column has its own name")
        seen[name] = position
    mapped = dict(mapping.columns) if mapping else {}
    by_key = {header_key(k): v for k, v in mapped.items()}
    fields: list[tuple[int, str]] = []
    claimed: dict[str, str] = {}
    used_mapping: set[str] = set()
    for index, name in enumerate(header):
        if name in mapped:
            target, used = mapped[name], name
        elif header_key(name) in by_key:
            target = by_key[header_key(name)]
            used = next(k for k in mapped if header_key(k) == header_key(name))
        else:
            target, used = FIELD_KEYS.get(header_key(name)), ""
        if used:
            used_mapping.add(used)
        if target is None:
            continue
        if target in claimed:
            raise UsageError(f"{label}: columns {claimed[target]!r} and {name!r} both match the profile field "
                             f"{target}; rename one or map them in a column mapping file", option="columns")
        claimed[target] = name
        fields.append((index, target))
    if mapping:
        missing = [k for k, v in mapping.columns.items() if k not in used_mapping and v is not None]
        if missing:
            unused = [h for index, h in enumerate(header) if index not in {i for i, _ in fields}]
            shown = ", ".join(f"{k}{_did_you_mean(k, unused)}" for k in missing)
            notes.append(f"{mapping.source}: mapped column(s) not in {label}: {shown}")
    if "name" not in claimed:
        close = [h for h in header if "name" in header_key(h) or header_key(h) in {"app", "application", "id"}]
        hint = f" (perhaps {close[0]!r}?)" if close else ""
        raise UsageError(f"{label}: no `name` column{hint}; columns are {', '.join(header) or 'none'}. Name the "
                         "workload column `name`, or map it in a column mapping file (columns: {Your Column: name})",
                         option="columns")
    field_columns = {index for index, _ in fields}
    passthrough = [name for index, name in enumerate(header) if index not in field_columns]
    if passthrough:
        unclaimed = [f for f in FIELD_NAMES if f not in claimed]
        notes.append("passed through unchanged (not profile fields): "
                     + ", ".join(f"{name}{_did_you_mean(name, unclaimed)}" for name in passthrough))
    output_header = []
    taken = set(header) | set(RESULT_COLUMNS)
    renamed_columns = []
    for name in header:
        if name in RESULT_COLUMNS:
            renamed = f"input_{name}"
            while renamed in taken:
                renamed = f"input_{renamed}"
            taken.add(renamed)
            renamed_columns.append(name)
            name = renamed
        output_header.append(name)
    if renamed_columns:
        notes.append(f"input columns named like result columns are written with an input_ prefix: "
                     f"{', '.join(renamed_columns)}")
    value_maps = {f: m for f, m in (mapping.values.items() if mapping else ()) if f in claimed}
    return ColumnPlan(tuple(header), tuple(output_header), tuple(fields), value_maps,
                      {f: c for f, c in claimed.items()}, tuple(notes))
