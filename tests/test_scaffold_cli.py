"""`advisor scaffold` through the CLI: exit codes, what goes to stdout and stderr, --set, --force."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli.app import app

REPO = Path(__file__).resolve().parents[1]
PROFILES = Path(__file__).resolve().parent / "data" / "scaffold" / "profiles"


@pytest.fixture
def cli() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click 8.2 keeps stderr apart already
        return CliRunner()


def test_scaffold_writes_the_recommended_runtime(cli: CliRunner, isolated: Path) -> None:
    done = cli.invoke(app, ["scaffold", str(PROFILES / "tiny-api.yaml"), "--out", "starter"])
    assert done.exit_code == 0, done.output
    assert "for AWS Lambda to starter" in done.stdout
    assert (isolated / "starter" / "template.yaml").is_file()
    assert "Adjusted to be valid for AWS" in done.stdout and "Lambda minimum" in done.stdout
    assert done.stderr == ""


def test_infeasible_runtime_warns_with_blockers_on_stderr(cli: CliRunner, isolated: Path) -> None:
    done = cli.invoke(app, ["scaffold", str(PROFILES / "big-batch.yaml"), "--out", "alt", "--runtime", "lambda"])
    assert done.exit_code == 0, done.output
    assert "warning: AWS Lambda is not feasible" in done.stderr
    assert "15 min" in done.stderr, "the blocker's message is listed"
    assert (isolated / "alt" / "README.md").is_file()


def test_existing_files_exit_2_and_force_overwrites(cli: CliRunner, isolated: Path) -> None:
    args = ["scaffold", str(PROFILES / "arm-worker.yaml"), "--out", "w", "--runtime", "ecs-fargate"]
    assert cli.invoke(app, args).exit_code == 0
    again = cli.invoke(app, args)
    assert again.exit_code == 2
    assert "would be replaced (use --force to replace it)" in again.stderr and "template.yaml" in again.stderr
    assert cli.invoke(app, [*args, "--force"]).exit_code == 0


def test_set_overrides_and_stdin(cli: CliRunner, isolated: Path) -> None:
    done = cli.invoke(app, ["scaffold", "-", "--out", "s", "--runtime", "eks", "--set", "gpu=1"],
                      input="name: from-stdin\nworkload_type: ml_inference\ncontainerized: true\n")
    assert done.exit_code == 0, done.output
    assert "nvidia.com/gpu" in (isolated / "s" / "k8s" / "deployment.yaml").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--runtime", "kubernetes"], "--runtime"),
    (["--set", "gpu=lots"], "gpu"),
    (["--set", "nonsense"], "expected field=value"),
])
def test_bad_input_exits_2_with_a_message(cli: CliRunner, isolated: Path, args: list[str], message: str) -> None:
    done = cli.invoke(app, ["scaffold", str(PROFILES / "tiny-api.yaml"), "--out", "x", *args])
    assert done.exit_code == 2
    assert message in done.stderr + done.stdout
    assert not (isolated / "x").exists()


def test_missing_profile_and_no_feasible_runtime(cli: CliRunner, isolated: Path) -> None:
    missing = cli.invoke(app, ["scaffold", "nope.yaml", "--out", "x"])
    assert missing.exit_code == 2 and "nope.yaml: no such file" in missing.stderr
    (isolated / "huge.yaml").write_text("name: huge\nworkload_type: ml_training\ngpu: 64\n")
    none = cli.invoke(app, ["scaffold", "huge.yaml", "--out", "x"])
    assert none.exit_code == 2 and "no runtime is feasible" in none.stderr and "--runtime" in none.stderr


def test_scaffold_has_help(cli: CliRunner) -> None:
    done = cli.invoke(app, ["scaffold", "--help"])
    assert done.exit_code == 0 and "--out" in done.stdout and "--runtime" in done.stdout
