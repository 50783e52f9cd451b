"""Regenerate the golden outputs of `advisor recommend`: python tests/data/golden/regenerate.py"""

from __future__ import annotations

from pathlib import Path

from advisor.api import load_profile, recommend
from advisor.cli.table import to_table
from advisor.outputs.formats import OutputFormat, render

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[2] / "examples"
CASES = ("thumbnailer", "nightly-etl")
SUFFIX = {OutputFormat.json: "json", OutputFormat.yaml: "yaml", OutputFormat.markdown: "md", OutputFormat.table: "txt"}


def outputs(case: str) -> dict[str, str]:
    rec = recommend(load_profile(str(EXAMPLES / f"{case}.yaml")))
    out = {}
    for fmt in OutputFormat:
        out[f"{case}.{SUFFIX[fmt]}"] = to_table(rec, width=110) if fmt is OutputFormat.table else render(rec, fmt)
    return out


if __name__ == "__main__":
    for case in CASES:
        for name, text in outputs(case).items():
            (HERE / name).write_text(text, encoding="utf-8")
            print("wrote", name)
