"""Portfolio inputs: CSV (encoding and delimiter sniffed), XLSX and Parquet exports, read as rows of text."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from advisor.errors import InputEncodingError, UsageError
from advisor.profile.fields import cell_text

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_SNIFF_DELIMITERS = ",;\t|"
EXTRA_HINT = 'pip install "aws-runtime-advisor[{extra}]"'


INPUT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", "": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                  ".parquet": "parquet", ".pq": "parquet"}


def _needs_extra(module: str, extra: str, what: str) -> Any:
    """Import an optional dependency or say which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{what} needs the {extra} extra: {EXTRA_HINT.format(extra=extra)}") from None


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
    return cell_text(value)


def _open_with(opener: Callable[[], Any], path: str, label: str, kind: str) -> Any:
    """What `opener` returns for `path` once the file is known to be readable; any error the reading
    library raises for a broken file becomes a UsageError saying it is not a readable `kind`."""
    _open_binary(path, label).close()
    try:
        return opener()
    except Exception as exc:  # openpyxl: zipfile, KeyError and its own errors; pyarrow: ArrowInvalid, OSError
        raise UsageError(f"{label}: not a readable {kind} ({type(exc).__name__}: {exc})") from None


class XlsxSource(Source):
    """The first worksheet of an .xlsx workbook (cached values, not formulas)."""

    def __init__(self, path: str, label: str) -> None:
        openpyxl = _needs_extra("openpyxl", "xlsx", f"{label}: reading .xlsx files")
        self.label = label
        self._book = _open_with(lambda: openpyxl.load_workbook(path, read_only=True, data_only=True),
                                path, label, ".xlsx workbook")
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
        self._file = _open_with(lambda: pq.ParquetFile(path), path, label, "Parquet file")
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
