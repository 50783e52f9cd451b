"""Portfolio assessment: every row of a CSV, XLSX or Parquet export scored through the core engine.

The input is read in chunks. Each chunk's profile columns are validated by `records_to_frame` and
scored by `score_frame` in one vectorised pass (in worker processes when the input spans several
chunks), and its output rows are appended to a temporary file beside the target, which replaces
the target only once everything has been written. Memory stays flat: besides the chunk in flight,
only the names and a few numbers per workload are kept, for the portfolio summary.

The output holds the input's own columns, then the columns of DESIGN.md's CSV contract (`row`,
`status`, `error`, `warning`, `recommendation`, `runner_up`, `confidence` and, per runtime,
`feasible_RT`, `score_RT`, `monthly_cost_RT`, `blockers_RT`), one row per input row, in input order.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import enum
import io
import itertools
import json
import math
import os
import re
import sys
import tempfile
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from advisor import RUNTIMES
from advisor.errors import InputEncodingError, OutputExistsError, UsageError
from advisor.profile.fields import FIELD_BY_NAME, FIELD_NAMES, suggest_field

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from advisor.engine.scoring import BlendParts
    from advisor.portfolio.consolidation import ConsolidationSettings
    from advisor.profile.fields import WorkloadProfile

SCHEMA_VERSION = 1
DEFAULT_CHUNK_SIZE = 25_000
LOW_CONFIDENCE = 0.6
NEEDS_REVIEW_CAP = 500
REPORT_ROW_CAP = 100_000
XLSX_MAX_DATA_ROWS = 1_048_575  # a worksheet holds 1,048,576 rows, one of them the header
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_SNIFF_DELIMITERS = ",;\t|"
EXTRA_HINT = 'pip install "aws-runtime-advisor[{extra}]"'

RESULT_COLUMNS: tuple[str, ...] = (
    "row", "status", "error", "warning", "recommendation", "runner_up", "confidence",
    *(f"feasible_{rt}" for rt in RUNTIMES), *(f"score_{rt}" for rt in RUNTIMES),
    *(f"monthly_cost_{rt}" for rt in RUNTIMES), *(f"blockers_{rt}" for rt in RUNTIMES),
)
"""The columns every output row gets after the input's own columns (DESIGN.md CSV contract, plus `warning`)."""


class ResultFormat(enum.StrEnum):
    """Every format `assess` can write; a test loops over all members."""

    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


INPUT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", "": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                  ".parquet": "parquet", ".pq": "parquet"}
OUTPUT_SUFFIXES = {".csv": ResultFormat.csv, ".tsv": ResultFormat.csv, ".txt": ResultFormat.csv,
                   ".json": ResultFormat.json, ".parquet": ResultFormat.parquet, ".pq": ResultFormat.parquet,
                   ".xlsx": ResultFormat.xlsx}


def _needs_extra(module: str, extra: str, what: str) -> Any:
    """Import an optional dependency or say which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{what} needs the {extra} extra: {EXTRA_HINT.format(extra=extra)}") from None


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


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(_cell_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


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
        column_name = _cell_text(column).strip()
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
        values.setdefault(field_name, {}).update({value_key(_cell_text(k)): _cell_text(v) for k, v in table.items()})
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
                             f"{target}; rename one or map them with --columns")
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
                         "workload column `name`, or map it in a --columns mapping file (columns: {Your Column: name})")
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


# --------------------------------------------------------------------------------------- input sources


class Source:
    """Rows of text cells from one input; the header is read on opening."""

    label: str
    header: list[str]
    ragged_is_error: bool = False
    total_bytes: int | None = None

    def rows(self) -> Iterator[list[str]]:
        raise NotImplementedError

    def bytes_done(self) -> int | None:
        return None

    def close(self) -> None:
        """Release the input."""


def _header_names(cells: list[str]) -> list[str]:
    names = [c.strip().lstrip("\ufeff").strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    return [name or f"unnamed_{position}" for position, name in enumerate(names, start=1)]


class CsvSource(Source):
    """A delimited text file or stdin; the delimiter is sniffed from the first lines."""

    ragged_is_error = True

    def __init__(self, path: str, encoding: str | None, label: str) -> None:
        from advisor.files import check_encoding

        self.label = label
        self.encoding = check_encoding(encoding)
        self._binary: IO[bytes]
        if path == "-":
            self._binary = sys.stdin.buffer
        else:
            self._binary = _open_binary(path, label)
            self.total_bytes = os.fstat(self._binary.fileno()).st_size
        self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
        self._row = 0
        sample = self._decode(lambda: self._text.read(65536))
        if sample and not sample.endswith(("\n", "\r")):
            sample += self._decode(self._text.readline)
        if not sample.strip():
            self.close()
            raise UsageError(f"{label}: the file is empty; expected a header row naming the columns "
                             "(at least `name`) and one row per workload")
        self.delimiter = "\t" if label.lower().endswith(".tsv") else _sniff_delimiter(sample)
        lines = itertools.chain(io.StringIO(sample, newline=""), self._text)
        self._reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"', doublequote=True, strict=False)
        header_row = next((r for r in self._guarded(self._reader) if r), None)
        if header_row is None:
            self.close()
            raise UsageError(f"{label}: the file is empty; expected a header row naming the columns")
        self.header = _header_names(header_row)

    def _encoding_error(self, exc: UnicodeDecodeError) -> InputEncodingError:
        from advisor.files import encoding_label

        byte = exc.object[exc.start] if exc.start < len(exc.object) else 0
        return InputEncodingError(self.label, encoding_label(self.encoding), self._row + 1, int(byte), near=True)

    def _decode(self, read: Callable[[], str]) -> str:
        try:
            return read()
        except UnicodeDecodeError as exc:
            raise self._encoding_error(exc) from None

    def _guarded(self, reader: Iterator[list[str]]) -> Iterator[list[str]]:
        """The reader's rows; a decoding or CSV error becomes a UsageError naming the data row."""
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise self._encoding_error(exc) from None
        except csv.Error as exc:
            raise UsageError(f"{self.label}: cannot parse data row {self._row + 1} as CSV ({exc})") from None

    def rows(self) -> Iterator[list[str]]:
        for row in self._guarded(self._reader):
            if row:  # a truly empty line, which CSV readers (and pandas) skip
                self._row += 1
                yield row

    def bytes_done(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return self._binary.tell() if self.total_bytes is not None else None
        return None

    def close(self) -> None:
        if self._binary is sys.stdin.buffer:
            with contextlib.suppress(ValueError):
                self._text.detach()
        else:
            self._binary.close()


def _open_binary(path: str, label: str) -> IO[bytes]:
    from advisor.files import open_input

    del label  # open_input names the path itself, in the words every command uses
    return open_input(path)


def _sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: csv.Sniffer's guess if the header has it, else the header's commonest."""
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    header = lines[0] if lines else ""
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters=_SNIFF_DELIMITERS).delimiter
    except csv.Error:
        guess = ""
    if guess and guess in header:
        return guess
    counts = {d: header.count(d) for d in _SNIFF_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _typed_cell(value: Any) -> str:
    """A spreadsheet or Parquet cell as the text a CSV would hold."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return _cell_text(value)


class XlsxSource(Source):
    """The first worksheet of an .xlsx workbook (cached values, not formulas)."""

    def __init__(self, path: str, label: str) -> None:
        openpyxl = _needs_extra("openpyxl", "xlsx", f"{label}: reading .xlsx files")
        self.label = label
        _open_binary(path, label).close()
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for broken files
            raise UsageError(f"{label}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
        sheet = self._book.worksheets[0]
        self._rows = (list(map(_typed_cell, r)) for r in sheet.iter_rows(values_only=True))
        first = next((r for r in self._rows if any(c.strip() for c in r)), None)
        if first is None:
            self.close()
            raise UsageError(f"{label}: the first worksheet is empty; expected a header row naming the columns")
        self.header = _header_names(first)

    def rows(self) -> Iterator[list[str]]:
        width = len(self.header)
        for row in self._rows:
            if not any(c.strip() for c in row):
                continue
            if len(row) > width and not any(c.strip() for c in row[width:]):
                row = row[:width]
            yield row

    def close(self) -> None:
        self._book.close()


class ParquetSource(Source):
    """A Parquet file, read one record batch at a time."""

    def __init__(self, path: str, label: str) -> None:
        pq = _needs_extra("pyarrow.parquet", "parquet", f"{label}: reading .parquet files")
        self.label = label
        _open_binary(path, label).close()
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses for broken files
            raise UsageError(f"{label}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
        self.header = _header_names([str(n) for n in self._file.schema_arrow.names])

    def rows(self) -> Iterator[list[str]]:
        for batch in self._file.iter_batches(batch_size=10_000):
            columns = [[_typed_cell(v) for v in column.to_pylist()] for column in batch.columns]
            for row in zip(*columns, strict=True):
                yield list(row)

    def close(self) -> None:
        self._file.close()


def open_source(path: str, encoding: str | None = None) -> Source:
    """Open a portfolio for reading: CSV (or `-` for stdin), .xlsx or .parquet, by extension."""
    label = "<stdin>" if path == "-" else path
    if path != "-":
        _open_binary(path, label).close()  # missing, a folder, unreadable: said before the file type
    kind = "csv" if path == "-" else INPUT_SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        suffix = Path(path).suffix
        hint = " (Excel 97-2003): save it as .xlsx or CSV" if suffix.lower() == ".xls" else ""
        raise UsageError(f"{label}: cannot read {suffix!r} files{hint}; give a .csv, .tsv, .xlsx or .parquet "
                         "file, or - for CSV on stdin")
    if kind == "xlsx":
        return XlsxSource(path, label)
    if kind == "parquet":
        return ParquetSource(path, label)
    return CsvSource(path, encoding, label)


# --------------------------------------------------------------------------------------- one chunk


@dataclass(frozen=True)
class ChunkContext:
    """What every chunk needs to know; sent once to each worker process."""

    plan: ColumnPlan
    free_tier: bool
    format: ResultFormat
    raw: bool
    report_rows: int
    scaffold: bool
    blend: BlendParts | None = None


@dataclass
class ChunkTask:
    rows: list[list[str]]
    first_row: int
    row_errors: dict[int, str]
    warnings: dict[int, str]


@dataclass
class ChunkResult:
    """One chunk's output (serialised for the target format) and its part of the portfolio summary."""

    n: int
    payload: Any
    invalid: int
    valid: np.ndarray
    recommendation: np.ndarray
    confidence: np.ndarray
    monthly: np.ndarray
    blocker_counts: dict[str, dict[str, int]]
    review: list[dict[str, Any]]
    review_total: int
    consolidation: Any
    wave_features: np.ndarray
    wave_recommendation: np.ndarray
    wave_confidence: np.ndarray
    report_frame: pd.DataFrame | None = None
    profiles: list[WorkloadProfile] = field(default_factory=list)


def neutralise(text: str) -> str:
    """Prefix a text cell a spreadsheet would run as a formula with `'`; numbers such as -5 are left alone."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


_CELL_START = re.compile(r"(?:^|\x00)[=+\-@\t\r]")


def _neutralise_rows(rows: list[list[str]]) -> None:
    for row in rows:
        if _CELL_START.search("\x00".join(row)):  # one C-level scan per row; most rows have nothing to fix
            for index, cell in enumerate(row):
                if cell.startswith(FORMULA_START):
                    row[index] = neutralise(cell)


def _number_strings(values: np.ndarray, decimals: int, blank: np.ndarray) -> list[str]:
    """Numbers with a fixed number of decimals; empty where `blank` or not finite."""
    import numpy as np

    strings = list(map(f"%.{decimals}f".__mod__, np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0).tolist()))
    for index in np.flatnonzero(blank | ~np.isfinite(values)).tolist():
        strings[index] = ""
    return strings


def assess_chunk(context: ChunkContext, task: ChunkTask) -> ChunkResult:
    """Validate, score and serialise one chunk of rows (runs in a worker process for big inputs)."""
    import numpy as np
    import pandas as pd

    from advisor.engine.feasibility import blocker_names
    from advisor.engine.scoring import score_frame
    from advisor.portfolio.consolidation import chunk_partial, platform_parts
    from advisor.portfolio.waves import wave_features
    from advisor.profile.frame import frame_row_to_profile, records_to_frame

    plan, rows, n = context.plan, task.rows, len(task.rows)
    by_column = list(zip(*rows, strict=True))  # one C-level transpose instead of a loop per column
    raw: dict[str, np.ndarray] = {}
    for index, field_name in plan.fields:
        column = by_column[index]
        value_map = plan.value_maps.get(field_name)
        if value_map:
            column = tuple(value_map.get(value_key(cell), cell) for cell in column)
        cells = np.empty(n, dtype=object)
        cells[:] = column
        raw[field_name] = cells
    del by_column
    frame, problems = records_to_frame(pd.DataFrame(raw, index=pd.RangeIndex(n)), first_row=task.first_row)
    scored = score_frame(frame, free_tier=context.free_tier, blend=context.blend)
    first, second = scored.recommendation, scored.runner_up  # properties: work them out once

    valid = np.ones(n, dtype=bool)
    errors: list[str] = [""] * n
    field_index = dict((f, i) for i, f in plan.fields)
    for position, message in task.row_errors.items():
        valid[position] = False
        errors[position] = message
    for position, found in problems.items():
        valid[position] = False
        messages = [errors[position]] if errors[position] else []
        for problem in found:
            source_column = plan.column_of.get(problem.field, problem.field)
            where = f" (column {source_column!r})" if source_column != problem.field else ""
            original = rows[position][field_index[problem.field]] if problem.field in field_index else None
            if original is None or not original.strip():
                messages.append(f"{problem.field}{where}: {problem.message}")
            else:
                messages.append(f"{problem.field}={original!r}{where}: {problem.message}")
        errors[position] = "; ".join(messages)
    recommendation = np.where(valid, first, -1)
    runner_up = np.where(valid, second, -1)
    confidence = np.where(valid, scored.confidence, np.nan)
    invalid = ~valid
    blockers = {rt: blocker_names(scored.blocker_rules, scored.blocker_masks, rt) for rt in RUNTIMES}
    names = [row[plan.name_index].strip() for row in rows]

    warnings = [task.warnings.get(i, "") for i in range(n)] if task.warnings else [""] * n
    for hit in np.flatnonzero(valid & (first < 0)):
        position = int(hit)
        note = "no runtime is feasible: read blockers_* for the limits it breaks"
        warnings[position] = f"{warnings[position]}; {note}" if warnings[position] else note

    runtime_names = np.array([*RUNTIMES, ""], dtype=object)
    columns: dict[str, Any] = {
        "row": np.arange(task.first_row, task.first_row + n),
        "status": np.where(valid, "ok", "invalid").astype(object),
        "error": errors,
        "warning": warnings,
        "recommendation": runtime_names[recommendation],
        "runner_up": runtime_names[runner_up],
        "confidence": confidence,
    }
    payload = _serialise(context, rows, columns, scored, blockers, valid)
    report_frame = None
    if task.first_row <= context.report_rows:
        report_frame = _typed_frame(context, rows, columns, scored, blockers, valid)
    profiles: list[WorkloadProfile] = []
    if context.scaffold:
        runnable = valid & (first >= 0)  # a starter needs a runtime to start on
        profiles = [frame_row_to_profile(frame, int(i)) for i in np.flatnonzero(runnable)]

    # ---- this chunk's part of the summary (valid rows only)
    counts: dict[str, dict[str, int]] = {rt: {} for rt in RUNTIMES}
    for rule in scored.blocker_rules:
        counts[rule.runtime].setdefault(rule.constraint, 0)
    for rt in RUNTIMES:
        for constraint in counts[rt]:
            blocked = np.zeros(n, dtype=bool)
            for index, rule in enumerate(scored.blocker_rules):
                if rule.runtime == rt and rule.constraint == constraint:
                    blocked |= scored.blocker_masks[index]
            counts[rt][constraint] = int((blocked & valid).sum())
    review: list[dict[str, Any]] = []
    flagged = np.flatnonzero(invalid | (valid & (scored.confidence < LOW_CONFIDENCE)) | (warnings_mask(warnings)))
    for position in flagged[:NEEDS_REVIEW_CAP]:
        review.append({"row": int(task.first_row + position), "name": names[position],
                       "reason": _review_reason(int(position), valid, errors, warnings, scored.confidence,
                                                recommendation, runner_up)})
    variable, alb_user, nlb_user = platform_parts(frame, scored)
    consolidation = chunk_partial(valid, first, scored.score, scored.feasible, variable,
                                  alb_user, nlb_user, names)
    features = wave_features(frame, scored)
    return ChunkResult(
        n=n, payload=payload, invalid=int(invalid.sum()), valid=valid, recommendation=recommendation.astype(np.int8),
        confidence=confidence, monthly=scored.monthly_cost, blocker_counts=counts, review=review,
        review_total=len(flagged), consolidation=consolidation,
        wave_features=features[valid],
        wave_recommendation=recommendation[valid].astype(np.int8),
        wave_confidence=scored.confidence[valid].astype(np.float32),
        report_frame=report_frame, profiles=profiles,
    )


def warnings_mask(warnings: list[str]) -> np.ndarray:
    import numpy as np

    return np.array([w.startswith("duplicate name") for w in warnings], dtype=bool)


def _review_reason(position: int, valid: np.ndarray, errors: list[str], warnings: list[str],
                   confidence: np.ndarray, recommendation: np.ndarray, runner_up: np.ndarray) -> str:
    if not valid[position]:
        return f"invalid: {errors[position]}"
    if recommendation[position] < 0:
        return "no runtime is feasible"
    if warnings[position].startswith("duplicate name"):
        reason = warnings[position].split(";")[0]
        if confidence[position] >= LOW_CONFIDENCE:
            return reason
    first = RUNTIMES[int(recommendation[position])]
    second = RUNTIMES[int(runner_up[position])] if runner_up[position] >= 0 else "nothing"
    text = f"low confidence {confidence[position]:.2f}: {first} only narrowly ahead of {second}"
    return f"{warnings[position]}; {text}" if warnings[position].startswith("duplicate name") else text


def _serialise(context: ChunkContext, rows: list[list[str]], columns: dict[str, Any], scored: Any,
               blockers: dict[str, np.ndarray], valid: np.ndarray) -> Any:
    if context.format is ResultFormat.csv:
        return _csv_text(context, rows, columns, scored, blockers, valid)
    frame = _typed_frame(context, rows, columns, scored, blockers, valid)
    if context.format is ResultFormat.json:
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        return ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    if context.format is ResultFormat.parquet:
        import pyarrow as pa

        return pa.Table.from_pandas(frame, schema=_arrow_schema(context.plan), preserve_index=False)
    cells: list[list[Any]] = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    if not context.raw:
        for record in cells:
            for index, cell in enumerate(record):
                if isinstance(cell, str) and cell.startswith(FORMULA_START):
                    record[index] = neutralise(cell)
    return cells


def _neutralised(texts: list[str], raw: bool) -> list[str]:
    return texts if raw else [neutralise(t) if t.startswith(FORMULA_START) else t for t in texts]


def _csv_text(context: ChunkContext, rows: list[list[str]], columns: dict[str, Any], scored: Any,
              blockers: dict[str, np.ndarray], valid: np.ndarray) -> str:
    import numpy as np

    invalid = ~valid
    out: list[list[str]] = [
        [str(v) for v in columns["row"].tolist()], columns["status"].tolist(),
        _neutralised(columns["error"], context.raw),
        _neutralised(columns["warning"], context.raw),
        columns["recommendation"].tolist(), columns["runner_up"].tolist(),
        _number_strings(columns["confidence"], 3, invalid),
    ]
    feasible = scored.feasible
    for k in range(len(RUNTIMES)):
        out.append(np.where(invalid, "", np.where(feasible[:, k], "true", "false")).astype(object).tolist())
    for k in range(len(RUNTIMES)):
        out.append(_number_strings(scored.score[:, k], 3, invalid))
    for k in range(len(RUNTIMES)):
        out.append(_number_strings(scored.monthly_cost[:, k], 2, invalid))
    for rt in RUNTIMES:
        out.append(np.where(invalid, "", blockers[rt]).tolist())
    if not context.raw:
        _neutralise_rows(rows)
    for row, extra in zip(rows, zip(*out, strict=True), strict=True):
        row.extend(extra)
    buffer = io.StringIO()
    # The default CRLF line ending (RFC 4180) also makes csv quote cells holding a lone "\r" (Python 3.11
    # quotes only characters of the line terminator), so every row reads back as one row.
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _typed_frame(context: ChunkContext, rows: list[list[str]], columns: dict[str, Any], scored: Any,
                 blockers: dict[str, np.ndarray], valid: np.ndarray) -> pd.DataFrame:
    """The output chunk with typed result columns (None where a row is invalid)."""
    import numpy as np
    import pandas as pd

    width = len(context.plan.header)
    data: dict[str, Any] = {name: pd.array([row[i] for row in rows], dtype=object)
                            for i, name in enumerate(context.plan.output_header[:width])}
    invalid = ~valid


    data["row"] = pd.array(columns["row"], dtype="int64")
    data["status"] = pd.array(columns["status"], dtype=object)
    data["error"] = pd.array([e or None for e in columns["error"]], dtype=object)
    data["warning"] = pd.array([w or None for w in columns["warning"]], dtype=object)
    data["recommendation"] = pd.array([v or None for v in columns["recommendation"]], dtype=object)
    data["runner_up"] = pd.array([v or None for v in columns["runner_up"]], dtype=object)
    data["confidence"] = np.round(columns["confidence"], 3)
    for k, rt in enumerate(RUNTIMES):
        data[f"feasible_{rt}"] = pd.array(np.where(invalid, None, scored.feasible[:, k]),  # type: ignore[call-overload]
                                          dtype="boolean")
    for k, rt in enumerate(RUNTIMES):
        data[f"score_{rt}"] = np.where(invalid, np.nan, np.round(scored.score[:, k], 3))
    for k, rt in enumerate(RUNTIMES):
        data[f"monthly_cost_{rt}"] = np.where(invalid, np.nan, np.round(scored.monthly_cost[:, k], 2))
    for rt in RUNTIMES:
        data[f"blockers_{rt}"] = pd.array(np.where(invalid, None, blockers[rt]), dtype=object)  # type: ignore[call-overload]
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def _arrow_schema(plan: ColumnPlan) -> Any:
    import pyarrow as pa

    types = {"row": pa.int64(), "confidence": pa.float64()}
    types.update({f"feasible_{rt}": pa.bool_() for rt in RUNTIMES})
    types.update({f"score_{rt}": pa.float64() for rt in RUNTIMES})
    types.update({f"monthly_cost_{rt}": pa.float64() for rt in RUNTIMES})
    return pa.schema([(name, pa.string()) for name in plan.output_header]
                     + [(name, types.get(name, pa.string())) for name in RESULT_COLUMNS])


# --------------------------------------------------------------------------------------- output


def resolve_format(out: str, requested: str | None) -> ResultFormat:
    """--format if given, else the output file's extension; stdout defaults to CSV."""
    if requested:
        try:
            return ResultFormat(requested.strip().lower())
        except ValueError:
            raise UsageError(f"--format {requested!r}: use one of {', '.join(f.value for f in ResultFormat)}") from None
    if out == "-":
        return ResultFormat.csv
    suffix = Path(out).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise UsageError(f"--out {out}: cannot tell the format from {suffix or 'a name without extension'!r}; "
                         f"give --format {'|'.join(f.value for f in ResultFormat)}")
    return OUTPUT_SUFFIXES[suffix]


def check_output_path(path: str, force: bool, what: str = "--out") -> None:
    """Refuse to replace an existing file without --force, or to write into a missing folder."""
    if path == "-":
        return
    from advisor.files import refuse_input_overwrite

    refuse_input_overwrite(path)
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{what} {path}: is a folder; give a file name")
    if target.exists() and not force:
        raise OutputExistsError(f"{what} {path}: the file exists; pass --force to replace it")
    if not target.parent.is_dir():
        raise UsageError(f"{what} {path}: the folder {target.parent} does not exist")


class AtomicFile:
    """A temporary file beside `path` that replaces it on commit and disappears on abort."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part")
        os.close(descriptor)
        self.temporary = Path(temporary)

    def commit(self) -> None:
        from advisor.files import refuse_input_overwrite

        refuse_input_overwrite(self.path)
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o666 & ~_umask()
        os.chmod(self.temporary, mode)
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.temporary.unlink()


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_text_atomic(path: str, text: str, force: bool) -> None:
    """Write a small text file (the summary JSON) atomically."""
    check_output_path(path, force, "--summary")
    target = AtomicFile(path)
    try:
        with open(target.temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        target.commit()
    except BaseException:
        target.abort()
        raise


class ResultWriter:
    """Writes the header and then each chunk's payload, to a temporary file or to stdout."""

    def __init__(self, out: str, fmt: ResultFormat, plan: ColumnPlan) -> None:
        self.out, self.format, self.plan, self.rows = out, fmt, plan, 0
        self.atomic: AtomicFile | None = None
        self._handle: IO[str] | None = None
        self._parquet: Any = None
        self._sheet: Any = None
        self._book: Any = None
        header = [*plan.output_header, *RESULT_COLUMNS]
        if fmt in (ResultFormat.parquet, ResultFormat.xlsx) and out == "-":
            raise UsageError(f"--format {fmt.value} cannot be written to stdout; give --out FILE")
        if fmt is ResultFormat.xlsx:
            openpyxl = _needs_extra("openpyxl", "xlsx", "writing .xlsx files")
            self._book = openpyxl.Workbook(write_only=True)
            self._sheet = self._book.create_sheet("assessment")
            self._sheet.append(header)
        if fmt is ResultFormat.parquet:
            _needs_extra("pyarrow.parquet", "parquet", "writing .parquet files")
        if out != "-":
            self.atomic = AtomicFile(out)
        if fmt in (ResultFormat.csv, ResultFormat.json):
            self._handle = sys.stdout if out == "-" else self._open_temporary()
            if fmt is ResultFormat.csv:
                buffer = io.StringIO()
                csv.writer(buffer).writerow(header)
                self._handle.write(buffer.getvalue())
            else:
                self._handle.write("[")

    def _open_temporary(self) -> IO[str]:
        assert self.atomic is not None
        return open(self.atomic.temporary, "w", encoding="utf-8", newline="")  # closed in commit() or abort()

    def write(self, payload: Any, n: int) -> None:
        if self.format is ResultFormat.csv:
            self._handle.write(payload)  # type: ignore[union-attr]
        elif self.format is ResultFormat.json:
            self._handle.write(("\n" if self.rows == 0 else ",\n") + payload)  # type: ignore[union-attr]
        elif self.format is ResultFormat.parquet:
            import pyarrow.parquet as pq

            if self._parquet is None:
                self._parquet = pq.ParquetWriter(str(self.atomic.temporary), payload.schema)  # type: ignore[union-attr]
            self._parquet.write_table(payload)
        else:
            if self.rows + n > XLSX_MAX_DATA_ROWS:
                raise UsageError(f"an .xlsx worksheet holds at most {XLSX_MAX_DATA_ROWS:,} rows; this portfolio "
                                 "has more: write --format csv or parquet instead")
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            for record in payload:
                self._sheet.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", c) if isinstance(c, str) else c
                                    for c in record])
        self.rows += n
        if self.out == "-" and self._handle is not None:
            self._handle.flush()

    def commit(self) -> None:
        if self.format is ResultFormat.json:
            self._handle.write("\n]\n")  # type: ignore[union-attr]
        if self._handle is not None and self._handle is not sys.stdout:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        elif self._handle is not None:
            self._handle.flush()
        if self._parquet is not None:
            self._parquet.close()
        if self._book is not None:
            self._book.save(str(self.atomic.temporary))  # type: ignore[union-attr]
        if self.atomic is not None:
            self.atomic.commit()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            if self._handle is not None and self._handle is not sys.stdout:
                self._handle.close()
            if self._parquet is not None:
                self._parquet.close()
        if self.atomic is not None:
            self.atomic.abort()


# --------------------------------------------------------------------------------------- summary


class SummaryBuilder:
    """Adds up each chunk's part of the portfolio summary; `finish` runs consolidation and waves."""

    def __init__(self, settings: ConsolidationSettings) -> None:
        import numpy as np

        from advisor.portfolio.consolidation import ConsolidationAccumulator

        self.rows = self.valid = self.invalid = 0
        self.counts = np.zeros(len(RUNTIMES) + 1, dtype=np.int64)
        self.costs = np.zeros(len(RUNTIMES))
        self.histogram = np.zeros(10, dtype=np.int64)
        self.blockers: dict[str, dict[str, int]] = {rt: {} for rt in RUNTIMES}
        self.review: list[dict[str, Any]] = []
        self.review_total = 0
        self.consolidation = ConsolidationAccumulator(settings)
        self._features: list[np.ndarray] = []
        self._names: list[str] = []
        self._recommendation: list[np.ndarray] = []
        self._confidence: list[np.ndarray] = []

    def add(self, result: ChunkResult, names: list[str]) -> None:
        """Add one chunk's part; `names` are its rows' workload names (kept only for valid rows, for waves)."""
        import numpy as np

        valid = result.valid
        self.rows += result.n
        self.invalid += result.invalid
        self.valid += result.n - result.invalid
        recommendation = result.recommendation
        for k in range(len(RUNTIMES)):
            chosen = valid & (recommendation == k)
            self.counts[k] += int(chosen.sum())
            self.costs[k] += float(np.nansum(result.monthly[chosen, k]))
        self.counts[-1] += int((valid & (recommendation < 0)).sum())
        self.histogram += np.histogram(result.confidence[valid], bins=np.linspace(0.0, 1.0, 11))[0]
        for rt, by_constraint in result.blocker_counts.items():
            for constraint, count in by_constraint.items():
                self.blockers[rt][constraint] = self.blockers[rt].get(constraint, 0) + count
        room = NEEDS_REVIEW_CAP - len(self.review)
        self.review.extend(result.review[:max(room, 0)])
        self.review_total += result.review_total
        self.consolidation.add(result.consolidation)
        self._features.append(result.wave_features)
        self._names.extend(itertools.compress(names, valid.tolist()))
        self._recommendation.append(result.wave_recommendation)
        self._confidence.append(result.wave_confidence)

    def finish(self, waves: int | None) -> dict[str, Any]:
        import numpy as np

        from advisor.portfolio.waves import plan_waves

        by_runtime = {rt: {"count": int(self.counts[k]), "monthly_cost_usd": round(float(self.costs[k]), 2)}
                      for k, rt in enumerate(RUNTIMES)}
        by_runtime["none"] = {"count": int(self.counts[-1]), "monthly_cost_usd": 0.0}
        features = np.concatenate(self._features) if self._features else np.zeros((0, 1), dtype=np.float32)
        recommendation = np.concatenate(self._recommendation) if self._recommendation else np.zeros(0, np.int8)
        confidence = np.concatenate(self._confidence) if self._confidence else np.zeros(0, np.float32)
        wave_plan = plan_waves(features, recommendation, confidence, self._names, k=waves)
        return {
            "schema_version": SCHEMA_VERSION,
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "by_runtime": by_runtime,
            "total_monthly_cost_usd": round(float(self.costs.sum()), 2),
            "needs_review": self.review,
            "needs_review_total": self.review_total,
            "blockers": {rt: dict(sorted(c.items())) for rt, c in self.blockers.items()},
            "consolidation": self.consolidation.result(),
            "waves": wave_plan,
            "confidence_histogram": {"bins": [round(i / 10, 1) for i in range(11)],
                                     "counts": [int(c) for c in self.histogram]},
        }


def format_summary(summary: dict[str, Any]) -> str:
    """The portfolio summary as a short plain-text table."""
    lines = [f"Portfolio: {summary['rows']:,} rows, {summary['valid']:,} assessed, {summary['invalid']:,} invalid",
             "", f"{'runtime':<14}{'workloads':>10}{'monthly USD':>16}"]
    for runtime, entry in summary["by_runtime"].items():
        lines.append(f"{runtime:<14}{entry['count']:>10,}{entry['monthly_cost_usd']:>16,.2f}")
    lines.append(f"{'total':<14}{summary['valid'] - summary['by_runtime']['none']['count']:>10,}"
                 f"{summary['total_monthly_cost_usd']:>16,.2f}")
    lines += ["", f"{'standardise on':<40}{'fit loss':>9}{'monthly USD':>15}{'change USD':>13}{'unserved':>10}"]
    for entry in summary["consolidation"]:
        label = f"{entry['k']}: {' + '.join(entry['runtimes'])}"
        lines.append(f"{label:<40}{entry['fit_loss']:>9.3f}{entry['monthly_cost_usd']:>15,.2f}"
                     f"{entry['cost_change_usd']:>+13,.2f}{entry['unserved_count']:>10,}")
    waves = summary["waves"]
    lines += ["", f"Migration waves: {waves['k']} ({waves['criterion']})"]
    for wave in waves["waves"]:
        traits = "; ".join(wave["traits"]) or "mixed"
        noun = "workload" if wave["size"] == 1 else "workloads"
        lines.append(f"  {wave['wave']}. {wave['size']:,} {noun}, mostly {wave['dominant_runtime']}, "
                     f"mean confidence {wave['mean_confidence']:.2f}: {traits}")
    if summary["needs_review_total"]:
        lines += ["", f"Needs review: {summary['needs_review_total']:,} workloads (invalid, low confidence, no "
                      "feasible runtime or duplicate name); listed in --summary"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------- the pipeline


@dataclass
class AssessOptions:
    """Everything `assess_portfolio` needs; the CLI fills it from its options."""

    source: str
    out: str
    format: str | None = None
    mapping: str | None = None
    summary: str | None = None
    waves: int | None = None
    encoding: str | None = None
    raw: bool = False
    force: bool = False
    free_tier: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    jobs: int = 0
    report_rows: int = 0
    scaffold: bool = False
    consolidation: ConsolidationSettings | None = None
    blend: BlendParts | None = None  # the learned calibration, plugged in by advisor.api


@dataclass
class AssessOutcome:
    """What a run produced, for the CLI to print and hand on to reports and starters."""

    rows: int
    invalid: int
    duplicates: int
    summary: dict[str, Any]
    format: ResultFormat
    report_frame: pd.DataFrame | None
    profiles: list[WorkloadProfile]
    name_column: str = "name"  # the results column holding workload names (the export's own, if mapped)


_WORKER_CONTEXT: ChunkContext | None = None


def _worker_init(context: ChunkContext) -> None:
    import signal

    global _WORKER_CONTEXT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # pool.terminate() ends workers with SIGTERM, quietly
    _WORKER_CONTEXT = context


def _worker_assess(task: ChunkTask) -> ChunkResult:
    assert _WORKER_CONTEXT is not None
    return assess_chunk(_WORKER_CONTEXT, task)


def default_jobs() -> int:
    """Worker processes for inputs bigger than one chunk: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _chunks(source: Source, size: int) -> Iterator[list[list[str]]]:
    rows = source.rows()
    while True:
        chunk = list(itertools.islice(rows, size))
        if not chunk:
            return
        yield chunk


def _prepare(chunk: list[list[str]], first_row: int, width: int, source: Source, name_index: int,
             seen: dict[str, int]) -> tuple[ChunkTask, list[str], int]:
    """Fit ragged rows to the header (saying so), and flag names used by an earlier row.

    Returns the task, the rows' workload names and how many repeat an earlier name.
    """
    row_errors: dict[int, str] = {}
    warnings: dict[int, str] = {}
    for position, row in enumerate(chunk):
        if len(row) != width:
            if len(row) > width:
                extra = row[width:]
                if source.ragged_is_error and any(c.strip() for c in extra):
                    shown = ", ".join(repr(c) for c in extra[:3]) + (", ..." if len(extra) > 3 else "")
                    row_errors[position] = (f"row has {len(row)} fields but the header has {width}; "
                                            f"extra values: {shown}")
                del row[width:]
            else:
                if source.ragged_is_error:
                    row_errors[position] = (f"row has {len(row)} fields but the header has {width}; "
                                            "a delimiter or quote is probably missing")
                row.extend([""] * (width - len(row)))
        if not row_errors.get(position) and not any(c.strip() for c in row):
            row_errors[position] = "empty row: every cell is blank"
    duplicates = 0
    names = [row[name_index].strip() for row in chunk]
    for position, name in enumerate(names):
        if not name:
            continue
        number = first_row + position
        first = seen.setdefault(name, number)
        if first != number:
            warnings[position] = f"duplicate name {name!r}: row {first} has the same name; both are assessed"
            duplicates += 1
    return ChunkTask(chunk, first_row, row_errors, warnings), names, duplicates


def assess_portfolio(options: AssessOptions, progress: Callable[[int, int | None, int | None], None] | None = None,
                     note: Callable[[str], None] | None = None) -> AssessOutcome:
    """Assess every row of `options.source`, write the results and return the summary.

    Raises UsageError (exit 2) when the input cannot be used at all; rows with bad values become
    `status=invalid` rows instead. Nothing is left at `options.out` unless the run completes.
    """
    from advisor.portfolio.consolidation import ConsolidationSettings

    if options.chunk_size < 1:
        raise UsageError(f"--chunk-size {options.chunk_size}: give a whole number of rows, at least 1")
    if options.waves is not None and options.waves < 1:
        raise UsageError(f"--waves {options.waves}: give at least 1 wave")
    check_output_path(options.out, options.force)
    fmt = resolve_format(options.out, options.format)
    if options.summary:
        if options.summary == "-" and options.out == "-":
            raise UsageError("--summary - and --out - both want stdout; write one of them to a file")
        check_output_path(options.summary, options.force, "--summary")
        if options.summary != "-" and options.out != "-" and Path(options.summary).resolve() == Path(
                options.out).resolve():
            raise UsageError("--summary and --out name the same file; give two different files")
    mapping = load_mapping(options.mapping) if options.mapping else None
    say = note or (lambda message: None)
    source = open_source(options.source, options.encoding)
    pool: Any = None
    writer: ResultWriter | None = None
    try:
        plan = plan_columns(source.header, mapping, source.label)
        for message in plan.notes:
            say(message)
        context = ChunkContext(plan, options.free_tier, fmt, options.raw, options.report_rows, options.scaffold,
                               options.blend)
        chunks = _chunks(source, options.chunk_size)
        first = next(chunks, None)
        if first is None:
            raise UsageError(f"{source.label}: the file has a header but no data rows")
        _warm_up()
        jobs = options.jobs or default_jobs()
        if jobs > 1 and len(first) == options.chunk_size:
            pool = _start_pool(jobs, context)
        writer = ResultWriter(options.out, fmt, plan)
        builder = SummaryBuilder(options.consolidation or ConsolidationSettings.from_knowledge())
        seen: dict[str, int] = {}
        report_frames: list[pd.DataFrame] = []
        profiles: list[WorkloadProfile] = []
        next_row, duplicates = 1, 0
        pending: deque[Any] = deque()

        def handle(result: ChunkResult, names: list[str]) -> None:
            assert writer is not None
            writer.write(result.payload, result.n)
            result.payload = None
            builder.add(result, names)
            if result.report_frame is not None:
                report_frames.append(result.report_frame)
            profiles.extend(result.profiles)
            if progress is not None:
                progress(writer.rows, source.bytes_done(), source.total_bytes)

        for chunk in itertools.chain([first], chunks):
            task, names, found = _prepare(chunk, next_row, len(plan.header), source, plan.name_index, seen)
            duplicates += found
            next_row += len(chunk)
            if pool is None:
                handle(assess_chunk(context, task), names)
                continue
            pending.append((pool.apply_async(_worker_assess, (task,)), names))
            del task, chunk
            while pending and (len(pending) > jobs or pending[0][0].ready()):
                waiting, waiting_names = pending.popleft()
                handle(waiting.get(), waiting_names)
        while pending:
            waiting, waiting_names = pending.popleft()
            handle(waiting.get(), waiting_names)
        if pool is not None:
            pool.close()
            pool.join()
            pool = None
        writer.commit()
        summary = builder.finish(options.waves)
        if options.summary:
            text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
            if options.summary == "-":
                sys.stdout.write(text)
            else:
                write_text_atomic(options.summary, text, options.force)
        if duplicates:
            say(f"{duplicates:,} row(s) repeat an earlier workload name; they are assessed and flagged in the "
                "warning column")
        report_frame = None
        if report_frames:
            import pandas as pd

            report_frame = pd.concat(report_frames, ignore_index=True).head(REPORT_ROW_CAP)
        return AssessOutcome(builder.rows, builder.invalid, duplicates, summary, fmt, report_frame, profiles,
                             plan.output_header[plan.name_index])
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool.join()
        if writer is not None:
            writer.abort()
        raise
    finally:
        source.close()


def _warm_up() -> None:
    """Load the knowledge base and compile the rules once, before any worker is forked."""
    from advisor.engine.feasibility import compiled_rules
    from advisor.engine.scoring import axis_model
    from advisor.knowledge.base import knowledge

    knowledge()
    compiled_rules()
    axis_model()


def _start_pool(jobs: int, context: ChunkContext) -> Any:
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return multiprocessing.get_context(method).Pool(jobs, initializer=_worker_init, initargs=(context,))


# --------------------------------------------------------------------------------------- starters


def safe_dir_name(name: str, used: set[str]) -> str:
    """A folder name for a workload: lower case [a-z0-9-], at most 63 characters, unique within `used`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", ascii_name)).strip("-")[:63].strip("-") or "workload"
    candidate, number = base, 1
    while candidate in used:
        number += 1
        suffix = f"-{number}"
        candidate = base[: 63 - len(suffix)].rstrip("-") + suffix
    used.add(candidate)
    return candidate


__all__ = [
    "RESULT_COLUMNS", "AssessOptions", "AssessOutcome", "ColumnMapping", "ResultFormat", "assess_portfolio",
    "format_summary", "load_mapping", "neutralise", "open_source", "plan_columns", "safe_dir_name",
]
