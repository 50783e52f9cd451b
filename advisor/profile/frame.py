"""Profiles as a pandas DataFrame: the one shape the scoring engine works on (one row or a million).

`profiles_to_frame` turns validated profiles into a frame; `records_to_frame` validates a raw frame
of text cells (a CSV portfolio) column by column, parsing each distinct value once with the same
`parse_field` that validates a single profile, so both paths accept and reject exactly the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import FieldProblem
from advisor.profile.fields import FIELD_BY_NAME, FIELDS, PROTOCOLS, WorkloadProfile, is_missing, parse_field

NUMERIC_KINDS = ("number", "integer")


def _finish(frame: pd.DataFrame, protocol_flags: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Fix dtypes and add one boolean column per protocol (`proto_http`, ...).

    `protocol_flags` gives the protocol columns already worked out (records_to_frame decides each
    distinct protocol list once); otherwise they are read from the `protocols` column row by row.
    """
    for spec in FIELDS:
        if spec.kind in NUMERIC_KINDS:
            frame[spec.name] = pd.to_numeric(frame[spec.name], errors="coerce").astype("float64")
        elif spec.kind == "bool":
            frame[spec.name] = frame[spec.name].astype(bool)
        elif spec.kind == "enum" and not isinstance(frame[spec.name].dtype, pd.CategoricalDtype):
            # Categorical with the field's fixed choices: comparisons run on small integer codes.
            frame[spec.name] = pd.Categorical(frame[spec.name], categories=list(spec.choices))
    # Named instance types imply specific_instance_type (as build_profile does for one profile); a frame
    # holds few distinct lists, so each is decided once.
    codes, uniques = pd.factorize(frame["instance_types"])
    named = np.array([len(u) > 0 for u in uniques] + [False], dtype=bool)[codes]
    frame["specific_instance_type"] = frame["specific_instance_type"].to_numpy(dtype=bool) | named
    protocols = frame["protocols"]
    for protocol in PROTOCOLS:
        if protocol_flags is not None:
            frame[f"proto_{protocol}"] = protocol_flags[protocol]
            continue
        frame[f"proto_{protocol}"] = np.fromiter(
            (protocol in p for p in protocols), dtype=bool, count=len(frame)
        )
    return frame


def profiles_to_frame(profiles: Sequence[WorkloadProfile]) -> pd.DataFrame:
    """A frame with one row per profile, columns named as the profile fields."""
    columns: dict[str, list[Any]] = {spec.name: [getattr(p, spec.name) for p in profiles] for spec in FIELDS}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(profiles)))
    frame["assumed_defaults"] = [list(p.assumed_defaults) for p in profiles]
    return _finish(frame)


def records_to_frame(raw: pd.DataFrame, first_row: int = 1) -> tuple[pd.DataFrame, dict[int, list[FieldProblem]]]:
    """Validate a frame of raw cells whose columns are profile field names (others are ignored).

    Returns the typed frame (invalid cells replaced by defaults so the row still scores) and the
    problems by position, each naming the 1-based data row (`first_row` is the first row's number).
    """
    n = len(raw)
    out: dict[str, Any] = {}
    protocol_flags: dict[str, np.ndarray] | None = None
    problems: dict[int, list[FieldProblem]] = {}
    assumed = np.zeros((n, len(FIELDS)), dtype=bool)
    for column_index, spec in enumerate(FIELDS):
        if spec.name not in raw.columns:
            assumed[:, column_index] = spec.name != "name"
            out[spec.name] = [spec.default] * n if spec.name != "name" else [""] * n
            if spec.name == "name":
                for position in range(n):
                    problems.setdefault(position, []).append(
                        FieldProblem("name", None, "is required", first_row + position))
            continue
        cells = raw[spec.name].to_numpy(dtype=object)
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
        parsed: list[Any] = []
        errors: dict[int, str] = {}
        missing_codes: set[int] = set()
        for code, cell in enumerate(uniques):
            if is_missing(cell):
                missing_codes.add(code)
                parsed.append(spec.default)
                continue
            try:
                parsed.append(parse_field(spec, cell))
            except ValueError as exc:
                errors[code] = str(exc)
                parsed.append(spec.default)
        lookup = np.empty(len(parsed) + 1, dtype=object)
        lookup[: len(parsed)] = parsed
        lookup[-1] = spec.default
        values: Any = lookup[codes]
        if spec.kind == "enum":
            # Straight to the categorical _finish makes, without pandas first turning the text into a
            # string column (which costs more than all the parsing).
            choice_code = {choice: index for index, choice in enumerate(spec.choices)}
            category_codes = np.array([choice_code.get(v, -1) if isinstance(v, str) else -1 for v in lookup],
                                      dtype=np.int64)
            values = pd.Categorical.from_codes(category_codes[codes], dtype=pd.CategoricalDtype(list(spec.choices)))
        elif spec.kind == "protocols":
            protocol_flags = {protocol: np.array([protocol in p for p in lookup], dtype=bool)[codes]
                              for protocol in PROTOCOLS}
        is_missing_row = (codes < 0) | np.isin(codes, list(missing_codes))
        assumed[:, column_index] = is_missing_row & (spec.name != "name")
        if spec.name == "name":
            for missing_position in np.flatnonzero(is_missing_row):
                problems.setdefault(int(missing_position), []).append(
                    FieldProblem("name", None, "is required", first_row + int(missing_position)))
        for code, message in errors.items():
            for bad_position in np.flatnonzero(codes == code):
                problems.setdefault(int(bad_position), []).append(
                    FieldProblem(spec.name, uniques[code], message, first_row + int(bad_position)))
        out[spec.name] = values
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    frame["assumed_defaults"] = _assumed_lists(assumed)
    return _finish(frame, protocol_flags), problems


def _assumed_lists(assumed: np.ndarray) -> list[list[str]]:
    """Each row's list of assumed field names; rows share few patterns, so each is spelled out once."""
    names = np.array([spec.name for spec in FIELDS], dtype=object)
    n, width = assumed.shape
    if n == 0:
        return []
    # One integer key per row (its flags as bits), so the distinct patterns are a 1-D unique.
    packed = np.zeros((n, 8 * ((width + 63) // 64)), dtype=np.uint8)
    packed[:, : (width + 7) // 8] = np.packbits(assumed, axis=1)
    keys = packed.view(np.uint64)
    if keys.shape[1] == 1:
        _, first, inverse = np.unique(keys[:, 0], return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    spelled = [names[assumed[row]].tolist() for row in first.tolist()]
    return [spelled[i].copy() for i in inverse.reshape(-1).tolist()]


def frame_row_to_profile(frame: pd.DataFrame, position: int) -> WorkloadProfile:
    """The validated profile of one frame row (values are already canonical)."""
    row = frame.iloc[position]
    values: dict[str, Any] = {}
    for spec in FIELDS:
        value = row[spec.name]
        if spec.kind == "integer" and not is_missing(value):
            value = int(value)
        elif spec.kind == "number" and not is_missing(value):
            value = int(value) if float(value).is_integer() else float(value)
        elif spec.nullable and is_missing(value):
            value = None
        values[spec.name] = value
    return WorkloadProfile(**values, assumed_defaults=tuple(row["assumed_defaults"]))


__all__ = ["FIELD_BY_NAME", "frame_row_to_profile", "profiles_to_frame", "records_to_frame"]
