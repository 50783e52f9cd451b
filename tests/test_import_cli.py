"""`advisor profile from`: files per workload with provenance, stdout CSV for `advisor assess -`,
overwrite protection, exit codes, and hostile names reaching file names, YAML and CSV safely."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from advisor.cli.app import app
from advisor.importers import import_profiles

CORPUS = Path(__file__).resolve().parent / "data" / "descriptors"
SHOP = CORPUS / "compose" / "shop" / "docker-compose.yml"
HOSTILE = '../../etc/evil"\nname: pwned # \u2028x'


def invoke(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_profile_group_and_command_have_help(runner: CliRunner) -> None:
    result = invoke(runner, "profile", "--help")
    assert result.exit_code == 0 and "from" in result.output
    result = invoke(runner, "profile", "from", "--help")
    assert result.exit_code == 0
    for option in ("--out", "--service", "--format", "--force"):
        assert option in result.output


def test_one_yaml_profile_per_service_each_loadable_by_recommend(runner: CliRunner, isolated: Path) -> None:
    result = invoke(runner, "profile", "from", str(SHOP), "--out", "profiles")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (isolated / "profiles").iterdir())
    assert written == ["api.yaml", "db.yaml", "recommender.yaml", "web.yaml"]
    for name in ("web", "api", "db", "recommender"):
        assert f"wrote {Path('profiles') / (name + '.yaml')}" in result.stderr
    text = (isolated / "profiles" / "api.yaml").read_text(encoding="utf-8")
    assert f'#   memory_mb: "{SHOP}" "services.api.deploy.resources.limits.memory" = "1.5g"' in text
    assert '#   vcpu: "' in text and "# Unknown (the file cannot tell" in text
    data = yaml.safe_load(text)
    assert data["memory_mb"] == 1536 and data["protocols"] == ["http", "grpc"]
    assert "traffic_pattern" not in data, "unknown fields are left out, so they stay defaults"
    recommended = invoke(runner, "recommend", "profiles/api.yaml", "--format", "json")
    assert recommended.exit_code == 0, recommended.output
    payload = json.loads(recommended.stdout)
    assert payload["name"] == "api"
    assert "traffic_pattern" in payload["assumed_defaults"] and "memory_mb" not in payload["assumed_defaults"]


def test_unknown_fields_are_printed_for_the_interview(runner: CliRunner, isolated: Path) -> None:
    result = invoke(runner, "profile", "from", str(SHOP), "--out", "p", "--service", "web")
    assert result.exit_code == 0
    line = next(line for line in result.stderr.splitlines() if line.startswith("web:"))
    unknown = line.split("unknown: ", 1)[1].split(", ")
    profile = next(p for p in import_profiles(SHOP).profiles if p.name == "web")
    assert unknown == list(profile.unknown)
    assert {"traffic_pattern", "requests_per_month", "ops_capacity", "k8s_experience", "priority_cost"} <= set(unknown)
    assert "memory_mb" not in unknown
    assert sorted(p.name for p in (isolated / "p").iterdir()) == ["web.yaml"]


def test_existing_files_are_not_overwritten_without_force(runner: CliRunner, isolated: Path) -> None:
    assert invoke(runner, "profile", "from", str(SHOP), "--out", "out").exit_code == 0
    (isolated / "out" / "api.yaml").write_text("name: kept\n", encoding="utf-8")
    result = invoke(runner, "profile", "from", str(SHOP), "--out", "out")
    assert result.exit_code == 2
    assert "exist and would be replaced (use --force to replace it)" in result.stderr
    assert (isolated / "out" / "api.yaml").read_text(encoding="utf-8") == "name: kept\n"
    result = invoke(runner, "profile", "from", str(SHOP), "--out", "out", "--force")
    assert result.exit_code == 0
    assert yaml.safe_load((isolated / "out" / "api.yaml").read_text(encoding="utf-8"))["name"] == "api"
    assert not [p for p in (isolated / "out").iterdir() if p.name.startswith(".advisor-")], "no temporary files left"


def test_stdout_csv_is_a_portfolio_that_validates(runner: CliRunner, isolated: Path) -> None:
    from advisor.profile.fields import FIELD_NAMES
    from advisor.profile.frame import records_to_frame

    result = invoke(runner, "profile", "from", str(CORPUS / "k8s" / "app"), "--out", "-")
    assert result.exit_code == 0, result.output
    raw = __import__("pandas").read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(raw.columns) == list(FIELD_NAMES)
    frame, problems = records_to_frame(raw)
    assert problems == {}
    assert list(frame["name"]) == ["orders-api", "cart-cleanup", "node-exporter", "postgres"]
    assert list(frame["vcpu"]) == [1.1, 0.25, 0.25, 2]
    assert frame.loc[0, "protocols"] == ("http", "grpc")
    assert bool(frame.loc[2, "daemon_per_host"]) and bool(frame.loc[2, "privileged"])
    assert "traffic_pattern" in frame.loc[0, "assumed_defaults"]
    assert "memory_mb" not in frame.loc[0, "assumed_defaults"]


def test_profile_from_pipes_into_assess(runner: CliRunner, isolated: Path) -> None:
    """`advisor profile from docker-compose.yml --out - | advisor assess - --out results.csv`."""
    exported = invoke(runner, "profile", "from", str(SHOP), "--out", "-")
    assert exported.exit_code == 0
    assessed = invoke(runner, "assess", "-", "--out", "results.csv", input=exported.stdout)
    assert assessed.exit_code == 0, assessed.output
    with (isolated / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["web", "api", "db", "recommender"]
    assert all(r["status"] == "ok" for r in rows)
    recommender = rows[3]
    assert recommender["feasible_ecs_fargate"] == "false" and recommender["feasible_lambda"] == "false", \
        "two GPUs from the compose device reservation rule out Fargate and Lambda"
    assert "gpu" in recommender["blockers_ecs_fargate"]


def test_json_formats(runner: CliRunner, isolated: Path) -> None:
    taskdef = str(CORPUS / "ecs" / "web-taskdef.json")
    result = invoke(runner, "profile", "from", taskdef, "--out", "-", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert records[0]["profile"]["memory_mb"] == 2048
    assert records[0]["provenance"]["arch"] == {"file": str(CORPUS / "ecs" / "web-taskdef.json"),
                                                "path": "runtimePlatform.cpuArchitecture", "original": "ARM64"}
    assert "traffic_pattern" in records[0]["unknown"]
    result = invoke(runner, "profile", "from", taskdef, "--out", "j", "--format", "json")
    assert result.exit_code == 0
    assert sorted(p.name for p in (isolated / "j").iterdir()) == ["storefront-web.json",
                                                                 "storefront-web.provenance.json"]
    sidecar = json.loads((isolated / "j" / "storefront-web.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["provenance"]["vcpu"]["original"] == "1024"
    recommended = invoke(runner, "recommend", "j/storefront-web.json", "--format", "json")
    assert recommended.exit_code == 0, recommended.output


def test_yaml_stream_on_stdout_and_csv_into_a_directory(runner: CliRunner, isolated: Path) -> None:
    template = str(CORPUS / "cfn" / "sam-image.yaml")
    result = invoke(runner, "profile", "from", template, "--out", "-", "--format", "yaml")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Imported by `advisor profile from`")
    single = invoke(runner, "recommend", "-", "--format", "json", input=result.stdout)
    assert single.exit_code == 0, single.output
    assert json.loads(single.stdout)["name"] == "ThumbnailFunction"
    result = invoke(runner, "profile", "from", str(SHOP), "--out", "c", "--format", "csv")
    assert result.exit_code == 0
    assert sorted(p.name for p in (isolated / "c").iterdir()) == ["profiles.csv", "profiles.provenance.csv"]
    provenance = list(csv.DictReader((isolated / "c" / "profiles.provenance.csv").open(encoding="utf-8")))
    assert {"name": "db", "field": "persistent_storage", "file": str(SHOP), "path": "services.db.volumes[0]",
            "original": '"pgdata:/var/lib/postgresql/data"'} in provenance


def test_problems_are_listed_and_exit_3_when_parts_were_skipped(runner: CliRunner, isolated: Path) -> None:
    broken = CORPUS / "compose" / "broken" / "docker-compose.yaml"
    result = invoke(runner, "profile", "from", str(broken), "--out", "out")
    assert result.exit_code == 3
    assert f"advisor: warning: {broken}: services.bad-memory.mem_limit: 'lots': not a compose size" in result.stderr
    assert sorted(p.name for p in (isolated / "out").iterdir()) == ["bad-extends.yaml", "bad-memory.yaml", "good.yaml"]


@pytest.mark.parametrize(("args", "message"), [
    (["ecs/broken-taskdef.json", "--out", "x"], "line 4: not valid JSON"),
    (["compose/shop/docker-compose.yml", "--out", "-", "--service", "apu"],
     "no workload named 'apu'; it holds: web, api, db, recommender"),
    (["compose/shop/docker-compose.yml", "--out", "-", "--format", "xml"],
     "--format 'xml': use one of yaml, json, csv"),
    (["missing.yml", "--out", "-"], "missing.yml: no such file or directory"),
])
def test_usage_errors_exit_2(runner: CliRunner, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    result = invoke(runner, "profile", "from", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_out_must_be_a_directory(runner: CliRunner, isolated: Path) -> None:
    (isolated / "file.txt").write_text("x", encoding="utf-8")
    result = invoke(runner, "profile", "from", str(SHOP), "--out", "file.txt")
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr


def test_a_plain_profile_is_pointed_to_recommend(runner: CliRunner) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "orders-api.yaml"
    result = invoke(runner, "profile", "from", str(example), "--out", "-")
    assert result.exit_code == 2
    assert "a workload profile is read by `advisor recommend`" in result.stderr


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def _hostile_compose(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "docker-compose.yml"
    services = {"services": {HOSTILE: {"image": "node:20", "mem_limit": "512m",
                                       "ports": ["8080:8080"]},
                             "con": {"image": "python:3.12"}, ".hidden": {"image": "golang:1.22"}}}
    path.write_text(yaml.safe_dump(services, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_hostile_names_stay_inside_the_directory_and_round_trip(runner: CliRunner, isolated: Path) -> None:
    source = _hostile_compose(isolated / "src" / 'we"ird\ndir')
    out = isolated / "deep" / "out"
    result = invoke(runner, "profile", "from", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["con-workload.yaml", "etc-evil-name-pwned-x.yaml", "hidden.yaml"]
    assert sorted(p.name for p in isolated.iterdir()) == ["deep", "home", "src"], "nothing written outside --out"
    text = (out / "etc-evil-name-pwned-x.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["name"] == HOSTILE
    assert set(data) == {"name", "description", "workload_type", "containerized", "language", "memory_mb", "protocols"}
    for line in text.splitlines():
        assert line.startswith("#") or not line.startswith(" #"), line
    comment_block = text.split("\nname:", 1)[0]
    assert all(line.startswith("#") for line in comment_block.splitlines()), "provenance stays inside comments"
    assert "\\n" in comment_block and "\\u2028" in comment_block
    assert yaml.safe_load(comment_block) is None, "the comment block holds no YAML data"
    assert (out / "hidden.yaml").stat().st_mode & 0o777 == 0o666 & ~_umask(), "files get the usual permissions"
    recommended = invoke(runner, "recommend", str(out / "etc-evil-name-pwned-x.yaml"), "--format", "json")
    assert recommended.exit_code == 0, recommended.output
    assert json.loads(recommended.stdout)["name"] == HOSTILE


def test_hostile_names_round_trip_through_csv_and_json(runner: CliRunner, isolated: Path) -> None:
    from advisor.profile.frame import records_to_frame

    source = _hostile_compose(isolated)
    result = invoke(runner, "profile", "from", str(source), "--out", "-")
    assert result.exit_code == 0
    raw = __import__("pandas").read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    frame, problems = records_to_frame(raw)
    assert problems == {}
    assert list(frame["name"]) == [HOSTILE, "con", ".hidden"]
    result = invoke(runner, "profile", "from", str(source), "--out", "-", "--format", "json")
    assert json.loads(result.stdout)[0]["name"] == HOSTILE
