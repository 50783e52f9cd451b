"""The package layout of docs/architecture.md: small modules, the pipeline in the package names, layers
kept by import-linter, AWS facts only in models/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from advisor.cli.app import app

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "advisor"
PIPELINE_PACKAGES = ("profile", "knowledge", "engine", "learn", "interview", "portfolio", "importers", "outputs", "cli")


def test_no_module_is_over_600_lines_and_the_top_level_stays_small() -> None:
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_the_pipeline_is_in_the_package_names() -> None:
    for name in PIPELINE_PACKAGES:
        assert (PACKAGE / name / "__init__.py").is_file(), name


def test_layer_contracts_hold() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    run = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_starter_facts_are_sourced_knowledge_listed_by_runtimes() -> None:
    """AWS identifiers and limits the starters use live in models/starters.yaml, with a source and an
    as-of date, and `advisor runtimes` lists them; defaults.yaml keeps only the starters' conventions."""
    starters = yaml.safe_load((REPO / "models" / "starters.yaml").read_text(encoding="utf-8"))["facts"]
    assert {"starter.lambda.sqs_max_visibility_timeout_s", "starter.ecs.fargate_max_stop_timeout_s",
            "starter.ecs.fargate_min_ephemeral_gib", "starter.ecs.ec2_ami_parameters"} <= set(starters)
    result = CliRunner().invoke(app, ["runtimes", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {fact["key"]: fact for fact in json.loads(result.stdout)}
    for key in starters:
        assert listed[key]["source"] and listed[key]["as_of"], key
    defaults = (PACKAGE / "templates" / "scaffold" / "defaults.yaml").read_text(encoding="utf-8")
    assert "source:" not in defaults and "docs.aws.amazon.com" not in defaults


def test_runtime_filter_includes_that_runtimes_starter_facts() -> None:
    result = CliRunner().invoke(app, ["runtimes", "--runtime", "ecs-ec2", "--format", "json"])
    keys = {fact["key"] for fact in json.loads(result.stdout)}
    assert "starter.ecs.ec2_ami_parameters" in keys and any(key.startswith("ecs_ec2.") for key in keys)
    assert not {key for key in keys if key.startswith(("lambda.", "eks.", "starter.eks.", "starter.lambda."))}
