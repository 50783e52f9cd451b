"""Fuzz: whatever bytes, YAML, JSON or CSV a user hands `recommend` and `assess`, the answer is a
message and exit 0, 2 or 3: never exit 1 (an internal error), never a traceback."""

from __future__ import annotations

import json
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli.app import app
from advisor.profile.fields import FIELD_NAMES

ALLOWED = {0, 2, 3}
# Each example runs the CLI in-process (about 0.4 s); these counts keep the whole file under ~30 s.
SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["2h", "512MB", "1.5GiB", "3M", "nan", "inf", "-1", "1e400", "yes", "http;tcp", ""]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                             max_size=3), max_leaves=6)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12))
profiles = st.dictionaries(keys, values, max_size=8)


def _run(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    output = result.output
    assert result.exit_code in ALLOWED, f"exit {result.exit_code}: {output[-2000:]}\n{result.exception!r}"
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)


@settings(max_examples=25, **SETTINGS)  # type: ignore[arg-type]
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json", ".csv", ".txt"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    target = tmp_path / f"input{suffix}"
    target.write_bytes(data)
    _run(["recommend", str(target), "--format", "json"])
    _run(["assess", str(target), "--out", str(tmp_path / "out.csv"), "--force", "--jobs", "1"])


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(profile=profiles, as_json=st.booleans())
def test_random_yaml_and_json_profiles(tmp_path: Path, profile: dict, as_json: bool) -> None:
    if as_json:
        target = tmp_path / "profile.json"
        target.write_text(json.dumps(profile, default=str), encoding="utf-8")
    else:
        target = tmp_path / "profile.yaml"
        target.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    _run(["recommend", str(target), "--format", "json"])
    _run(["assess", str(target), "--out", str(tmp_path / "out.csv"), "--force", "--jobs", "1"])


cells = st.one_of(st.text(alphabet=string.printable, max_size=12),
                  st.sampled_from(["", "nan", "inf", "1e400", "-1", "2h", "64GB", "yes", "lambda", "http;udp"]))


@settings(max_examples=25, **SETTINGS)  # type: ignore[arg-type]
@given(header=st.lists(st.one_of(st.sampled_from(FIELD_NAMES), st.text(alphabet=string.ascii_letters, max_size=10)),
                       min_size=1, max_size=8),
       rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=5))
def test_random_csv(tmp_path: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv

    target = tmp_path / "portfolio.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    _run(["assess", str(target), "--out", str(tmp_path / "out.csv"), "--force", "--jobs", "1"])
    _run(["recommend", str(target), "--format", "json"])
