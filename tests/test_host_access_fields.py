"""The host-access profile fields: added_capabilities, host_mounts, host_devices, host_pid."""

from __future__ import annotations

import pandas as pd
import pytest

from advisor.errors import ProfileError
from advisor.profile.fields import FIELD_BY_NAME, build_profile
from advisor.profile.frame import records_to_frame


def test_defaults_need_nothing_from_the_host() -> None:
    profile = build_profile({"name": "plain"})
    assert profile.added_capabilities == ()
    assert (profile.host_mounts, profile.host_devices, profile.host_pid) == (False, False, False)
    assert {"added_capabilities", "host_mounts", "host_devices", "host_pid"} <= set(profile.assumed_defaults)


def test_capability_names_are_read_in_any_spelling_and_written_canonically() -> None:
    profile = build_profile({"name": "x", "added_capabilities": "cap_sys_ptrace; NET_ADMIN;net_admin"})
    assert profile.added_capabilities == ("NET_ADMIN", "SYS_PTRACE")
    assert profile.to_dict()["added_capabilities"] == ["NET_ADMIN", "SYS_PTRACE"]
    assert build_profile({"name": "y", "added_capabilities": ["CAP_ALL"]}).added_capabilities == ("ALL",)


def test_an_unknown_capability_names_the_field_the_value_and_a_suggestion() -> None:
    with pytest.raises(ProfileError) as caught:
        build_profile({"name": "x", "added_capabilities": "SYS_PTRAC"})
    text = str(caught.value)
    assert "added_capabilities" in text and "SYS_PTRAC" in text and "SYS_PTRACE" in text


def test_csv_cells_parse_like_yaml_values_and_report_the_row() -> None:
    raw = pd.DataFrame({"name": ["a", "b", "c"], "added_capabilities": ["SYS_PTRACE;NET_RAW", "", "NOPE"],
                        "host_mounts": ["yes", "", "0"], "host_pid": ["true", "false", ""]})
    frame, problems = records_to_frame(raw)
    assert frame.loc[0, "added_capabilities"] == ("NET_RAW", "SYS_PTRACE")
    assert frame.loc[1, "added_capabilities"] == ()
    assert frame["host_mounts"].tolist() == [True, False, False]
    assert frame["host_pid"].tolist() == [True, False, False]
    assert [(p.field, p.row) for p in problems[2]] == [("added_capabilities", 3)]


def test_the_field_table_says_what_each_field_means() -> None:
    for name in ("added_capabilities", "host_mounts", "host_devices", "host_pid"):
        assert FIELD_BY_NAME[name].help
