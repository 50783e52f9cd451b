"""Golden files for the Markdown decision record: one per bundled example, compared exactly.

After an intended change, regenerate with `python tests/data/reports/regenerate.py` and read the diff.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "data" / "reports"


def _regenerate_module():
    spec = importlib.util.spec_from_file_location("regenerate_reports", GOLDEN / "regenerate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REGENERATE = _regenerate_module()
EXAMPLES = REGENERATE.examples()


def test_there_is_a_golden_file_for_every_example() -> None:
    assert EXAMPLES
    assert sorted(p.stem for p in GOLDEN.glob("*.md")) == sorted(p.stem for p in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_markdown_record_matches_its_golden_file(example: Path) -> None:
    expected = (GOLDEN / f"{example.stem}.md").read_text(encoding="utf-8")
    actual = REGENERATE.render_golden(example)
    assert actual == expected, (f"{example.stem}.md differs from its golden file; if the change is intended, run "
                                "python tests/data/reports/regenerate.py and review the diff")
