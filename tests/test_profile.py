"""Profile v1: defaults recorded, human units, every error names field and value, did-you-mean."""

from __future__ import annotations

import pytest

from advisor.errors import ProfileError
from advisor.profile.fields import FIELDS, WorkloadProfile, build_profile, parse_assignments, read_profile_data


def test_defaults_are_recorded_as_assumed() -> None:
    profile = build_profile({"name": "x", "memory_mb": 512})
    assert profile.memory_mb == 512
    assert "memory_mb" not in profile.assumed_defaults
    assert "max_duration_s" in profile.assumed_defaults
    assert profile.protocols == ("http",)
    assert profile.latency_slo_ms is None
    assert set(profile.assumed_defaults) == {f.name for f in FIELDS} - {"name", "memory_mb"}


def test_defaults_match_design_contract() -> None:
    profile = build_profile({"name": "x"})
    assert (profile.workload_type, profile.os, profile.arch, profile.vcpu, profile.memory_mb) == (
        "unknown", "linux", "any", 1, 1024)
    assert (profile.max_duration_s, profile.avg_duration_ms, profile.requests_per_month) == (30, 200, 1_000_000)
    assert (profile.peak_concurrency, profile.traffic_pattern, profile.ops_capacity) == (10, "diurnal", "limited")
    assert all(getattr(profile, f"priority_{a}") == 3
               for a in ("simplicity", "flexibility", "agility", "hybridity", "cost"))


def test_human_units_become_canonical_numbers() -> None:
    profile = build_profile({"name": "x", "max_duration_s": "2h", "avg_duration_ms": "1.5s", "memory_mb": "1.5GiB",
                             "ephemeral_storage_gb": "512MB", "requests_per_month": "3M", "artifact_size_mb": "10GB",
                             "latency_slo_ms": "250ms"})
    assert profile.max_duration_s == 7200
    assert profile.avg_duration_ms == 1500
    assert profile.memory_mb == 1536
    assert profile.ephemeral_storage_gb == 0.5
    assert profile.requests_per_month == 3_000_000
    assert profile.artifact_size_mb == 10240
    assert profile.latency_slo_ms == 250


@pytest.mark.parametrize("word,expected", [("true", True), ("Yes", True), ("y", True), ("1", True),
                                           ("FALSE", False), ("no", False), ("N", False), ("0", False)])
def test_booleans_accept_every_spelling(word: str, expected: bool) -> None:
    assert build_profile({"name": "x", "privileged": word}).privileged is expected


def test_protocols_from_csv_style_text() -> None:
    assert build_profile({"name": "x", "protocols": "grpc; HTTP"}).protocols == ("http", "grpc")
    assert build_profile({"name": "x", "protocols": ["udp"]}).protocols == ("udp",)


def test_every_problem_is_listed_with_field_and_value() -> None:
    with pytest.raises(ProfileError) as info:
        build_profile({"name": "x", "memroy_mb": 5, "os": "linx", "vcpu": -1, "gpu": 1.5,
                       "max_duration_s": "2 fortnights", "privileged": "maybe", "protocols": "http;smtp"})
    text = str(info.value)
    problems = {p.field: p for p in info.value.problems}
    assert set(problems) == {"memroy_mb", "os", "vcpu", "gpu", "max_duration_s", "privileged", "protocols"}
    assert "did you mean 'memory_mb'" in text
    assert "did you mean 'linux'" in text
    assert "vcpu=-1" in text and "must be greater than 0" in text
    assert "gpu=1.5" in text and "whole number" in text
    assert "'2 fortnights'" in text and "unknown duration unit" in text
    assert "'http;smtp'" in text


def test_name_is_required_and_bounded() -> None:
    with pytest.raises(ProfileError, match="name"):
        build_profile({})
    with pytest.raises(ProfileError, match="1 to 128"):
        build_profile({"name": "x" * 129})


def test_priority_range() -> None:
    with pytest.raises(ProfileError, match="at most 5"):
        build_profile({"name": "x", "priority_cost": 6})


def test_replace_validates_and_unassumes() -> None:
    profile = build_profile({"name": "x"})
    changed = profile.replace(max_duration_s="20min")
    assert changed.max_duration_s == 1200
    assert "max_duration_s" not in changed.assumed_defaults
    assert "memory_mb" in changed.assumed_defaults


def test_to_dict_round_trips() -> None:
    profile = build_profile({"name": "x", "protocols": "grpc", "memory_mb": "2GB"})
    again = build_profile(profile.to_dict())
    assert again == profile
    assert isinstance(again, WorkloadProfile)


def test_assignments() -> None:
    assert parse_assignments(["gpu=1", " max_duration_s = 2h "]) == {"gpu": "1", "max_duration_s": "2h"}
    with pytest.raises(Exception, match="field=value"):
        parse_assignments(["gpu"])


def test_read_profile_is_safe_yaml(tmp_path) -> None:
    hostile = tmp_path / "p.yaml"
    hostile.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(Exception, match="not valid YAML"):
        read_profile_data(str(hostile))
    listing = tmp_path / "l.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(Exception, match="mapping"):
        read_profile_data(str(listing))


def test_one_cell_writer_for_profile_csv_and_spreadsheet_cells() -> None:
    """Profiles written as CSV and XLSX/Parquet cells read as text use the same `cell_text` (they used to
    differ: 2.0 became "2" from a spreadsheet and "2.0" in a profile CSV), and every cell parses back."""
    from advisor.portfolio.sources import _typed_cell
    from advisor.profile.fields import FIELD_BY_NAME, cell_text, parse_field

    assert [cell_text(v) for v in (None, True, False, 2.0, 0.5, 3, ["http", "grpc"], ("SYS_PTRACE",), [True])] == [
        "", "true", "false", "2", "0.5", "3", "http;grpc", "SYS_PTRACE", "true"]
    assert _typed_cell(2.0) == cell_text(2.0) == "2" and _typed_cell(["a", 1.0]) == "a;1"
    for name, value in (("vcpu", 2.0), ("vcpu", 0.25), ("containerized", False), ("protocols", ("http", "grpc")),
                        ("gpu", 1), ("instance_types", ("inf1.xlarge", "g5.2xlarge"))):
        spec = FIELD_BY_NAME[name]
        assert parse_field(spec, cell_text(value)) == parse_field(spec, value)
