"""Real public descriptors (tests/data/descriptors/real): every file gives the profile it says.

MANIFEST.yaml lists each file's repository, path, commit and licence, and what the FILE says, as
profile fields per workload (written from the files, not from this importer's output), with the
runtimes that cannot run it. Each file is imported alone, so workload names are the files' own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from advisor.cli.app import app
from advisor.engine.managed import managed_alternative
from advisor.importers import import_profiles
from advisor.knowledge.base import knowledge
from advisor.profile.fields import FIELD_BY_NAME, build_profile

REAL = Path(__file__).resolve().parent / "data" / "descriptors" / "real"
MANIFEST: dict[str, Any] = yaml.safe_load((REAL / "MANIFEST.yaml").read_text(encoding="utf-8"))
FILES: list[dict[str, Any]] = MANIFEST["files"]
REDISTRIBUTABLE = {"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "Unlicense", "CC0-1.0", "CC-BY-4.0"}
# Keys of an expected workload that are checks rather than profile fields.
CHECKS = {"must_block", "protocols_include", "persistent_storage_not", "managed_alternative", "long_running_service",
          "requires_compatibilities", "implied"}
runner = CliRunner()


def _workloads() -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
    return [(entry, name, expected) for entry in FILES for name, expected in (entry["expected"] or {}).items()]


def test_the_manifest_lists_every_file_with_its_source_and_licence() -> None:
    on_disk = sorted(p.relative_to(REAL).as_posix() for p in REAL.rglob("*")
                     if p.is_file() and p.name != "MANIFEST.yaml")
    assert sorted(entry["file"] for entry in FILES) == on_disk
    assert len(on_disk) >= 40
    for entry in FILES:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", entry["repo"]), entry["file"]
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]), entry["file"]
        assert entry["licence"] in REDISTRIBUTABLE, entry["file"]
        assert entry["licence_source"] in ("read", "header", "published"), entry["file"]
        assert entry["trimmed"] is False or (isinstance(entry["trimmed"], str) and entry["trimmed"]), entry["file"]
        assert entry["file"].endswith(entry["path"].rsplit("/", 1)[-1]), "the file keeps its published name"
        assert set(entry["classes"]) <= set(range(1, 13)), entry["file"]
    assert set().union(*(set(entry["classes"]) for entry in FILES)) == set(range(1, 13)), "every class of issue 14"


@pytest.mark.parametrize("entry", FILES, ids=[e["file"] for e in FILES])
def test_each_real_file_gives_what_it_says(entry: dict[str, Any]) -> None:
    result = import_profiles(REAL / entry["file"]) if not entry.get("file_kind") else None
    if result is None:
        return  # Helm values and kustomizations: see test_files_to_render_first_say_what_to_run
    if entry.get("problem"):
        assert any(entry["problem"] in problem and entry["file"] in problem for problem in result.problems)
    found = {p.name: p for p in result.profiles}
    for name, expected in (entry["expected"] or {}).items():
        assert name in found, f"{entry['file']}: workload {name} not read ({', '.join(found)})"
        profile = found[name]
        data = profile.data
        for field, value in expected.items():
            if field in CHECKS:
                continue
            if value is None or value == [] or value is False:
                assert not data.get(field), f"{name}.{field}: {data.get(field)!r}"
            elif value == FIELD_BY_NAME[field].default:
                assert data.get(field, value) == value, f"{name}.{field}: {data.get(field)!r}"
            else:
                assert data.get(field) == value, f"{name}.{field}: {data.get(field)!r} != {value!r}"
        for protocol in expected.get("protocols_include", []):
            assert protocol in data.get("protocols", []), f"{name}: {data.get('protocols')}"
        if "persistent_storage_not" in expected:
            assert data.get("persistent_storage", "none") != expected["persistent_storage_not"], name
        if expected.get("long_running_service"):
            assert data["max_duration_s"] > knowledge().number("lambda.timeout_s")
            assert profile.provenance["max_duration_s"].original == "AWS::ECS::Service"
        for field in expected.get("implied", []):
            assert profile.provenance[field].implied, f"{name}.{field} is implied, so a given value wins"
        if "requires_compatibilities" in expected:
            for launch_type in expected["requires_compatibilities"]:
                assert f"registered for {launch_type}" in data["description"]
        if "managed_alternative" in expected:
            alternative = managed_alternative(build_profile(data))
            assert alternative is not None, name
            first_word = expected["managed_alternative"].split(" / ")[0].split(" (")[0]
            assert first_word in alternative["service"], (alternative["service"], expected["managed_alternative"])
            assert alternative["rationale"] and ("aws.amazon.com" in alternative["source"]  # AWS docs, or their
                                                 or "docs.amazonaws.cn/en_us/" in alternative["source"])  # mirror


def _host_access_blocks(data: dict[str, Any]) -> set[str]:
    """SHARED_DECISIONS: Fargate adds no capability but SYS_PTRACE and takes no host paths, devices or
    host PID namespace; Lambda none of them (issue 12 writes these as feasibility rules)."""
    blocked: set[str] = set()
    capabilities = set(data.get("added_capabilities", []))
    if capabilities or data.get("host_mounts") or data.get("host_devices") or data.get("host_pid"):
        blocked.add("lambda")
    if capabilities - {"SYS_PTRACE"} or data.get("host_mounts") or data.get("host_devices") or data.get("host_pid"):
        blocked.add("ecs_fargate")
    return blocked


@pytest.mark.parametrize(("entry", "name", "expected"),
                         [w for w in _workloads() if w[2].get("must_block")],
                         ids=[f"{w[0]['file']}:{w[1]}" for w in _workloads() if w[2].get("must_block")])
def test_runtimes_that_cannot_run_a_real_workload_are_blocked(entry: dict[str, Any], name: str,
                                                              expected: dict[str, Any]) -> None:
    from advisor.api import recommend

    profile = next(p for p in import_profiles(REAL / entry["file"]).profiles if p.name == name)
    recommendation = recommend(build_profile(profile.data))
    blocked = {r.runtime for r in recommendation.ranking if not r.feasible} | _host_access_blocks(profile.data)
    assert set(expected["must_block"]) <= blocked, (name, sorted(blocked))


def test_the_whole_folder_imports_without_a_traceback_and_names_every_skipped_object() -> None:
    result = runner.invoke(app, ["profile", "from", str(REAL), "--out", "-", "--format", "json"])
    assert result.exit_code == 3, result.output  # two published files cannot be read as they are
    assert "Traceback" not in result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("advisor: note: skipped")]
    for expected in ("Prometheus k8s (monitoring.coreos.com/v1): a custom resource whose pods its operator creates",
                     "ServiceMonitor grafana (monitoring.coreos.com/v1): monitoring or routing configuration",
                     "base/kustomization.yaml: a kustomization", "tf_job/values.yaml: a Helm chart's values file",
                     "Ingress guestbook-ingress (extensions/v1beta1): not a workload"):
        assert any(expected in line for line in notes), expected
    warnings = [line for line in result.stderr.splitlines() if line.startswith("advisor: warning:")]
    assert any("torchserve/gpu.yaml: document: not valid YAML" in line for line in warnings)
    assert any("plex/compose.yaml: services.plex.volumes[0]" in line and "volume source is empty" in line
               for line in warnings)
    records = json.loads(result.stdout)
    assert len(records) >= 70
    assert all(set(r["provenance"]) == set(r["profile"]) for r in records)


@pytest.mark.parametrize(("file", "advice"), [
    ("kubeflow__training-operator/examples/tf_job/values.yaml", "helm template RELEASE CHART -f "),
    ("fluent__fluent-bit-kubernetes-logging/base/kustomization.yaml", "kubectl kustomize "),
])
def test_files_to_render_first_say_what_to_run(file: str, advice: str) -> None:
    for command in (["profile", "from", str(REAL / file), "--out", "-"], ["recommend", str(REAL / file)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert advice in result.output and "unknown field" not in result.output


def test_a_manifest_implies_kubernetes_without_contradicting_reasons_and_the_user_overrides_it() -> None:
    manifest = str(REAL / "GoogleCloudPlatform__microservices-demo" / "kubernetes-manifests" / "redis.yaml")
    result = runner.invoke(app, ["recommend", manifest, "--format", "json"])
    assert result.exit_code == 0, result.output
    reasons = [reason for runtime in json.loads(result.stdout)["ranking"] for reason in runtime["reasons"]]
    assert any("already runs Kubernetes" in reason for reason in reasons)
    assert not any("no Kubernetes experience" in reason for reason in reasons)
    overridden = runner.invoke(app, ["recommend", manifest, "--format", "json", "--set", "existing_platform=none",
                                     "--set", "k8s_experience=none"])
    reasons = [reason for runtime in json.loads(overridden.stdout)["ranking"] for reason in runtime["reasons"]]
    assert not any("already runs Kubernetes" in reason for reason in reasons)


def test_a_backing_service_gets_its_managed_alternative_in_every_output() -> None:
    compose = REAL / "docker__awesome-compose" / "nextcloud-postgres" / "compose.yaml"
    as_json = runner.invoke(app, ["recommend", str(compose), "--service", "db", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    managed = json.loads(as_json.stdout)["managed_alternative"]
    assert managed["service"].startswith("Amazon RDS for PostgreSQL")
    assert set(managed) == {"service", "rationale", "source"}
    recommendation = json.loads(as_json.stdout)
    assert recommendation["recommendation"] != "lambda"
    assert not next(r for r in recommendation["ranking"] if r["runtime"] == "lambda")["feasible"]
    for fmt in ("table", "markdown", "yaml"):
        text = runner.invoke(app, ["recommend", str(compose), "--service", "db", "--format", fmt]).stdout
        assert "Amazon RDS for PostgreSQL" in text, fmt
    web = runner.invoke(app, ["recommend", str(compose), "--service", "nc", "--format", "json"])
    assert json.loads(web.stdout)["managed_alternative"] is None
