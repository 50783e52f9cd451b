"""Rewrite the golden starter configs in tests/data/scaffold/golden/ from the profiles beside them.

Run after an intended change to a template, defaults.yaml or the knowledge base, then review the diff:

    python tests/data/scaffold/regenerate.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from advisor.api import load_profile
from advisor.api import render_starter

HERE = Path(__file__).resolve().parent
PROFILES = HERE / "profiles"
GOLDEN = HERE / "golden"

# Two profiles per runtime, chosen to cover different shapes of each runtime's files.
CASES: dict[str, tuple[str, ...]] = {
    "lambda": ("tiny-api", "arm-worker"),
    "ecs_fargate": ("big-batch", "windows-api"),
    "ecs_ec2": ("node-daemon", "gpu-inference"),
    "eks": ("gpu-training", "udp-game"),
}


def main() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for runtime, names in CASES.items():
        for name in names:
            profile = load_profile(str(PROFILES / f"{name}.yaml"))
            _, files, _ = render_starter(profile, runtime)
            for relative, text in files.items():
                target = GOLDEN / name / runtime / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8", newline="\n")
            print(f"{GOLDEN.relative_to(HERE.parents[2]) / name / runtime}: {len(files)} files")


if __name__ == "__main__":
    main()
