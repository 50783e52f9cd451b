"""`advisor recommend` and `advisor runtimes` through the CLI: formats, golden files, exit codes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advisor import RUNTIMES
from advisor.cli.app import app
from advisor.outputs.formats import FORMATTERS, OutputFormat

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
spec = importlib.util.spec_from_file_location("regenerate", GOLDEN / "regenerate.py")
assert spec and spec.loader
regenerate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regenerate)


def test_every_output_format_has_a_formatter() -> None:
    # The library renders every text format; the terminal table is drawn by the CLI (rich lives there).
    assert set(FORMATTERS) | {OutputFormat.table} == set(OutputFormat)
    assert OutputFormat.table not in FORMATTERS


@pytest.mark.parametrize("case", regenerate.CASES)
def test_golden_outputs(case: str) -> None:
    """Rendered outputs match the golden files exactly (regenerate with tests/data/golden/regenerate.py)."""
    for name, text in regenerate.outputs(case).items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_json_contract(runner) -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLES / "nightly-etl.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["name"] == "nightly-etl"
    assert data["recommendation"] in RUNTIMES and data["runner_up"] in RUNTIMES
    assert 0 <= data["confidence"] <= 1
    assert data["ranking"][0]["runtime"] == data["recommendation"]
    lambda_entry = next(r for r in data["ranking"] if r["runtime"] == "lambda")
    assert lambda_entry["feasible"] is False
    assert {"constraint", "limit", "value", "message", "source"} <= set(lambda_entry["blockers"][0])
    for entry in data["ranking"]:
        assert set(entry) >= {"runtime", "feasible", "score", "axes", "monthly_cost_usd", "cost_breakdown",
                              "blockers", "cautions", "reasons"}
        assert set(entry["axes"]) == {"simplicity", "flexibility", "agility", "hybridity"}
        assert "compute" in entry["cost_breakdown"]
    eks = next(r for r in data["ranking"] if r["runtime"] == "eks")
    assert "control_plane" in eks["cost_breakdown"]


def test_set_without_a_file(runner) -> None:
    result = runner.invoke(app, ["recommend", "--set", "workload_type=batch_job", "--set", "max_duration_s=2h",
                                 "--set", "gpu=1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "workload"
    assert data["recommendation"] in ("ecs_ec2", "eks")
    blocked = {r["runtime"] for r in data["ranking"] if not r["feasible"]}
    assert blocked == {"lambda", "ecs_fargate"}


def test_stdin_yaml(runner) -> None:
    text = (EXAMPLES / "thumbnailer.yaml").read_text()
    result = runner.invoke(app, ["recommend", "-", "--format", "yaml"], input=text)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["recommendation"] == "lambda"


def test_set_overrides_the_file(runner) -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLES / "thumbnailer.yaml"), "--set", "max_duration_s=1h",
                                 "-f", "json"])
    data = json.loads(result.stdout)
    assert next(r for r in data["ranking"] if r["runtime"] == "lambda")["feasible"] is False


@pytest.mark.parametrize(("args", "message"), [
    (["recommend", "missing.yaml"], "no such file"),
    (["recommend", "--set", "memroy_mb=5"], "did you mean 'memory_mb'"),
    (["recommend", "--set", "os=linx", "--set", "vcpu=-1"], "2 problem(s)"),
    (["recommend", "--set", "gpu"], "field=value"),
    (["recommend", str(EXAMPLES / "thumbnailer.yaml"), "--format", "xml"], "--format 'xml'"),
    (["recommend"], "give a profile file"),
    (["runtimes", "--runtime", "beanstalk"], "not a runtime"),
])
def test_usage_errors_exit_2_without_traceback(runner, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_yaml_exits_2(runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    result = runner.invoke(app, ["recommend", str(bad)])
    assert result.exit_code == 2 and "not valid YAML" in result.output


def test_internal_error_exits_1_with_a_message(runner, monkeypatch) -> None:
    import advisor.api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(advisor.api, "recommend", broken)
    result = runner.invoke(app, ["recommend", "--set", "name=x", "-f", "json"])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_runtimes_lists_sources_and_dates(runner) -> None:
    result = runner.invoke(app, ["runtimes", "--format", "json"])
    assert result.exit_code == 0
    facts = json.loads(result.stdout)
    keys = {f["key"] for f in facts}
    assert {"lambda.timeout_s", "ecs_fargate.sizes_linux", "price.lambda.requests_per_million",
            "price.eks.control_plane_hour.standard"} <= keys
    assert all(f["source"] and f["as_of"] for f in facts)
    table = runner.invoke(app, ["runtimes", "--runtime", "ecs-fargate"])
    assert table.exit_code == 0 and "ecs_fargate.ephemeral_storage_max_gb" in table.stdout


def test_every_command_has_help(runner) -> None:
    import typer.main

    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        assert command.help, f"command {name} has no help text"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name


def _imported_modules(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "advisor", *args],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("args", [("--help",), ("runtimes",), ("runtimes", "--format", "json")])
def test_help_and_runtimes_do_not_import_heavy_libraries(args: tuple[str, ...]) -> None:
    modules = _imported_modules(*args)
    assert "advisor.cli.app" in modules
    for heavy in ("pandas", "sklearn", "numpy", "jinja2"):
        assert heavy not in modules, f"`advisor {' '.join(args)}` imports {heavy}"


DESCRIPTORS = Path(__file__).resolve().parent / "data" / "descriptors"


def test_recommend_straight_from_a_descriptor(runner) -> None:
    result = runner.invoke(app, ["recommend", str(DESCRIPTORS / "ecs" / "web-taskdef.json"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "storefront-web"
    assert "containerized" not in data["assumed_defaults"]


def test_descriptor_with_several_workloads_needs_service(runner) -> None:
    compose = str(DESCRIPTORS / "compose" / "shop" / "docker-compose.yml")
    result = runner.invoke(app, ["recommend", compose])
    assert result.exit_code == 2
    assert "web, api, db, recommender" in result.output and "--service" in result.output
    chosen = runner.invoke(app, ["recommend", compose, "--service", "api", "-f", "json"])
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["name"] == "api"
