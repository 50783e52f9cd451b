"""Shared helpers for the starter-config tests: the profiles, scaffolding them all once, loading every
generated file with a safe loader that accepts CloudFormation tags, and linting in batches.

Imported by the other test_scaffold_*.py modules (pytest puts tests/ on sys.path); the few tests here
check the helpers themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data" / "scaffold"
PROFILES = DATA / "profiles"
GOLDEN = DATA / "golden"
RUNTIMES = ("lambda", "ecs_fargate", "ecs_ec2", "eks")

# cfn-lint findings we accept, by rule id, each with the reason. Everything else at level Error or
# Warning fails the test. Empty today: every generated template lints clean. (A workload name with
# "${" in it is handled in the template itself: it carries a cfn-lint ignore for E1029 with a comment,
# because that text is a literal in Metadata, not a substitution.)
CFN_LINT_ALLOWLIST: dict[str, str] = {}


@dataclass(frozen=True)
class Tagged:
    """A CloudFormation short-form tag (!Ref, !Sub, ...) as loaded: the tag and its value."""

    tag: str
    value: Any


class CfnSafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when available) that also accepts CloudFormation's short-form tags,
    keeping them visible."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Tagged(suffix, value)


CfnSafeLoader.add_multi_constructor("!", _tagged)


def load_yaml_documents(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as stream:
        return list(yaml.load_all(stream, Loader=CfnSafeLoader))


def parse_file(path: Path) -> Any:
    """Parse a generated YAML, JSON or TOML file (raises on a syntax error); None for other files."""
    name = path.name
    if name.endswith((".yaml", ".yml")):
        return load_yaml_documents(path)
    if name.endswith(".json"):
        return json.loads(path.read_text(encoding="utf-8"))
    if name.endswith(".toml"):
        return tomllib.loads(path.read_text(encoding="utf-8"))
    return None


def walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, scalar) in a loaded document; mapping keys are yielded as ('<key>', key)."""
    if isinstance(node, Tagged):
        yield from walk(node.value, (*path, f"!{node.tag}"))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield (*path, "<key>"), key
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))
    else:
        yield path, node


def profile_files() -> list[Path]:
    return sorted(PROFILES.glob("*.yaml"))


def start_cfn_lint(templates: list[Path], processes: int = 2) -> list[subprocess.Popen[str]]:
    """Start cfn-lint on `templates` in a few parallel batches (it costs seconds per start-up)."""
    batches = [templates[i::processes] for i in range(processes)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    executable = shutil.which("cfn-lint") or "cfn-lint"
    return [subprocess.Popen([executable, "--format", "json", *map(str, batch)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for batch in batches if batch]


def cfn_lint_findings(processes: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    """Every finding of the batches; raises when cfn-lint itself failed to run."""
    findings: list[dict[str, Any]] = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        try:
            findings.extend(json.loads(out or "[]"))
        except json.JSONDecodeError:
            raise RuntimeError(f"cfn-lint failed (exit {process.returncode}): {err[-2000:]}") from None
        if process.returncode and not findings:
            raise RuntimeError(f"cfn-lint exited {process.returncode} without findings: {err[-2000:]}")
    return findings


def test_cfn_loader_keeps_tags_visible() -> None:
    docs = yaml.load("a: !Ref B\nc: !Sub ['x${Y}', {Y: 1}]\nd: !GetAtt E.Arn\n", Loader=CfnSafeLoader)
    assert docs["a"] == Tagged("Ref", "B")
    assert docs["c"].tag == "Sub" and docs["c"].value[1] == {"Y": 1}
    assert ("a", "!Ref") in [path for path, _ in walk(docs)]


def test_cfn_loader_refuses_python_objects() -> None:
    import pytest

    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("x: !!python/object/apply:os.system ['true']\n", Loader=CfnSafeLoader)
