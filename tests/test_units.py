"""Human units: durations, sizes and counts as people type them."""

from __future__ import annotations

import pytest

from advisor.errors import UnitError
from advisor.profile.units import format_duration, format_size_mb, parse_count, parse_duration, parse_size


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("2h", "s", 7200), ("90s", "s", 90), ("15min", "s", 900), ("15m", "s", 900), ("1.5h", "s", 5400),
    ("500ms", "s", 0.5), ("1d", "s", 86400), ("30", "s", 30), (" 45 s ", "s", 45),
    ("2h", "ms", 7_200_000), ("800ms", "ms", 800), ("1.2s", "ms", 1200), ("250", "ms", 250),
])
def test_durations(text: str, unit: str, expected: float) -> None:
    assert parse_duration(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("512MB", "mb", 512), ("1.5GiB", "mb", 1536), ("10GB", "mb", 10240), ("1TB", "mb", 1024 * 1024),
    ("2048", "mb", 2048), ("512MiB", "mb", 512), ("20GB", "gb", 20), ("512MB", "gb", 0.5), ("200", "gb", 200),
    ("1g", "mb", 1024), ("64k", "mb", 0.0625),
])
def test_sizes(text: str, unit: str, expected: float) -> None:
    assert parse_size(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("3M", 3_000_000), ("2.5k", 2500), ("1B", 1e9), ("1,000,000", 1e6), ("1_000", 1000), ("42", 42), ("3m", 3e6),
])
def test_counts(text: str, expected: float) -> None:
    assert parse_count(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "2 fortnights", "1e999", "nan", "--3"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UnitError):
        parse_duration(text, "s")


@pytest.mark.parametrize("text", ["12 parsecs", "MB", "1..5GB"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(UnitError):
        parse_size(text, "mb")


def test_formatting_is_human() -> None:
    assert format_duration(900) == "15 min"
    assert format_duration(7200) == "2 h"
    assert format_duration(0.25) == "250 ms"
    assert format_size_mb(10240) == "10 GB"
    assert format_size_mb(512) == "512 MB"


def test_one_money_format_for_every_output() -> None:
    """Tables, Markdown and reports print a cost the same way: whole dollars from $100, cents below."""
    from advisor.api import load_profile, recommend
    from advisor.cli.table import to_table
    from advisor.outputs.formats import to_markdown
    from advisor.profile.units import format_usd

    assert format_usd(241.47) == "$241" and format_usd(1234.5) == "$1,234" and format_usd(12.34) == "$12.34"
    assert format_usd(None) == "n/a" and format_usd(float("nan")) == "n/a"
    result = recommend(load_profile(None, ["name=api", "workload_type=http_api", "requests_per_month=300M"]))
    costs = [format_usd(entry.monthly_cost_usd) for entry in result.ranking]
    table, markdown = to_table(result, width=160), to_markdown(result)
    for cost in costs:
        assert cost in table and cost in markdown
