"""Every command and sub-command has help, metavars instead of type labels, and a place in the docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from advisor.cli.app import app

REPO = Path(__file__).resolve().parents[1]
TYPE_LABEL = re.compile(r"<(bool|str|int|float|path|file|text|list\[[a-z]+\]|[a-z]+ range)>")


def _commands() -> list[tuple[str, ...]]:
    """Every command path under the root, sub-commands included: ('model', 'train'), ..."""
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        if hasattr(command, "commands"):  # a group (typer's own click, so no isinstance check)
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


COMMANDS = _commands()


def test_the_walk_finds_sub_commands() -> None:
    assert {("model", "train"), ("profile", "from"), ("questionnaire", "lint")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "advisor")
def test_every_command_has_help_and_metavars(path: tuple[str, ...]) -> None:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help text"
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    labels = TYPE_LABEL.findall(result.output)
    assert not labels, f"{' '.join(path) or 'advisor'} --help shows type labels {labels}; give a metavar"


@pytest.mark.parametrize("path", [p for p in COMMANDS if p], ids=" ".join)
def test_every_command_is_documented(path: tuple[str, ...]) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8") + "".join(
        page.read_text(encoding="utf-8") for page in sorted((REPO / "docs").glob("*.md")))
    assert f"advisor {' '.join(path)}" in text, f"`advisor {' '.join(path)}` is not shown in README.md or docs/"
