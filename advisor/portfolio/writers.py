"""Result files: the columns of DESIGN.md's CSV contract and one writer per format (CSV, JSON, Parquet,
XLSX), each writing a temporary file that replaces the target only once everything is written."""

from __future__ import annotations

import contextlib
import csv
import enum
import io
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from advisor import files
from advisor.errors import UsageError

if TYPE_CHECKING:

    pass
from advisor.portfolio.mapping import RESULT_COLUMNS, ColumnPlan
from advisor.portfolio.sources import _needs_extra

XLSX_MAX_DATA_ROWS = 1_048_575  # a worksheet holds 1,048,576 rows, one of them the header


class ResultFormat(enum.StrEnum):
    """Every format `assess` can write; a test loops over all members."""

    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


OUTPUT_SUFFIXES = {".csv": ResultFormat.csv, ".tsv": ResultFormat.csv, ".txt": ResultFormat.csv,
                   ".json": ResultFormat.json, ".parquet": ResultFormat.parquet, ".pq": ResultFormat.parquet,
                   ".xlsx": ResultFormat.xlsx}


# --------------------------------------------------------------------------------------- output


def resolve_format(out: str, requested: str | None) -> ResultFormat:
    """--format if given, else the output file's extension; stdout defaults to CSV."""
    if requested:
        try:
            return ResultFormat(requested.strip().lower())
        except ValueError:
            raise UsageError(f"output format {requested!r}: use one of {', '.join(f.value for f in ResultFormat)}",
                             option="format") from None
    if out == "-":
        return ResultFormat.csv
    suffix = Path(out).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise UsageError(f"results file {out}: cannot tell the format from {suffix or 'a name without extension'!r}; "
                         f"name it .csv, .json, .parquet or .xlsx, or give the format "
                         f"({'|'.join(f.value for f in ResultFormat)})")
    return OUTPUT_SUFFIXES[suffix]


def check_output_path(path: str, force: bool, what: str = "results file") -> None:
    """`advisor.files.check_output_path`, where `-` (standard output) is always fine."""
    if path != "-":
        files.check_output_path(path, force, what)


def write_summary(path: str, text: str, force: bool) -> None:
    """Write a small text file (the summary JSON) atomically."""
    check_output_path(path, force, "summary file")
    files.write_text_atomic(path, text)


class ResultWriter:
    """Writes the header and then each chunk's payload, to a temporary file or to stdout."""

    def __init__(self, out: str, fmt: ResultFormat, plan: ColumnPlan) -> None:
        self.out, self.format, self.plan, self.rows = out, fmt, plan, 0
        self.atomic: files.AtomicFile | None = None
        self._handle: IO[str] | None = None
        self._parquet: Any = None
        self._sheet: Any = None
        self._book: Any = None
        header = [*plan.output_header, *RESULT_COLUMNS]
        if fmt in (ResultFormat.parquet, ResultFormat.xlsx) and out == "-":
            raise UsageError(f"{fmt.value} results cannot be written to standard output; give a results file")
        if fmt is ResultFormat.xlsx:
            openpyxl = _needs_extra("openpyxl", "xlsx", "writing .xlsx files")
            self._book = openpyxl.Workbook(write_only=True)
            self._sheet = self._book.create_sheet("assessment")
            self._sheet.append(header)
        if fmt is ResultFormat.parquet:
            _needs_extra("pyarrow.parquet", "parquet", "writing .parquet files")
        if out != "-":
            self.atomic = files.AtomicFile(out)
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
                                 "has more: write CSV or Parquet instead", option="format")
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
