"""Golden starter configs: two profiles per runtime rendered exactly as stored in
tests/data/scaffold/golden/ (rewrite them with `python tests/data/scaffold/regenerate.py`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from advisor.api import load_profile, render_starter

SCAFFOLD_DATA = Path(__file__).resolve().parent / "data" / "scaffold"


def _cases() -> dict[str, tuple[str, ...]]:
    spec = importlib.util.spec_from_file_location("regenerate", SCAFFOLD_DATA / "regenerate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.CASES)


CASES = [(runtime, name) for runtime, names in _cases().items() for name in names]


def test_two_golden_profiles_per_runtime() -> None:
    from advisor import RUNTIMES

    assert sorted({runtime for runtime, _ in CASES}) == sorted(RUNTIMES)
    assert all(sum(1 for rt, _ in CASES if rt == runtime) == 2 for runtime in RUNTIMES)


@pytest.mark.parametrize(("runtime", "name"), CASES, ids=[f"{r}-{n}" for r, n in CASES])
def test_starter_matches_golden_files(runtime: str, name: str) -> None:
    folder = SCAFFOLD_DATA / "golden" / name / runtime
    profile = load_profile(str(SCAFFOLD_DATA / "profiles" / f"{name}.yaml"))
    _, files, _ = render_starter(profile, runtime)
    stored = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert stored == set(files), "the set of files changed; run tests/data/scaffold/regenerate.py and review"
    for relative, text in files.items():
        expected = (folder / relative).read_text(encoding="utf-8")
        assert text == expected, f"{folder / relative} differs; run tests/data/scaffold/regenerate.py and review"
