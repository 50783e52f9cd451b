"""Property: for any CSV, valid or not, the output has exactly one row per input row, in input order."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.api import assess_portfolio
from advisor.portfolio.assess import AssessOptions
from advisor.portfolio.mapping import RESULT_COLUMNS

FIELDS = ("workload_type", "memory_mb", "max_duration_s", "os", "containerized", "protocols", "priority_cost")
GOOD = {"workload_type": ["http_api", "batch_job", "queue_worker"], "memory_mb": ["512MB", "2GiB", "1024"],
        "max_duration_s": ["30s", "2h", "900"], "os": ["linux", "windows"], "containerized": ["yes", "no"],
        "protocols": ["http", "grpc;http", "tcp"], "priority_cost": ["0", "3", "5"]}
cell_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
hostile = st.sampled_from(["", " ", "=1+1", "-5", "+x", "@a", "\tx", "\r\n", '"', "a,b", "lots", "-1", "∞", "ü"])


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    extra = draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=len(FIELDS)))
    header = ["name", *extra, *draw(st.lists(st.sampled_from(["owner", "Cost Centre", "notes"]), unique=True))]
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        row = [draw(st.one_of(st.sampled_from(["a", "b", "svc-1"]), cell_text, hostile))]
        for column in header[1:]:
            row.append(draw(st.one_of(st.sampled_from(GOOD.get(column, ["x"])), cell_text, hostile)))
        ragged = draw(st.sampled_from([0, 0, 0, -1, 1, 2]))
        row = row[: len(row) + ragged] if ragged < 0 else row + ["extra"] * ragged
        rows.append(row or [""])
    return header, rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(portfolio=portfolios(), chunk_size=st.sampled_from([2, 1000]))
def test_one_output_row_per_input_row_in_order(portfolio: tuple[list[str], list[list[str]]], chunk_size: int,
                                               tmp_path: Path) -> None:
    header, rows = portfolio
    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    out = tmp_path / "out.csv"
    outcome = assess_portfolio(AssessOptions(source=str(source), out=str(out), force=True, chunk_size=chunk_size,
                                             jobs=1, raw=True))
    with out.open(newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert written[0] == [*header, *RESULT_COLUMNS]
    body = written[1:]
    assert len(body) == len(rows) == outcome.rows == outcome.summary["rows"]
    row_column = len(header)
    assert [int(r[row_column]) for r in body] == list(range(1, len(rows) + 1))
    for original, result in zip(rows, body, strict=True):
        width = len(header)
        assert result[:width] == (original + [""] * width)[:width]  # the input cells, as read (--raw)
        status, error = result[width + 1], result[width + 2]
        assert status in ("ok", "invalid")
        assert (status == "invalid") == bool(error)
        too_long = len(original) > width and any(c.strip() for c in original[width:])
        if too_long or len(original) < width:
            assert status == "invalid" and "fields but the header has" in error
    assert outcome.invalid == sum(r[len(header) + 1] == "invalid" for r in body)


def test_property_generator_writes_what_it_means(tmp_path: Path) -> None:
    """Guard for the property above: csv.writer round-trips hostile cells row for row."""
    rows = [["=1", "a,b", '"', "\r\n", "a\rb"], [""], ["x"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert list(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == rows


# ---- number cells: formatted once per distinct rounded value, exactly as `%` formatting writes them

HALF_WAY = [0.0005, 0.0015, 1.0005, 2.675, 0.125, 0.375, 1.005, 2.5e-3, -0.0005, -0.0004, -0.0, 0.0, 1e15 + 0.5,
            2.0 ** 52, 4503599627370.4966, 123456789.125, -2.675, 0.0049999999999999999, 0.9995, 99.995]


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.floats(-1e6, 1e6), st.integers(-10**6, 10**6).map(lambda k: k / 1000 + 0.0005),
                          st.integers(-10**6, 10**6).map(lambda k: k / 100 + 0.005),
                          st.sampled_from(HALF_WAY)), max_size=60),
       st.sampled_from([2, 3]), st.data())
@settings(max_examples=300, deadline=None)
def test_number_strings_match_percent_formatting(values: list[float], decimals: int, data: st.DataObject) -> None:
    import math

    import numpy as np

    from advisor.portfolio.chunks import number_strings

    blank = np.array(data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values))), dtype=bool)
    expected = ["" if blank[i] or not math.isfinite(v) else f"%.{decimals}f" % v for i, v in enumerate(values)]
    assert number_strings(np.array(values, dtype=np.float64), decimals, blank) == expected


def test_number_strings_on_every_half_way_value() -> None:
    import numpy as np

    from advisor.portfolio.chunks import number_strings

    for decimals in (2, 3):
        step = 10.0 ** -decimals
        values = np.concatenate([np.arange(-20_000, 20_000) * step + step / 2, np.array(HALF_WAY)])
        values = np.concatenate([values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf)])
        assert number_strings(values, decimals, np.zeros(len(values), dtype=bool)) == [
            f"%.{decimals}f" % v for v in values.tolist()]


@given(st.lists(st.lists(st.one_of(cell_text, hostile, st.sampled_from(["a,b", ",", "x, y, z", " ,", "", "1,5"])),
                         min_size=1, max_size=6), max_size=20))
@settings(max_examples=300, deadline=None)
def test_csv_lines_match_csv_writer(rows: list[list[str]]) -> None:
    """The fast paths of the CSV writer (plain rows joined, rows with only commas quoted cell by cell)
    write exactly what csv.writer writes."""
    from advisor.portfolio.chunks import _csv_lines

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert _csv_lines([list(row) for row in rows]) == buffer.getvalue()
