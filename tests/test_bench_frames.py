"""The benchmarks' synthetic portfolios cover every profile field, so a new field cannot break them unseen."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from advisor.engine.scoring import score_frame
from advisor.profile.fields import FIELDS

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _module(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_recommend_frame_has_every_field_and_scores() -> None:
    frame = _module("bench_recommend").synthetic_frame(300)
    assert {spec.name for spec in FIELDS} <= set(frame.columns)
    scored = score_frame(frame)
    assert scored.monthly_cost.shape == (300, 4)
    assert scored.feasible.any(axis=1).mean() > 0.5  # mostly workloads some runtime can run
