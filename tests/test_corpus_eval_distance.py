"""No evaluation case sits in the reference corpus: not by name, and no corpus row within the documented
near-copy distance (advisor.learn.distance) of any case of ../shared/eval.

The corpus file itself never refers to the evaluation cases; this test reads them from beside the
repository when they are there, and is skipped (saying why) when they are not.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from advisor.learn.corpus import read_corpus
from advisor.learn.distance import NEAR_COPY_DISTANCE, near_copies, profile_distances
from advisor.profile.fields import cell_text
from advisor.profile.frame import records_to_frame

REPO = Path(__file__).resolve().parents[1]
EVAL_CASES = REPO.parent / "shared" / "eval" / "public_cases.yaml"


def _frame(profiles: list[dict]) -> pd.DataFrame:
    raw = pd.DataFrame([{key: cell_text(value) for key, value in profile.items()} for profile in profiles]).fillna("")
    frame, problems = records_to_frame(raw)
    assert not problems, problems
    return frame


@pytest.fixture(scope="module")
def eval_cases() -> list[dict]:
    if not EVAL_CASES.is_file():
        pytest.skip(f"the evaluation cases are not beside this checkout ({EVAL_CASES} is absent)")
    cases = yaml.safe_load(EVAL_CASES.read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases
    return cases


def test_no_evaluation_case_name_is_a_corpus_name(eval_cases):
    corpus_names = set(read_corpus().table["name"].str.strip())
    assert not {case["profile"]["name"] for case in eval_cases} & corpus_names


def test_no_corpus_row_is_a_near_copy_of_an_evaluation_case(eval_cases):
    corpus = read_corpus()
    cases = _frame([case["profile"] for case in eval_cases])
    found = near_copies(cases, corpus.frame)
    described = [f"{cases['name'].iloc[i]} ~ {corpus.table['name'].iloc[j]} (distance {d:.2f})" for i, j, d in found]
    assert not described, ("corpus rows within the near-copy distance "
                           f"{NEAR_COPY_DISTANCE:.3f} of an evaluation case: " + "; ".join(described))


def test_the_check_would_catch_a_copied_case(eval_cases):
    """The guard is live: a corpus with one evaluation case pasted in (name changed) fails it."""
    corpus = read_corpus()
    cases = _frame([case["profile"] for case in eval_cases])
    pasted = pd.concat([corpus.frame, cases.iloc[[0]].assign(name="renamed-copy")], ignore_index=True)
    found = near_copies(cases, pasted)
    assert (0, len(corpus.frame), 0.0) in found


# ----------------------------------------------------------------- the distance itself (no ../shared needed)

BASE = {"name": "base", "workload_type": "http_api", "containerized": True, "memory_mb": 1024,
        "traffic_pattern": "steady", "ops_capacity": "limited"}


@pytest.mark.parametrize(("change", "expected"), [
    ({}, 0.0),
    ({"containerized": False}, 1.0),  # one flag
    ({"ops_capacity": "none"}, math.sqrt(2)),  # one enum choice
    ({"priority_cost": 4}, 1.0),  # one priority point
    ({"memory_mb": (1024 + 1) * math.e - 1}, 1.0),  # a factor e, through log1p
    ({"protocols": ["http", "websocket"]}, 1.0),  # one more protocol
    ({"ops_capacity": "none", "containerized": False}, math.sqrt(3)),  # at the threshold: not a near copy
])
def test_distance_units_are_the_documented_ones(change, expected):
    base, changed = _frame([BASE]), _frame([{**BASE, **change}])
    assert profile_distances(base, changed)[0, 0] == pytest.approx(expected, abs=1e-9)


def test_near_copies_are_found_below_the_threshold_only():
    reference = _frame([{**BASE, "name": "copy"}, {**BASE, "name": "one-choice", "ops_capacity": "none"},
                        {**BASE, "name": "two-changes", "ops_capacity": "none", "containerized": False},
                        {**BASE, "name": "far", "workload_type": "batch_job", "gpu": 4, "ops_capacity": "none"}])
    found = near_copies(_frame([BASE]), reference)
    assert [(i, j) for i, j, _ in found] == [(0, 0), (0, 1)]
    assert found[0][2] == 0.0 and found[1][2] == pytest.approx(math.sqrt(2))
    assert pytest.approx(math.sqrt(3)) == NEAR_COPY_DISTANCE


def test_the_corpus_file_does_not_depend_on_the_evaluation_cases():
    text = (REPO / "models" / "reference_workloads.csv").read_text(encoding="utf-8")
    assert "shared/eval" not in text and "public_cases" not in text
