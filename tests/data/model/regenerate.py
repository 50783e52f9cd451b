"""Put today's `advisor model evaluate` output into docs/model.md (the block a test compares exactly).

    python tests/data/model/regenerate.py

Run it after `advisor model train --force`; then reread the prose around the block in docs/model.md
(it quotes some of the figures) and redraw the curve with
`advisor model curve --out docs/images/learning-curve.svg --force`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from typer.testing import CliRunner

from advisor.cli.app import app

DOC = Path(__file__).resolve().parents[3] / "docs" / "model.md"
BLOCK = re.compile(r"(`advisor model evaluate` prints, today, exactly this:\n\n```text\n)(.*?)(\n```)", re.DOTALL)


def main() -> int:
    result = CliRunner().invoke(app, ["model", "evaluate"])
    if result.exit_code != 0:
        print(result.output, file=sys.stderr)
        return 1
    text = DOC.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        print(f"{DOC}: no evaluation block found", file=sys.stderr)
        return 1
    DOC.write_text(BLOCK.sub(lambda m: m.group(1) + result.output.rstrip("\n") + m.group(3), text, count=1),
                   encoding="utf-8")
    print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
