"""Regenerate the golden Markdown decision records: `python tests/data/reports/regenerate.py`.

One record per bundled example, rendered with a fixed date and with only advisor's own
`what_would_change` in the extra fields (so another provider landing does not change them).
tests/test_reports_golden.py renders the same way and compares exactly. Read the diff before
committing regenerated files: every change should be one you meant.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EXAMPLES = REPO / "examples"
DATE = "2026-11-26"


def render_golden(example: Path) -> str:
    """The Markdown decision record for one example profile, as the golden file holds it."""
    from advisor.api import load_profile, recommend
    from advisor.outputs.reports.context import single_report
    from advisor.outputs.reports.single import chart_file_names, render_markdown
    from advisor.api import what_would_change

    profile = load_profile(str(example))
    recommendation = recommend(profile)
    recommendation = dataclasses.replace(
        recommendation, extra={"what_would_change": what_would_change(profile, recommendation)})
    out = HERE / f"{example.stem}.md"
    report = single_report(recommendation, profile, out.parent, id_prefix="")
    names = {key: path.name for key, path in chart_file_names(out).items()}
    return render_markdown(report, names, DATE)


def examples() -> list[Path]:
    """The bundled example profiles (examples/ also holds other files, such as CSV column mappings)."""
    import yaml

    from advisor.profile.fields import FIELD_BY_NAME

    found = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "name" in data and set(data) <= set(FIELD_BY_NAME):
            found.append(path)
    return found


def main() -> int:
    for example in examples():
        target = HERE / f"{example.stem}.md"
        target.write_text(render_golden(example), encoding="utf-8", newline="\n")
        print(f"wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
