"""The docs stay in step with the rules and the README's promises."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_every_rule_and_caution_is_documented() -> None:
    scoring_doc = (REPO / "docs" / "scoring.md").read_text()
    for rule in yaml.safe_load((REPO / "models" / "scoring.yaml").read_text())["rules"]:
        assert f"`{rule['id']}`" in scoring_doc, rule["id"]
    feasibility = yaml.safe_load((REPO / "models" / "feasibility.yaml").read_text())
    for caution in feasibility["cautions"]:
        assert f"`{caution['id']}`" in scoring_doc, caution["id"]
    for blocker in feasibility["blockers"]:
        assert f"| {blocker['runtime']} | `{blocker['constraint']}` |" in scoring_doc, blocker


def test_every_profile_field_is_documented() -> None:
    from advisor.profile.fields import FIELDS

    profile_doc = (REPO / "docs" / "profile.md").read_text()
    for spec in FIELDS:
        assert f"| `{spec.name}` |" in profile_doc, spec.name


def test_readme_has_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", readme, re.S)
    assert block, "README has a Quickstart with a bash block"
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert commands == ['pip install -e . && advisor recommend examples/thumbnailer.yaml',
                        'pip install -e ".[test]" && pytest']
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1] in ci, ".ci/run runs the README's test command word for word"


def test_readme_links_resolve() -> None:
    readme = (REPO / "README.md").read_text()
    for target in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (REPO / target).exists(), target


def test_readme_examples_exist() -> None:
    readme = (REPO / "README.md").read_text()
    for example in re.findall(r"(examples/[\w.-]+)", readme):
        assert (REPO / example).exists(), example
