"""Every runtime's starter for a dozen varied profiles (edge sizes, GPU, Windows, arm64, daemon, every
workload type, hostile text), validated with the real tools: cfn-lint (batched, in parallel), the
Kubernetes schemas of kubernetes-validate (strict), eksctl's JSON schema, kustomize, and a parse of
every YAML, JSON and TOML file."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_scaffold_support import (
    CFN_LINT_ALLOWLIST,
    RUNTIMES,
    cfn_lint_findings,
    load_yaml_documents,
    parse_file,
    profile_files,
    start_cfn_lint,
)

from advisor.api import load_profile, score_profiles
from advisor.outputs.scaffold import StarterResult, write_starter
from advisor.outputs.scaffold.common import default

HOSTILE = {
    "name": "evil\"'\n{{ 7*7 }} ${AWS::AccountId} !Ref X &a *a <script>x</script> ../../up #c: |",
    "description": "line1\n---\n- item: {{ config }}\n!GetAtt A.Arn\n%TAG ! tag:x\n`rm -rf /`\u2028\\u0041 \t end",
    "workload_type": "http_api",
    "containerized": True,
    "language": "python",
}


@dataclass(frozen=True)
class Scaffolded:
    root: Path
    results: dict[tuple[str, str], StarterResult]
    cfn_lint: list[Any]


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaffolded]:
    """Write all four runtimes for every test profile (and a hostile one), then start cfn-lint on them."""
    from advisor.profile.fields import build_profile

    root = tmp_path_factory.mktemp("starters")
    names = [path.stem for path in profile_files()]
    profiles = [load_profile(str(path)) for path in profile_files()]
    names.append("hostile")
    profiles.append(build_profile(HOSTILE, "hostile"))
    scored = score_profiles(profiles)
    results = {}
    for row, (name, profile) in enumerate(zip(names, profiles, strict=True)):
        for runtime in RUNTIMES:
            results[name, runtime] = write_starter(profile, root / name / runtime, runtime=runtime,
                                                   scored=scored, row=row)
    templates = sorted([*root.glob("*/*/template.yaml"), *root.glob("*/*/express.yaml")])
    linting = start_cfn_lint(templates)
    yield Scaffolded(root, results, linting)
    for process in linting:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_every_profile_and_runtime_was_written(scaffolded: Scaffolded) -> None:
    assert len(profile_files()) >= 8
    for (name, runtime), result in scaffolded.results.items():
        assert result.runtime == runtime
        assert result.files, (name, runtime)
        on_disk = {p for p in (scaffolded.root / name / runtime).rglob("*") if p.is_file()}
        assert on_disk == {p.resolve() for p in result.files}, "no stray or temporary files"


def test_profiles_cover_the_shapes_the_issue_asks_for() -> None:
    profiles = [load_profile(str(path)) for path in profile_files()]
    from advisor.profile.fields import FIELD_BY_NAME

    assert {p.workload_type for p in profiles} >= set(FIELD_BY_NAME["workload_type"].choices) - {"unknown"}
    assert any(p.gpu for p in profiles) and any(p.os == "windows" for p in profiles)
    assert any(p.arch == "arm64" for p in profiles) and any(p.daemon_per_host for p in profiles)
    assert any(p.memory_mb < 128 for p in profiles) and any(p.memory_mb >= 120 * 1024 for p in profiles)


def test_every_yaml_json_and_toml_file_parses(scaffolded: Scaffolded) -> None:
    parsed = 0
    for path in scaffolded.root.rglob("*"):
        if path.is_file() and parse_file(path) is not None:
            parsed += 1
    assert parsed >= len(scaffolded.results) * 2


def test_cloudformation_and_sam_templates_pass_cfn_lint(scaffolded: Scaffolded) -> None:
    findings = cfn_lint_findings(scaffolded.cfn_lint)
    unexpected = [f for f in findings if f["Rule"]["Id"] not in CFN_LINT_ALLOWLIST
                  and f["Level"] in ("Error", "Warning")]
    report = "\n".join(f"{f['Filename']}:{f['Location']['Start']['LineNumber']} {f['Rule']['Id']} {f['Message']}"
                       for f in unexpected)
    assert not unexpected, report
    assert len(list(scaffolded.root.glob("*/*/template.yaml"))) == len(scaffolded.results) * 3 // 4


def _kubernetes_version() -> str:
    import os

    import kubernetes_validate

    version = f"{default('eks.kubernetes_version')}.0"
    schemas = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    assert (schemas / f"v{version}-local-strict").is_dir(), f"kubernetes-validate ships no {version} schemas"
    assert os.listdir(schemas / f"v{version}-local-strict")
    return version


def test_kubernetes_manifests_pass_kubernetes_validate_strict(scaffolded: Scaffolded) -> None:
    import kubernetes_validate

    version = _kubernetes_version()
    manifests = [p for p in scaffolded.root.glob("*/eks/k8s/*.yaml") if p.name != "kustomization.yaml"]
    kinds = set()
    for path in manifests:
        for document in load_yaml_documents(path):
            kinds.add(document["kind"])
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{path}: {exc.message} at {list(exc.path)}")
    assert kinds >= {"Namespace", "ServiceAccount", "Deployment", "DaemonSet", "Job", "CronJob", "Service",
                     "Ingress", "IngressClass", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"}


def test_kubernetes_validate_cli_agrees_on_one_folder(scaffolded: Scaffolded) -> None:
    """The same check through the command users run, so the API use above matches it."""
    folder = scaffolded.root / "gpu-inference" / "eks" / "k8s"
    manifests = sorted(str(p) for p in folder.glob("*.yaml") if p.name != "kustomization.yaml")
    done = subprocess.run(["kubernetes-validate", "--strict", "--quiet", "-k", _kubernetes_version(), *manifests],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_eksctl_cluster_configs_match_the_eksctl_schema(scaffolded: Scaffolded, shared_dir: Path) -> None:
    import jsonschema

    schema = json.loads((shared_dir / "schemas" / "eksctl-clusterconfig-v1alpha5.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    clusters = sorted(scaffolded.root.glob("*/eks/cluster.yaml"))
    assert clusters
    for path in clusters:
        (document,) = load_yaml_documents(path)
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
        assert not errors, f"{path}: {errors}"
    auto = [load_yaml_documents(p)[0].get("autoModeConfig", {}).get("enabled") for p in clusters]
    assert True in auto and None in auto, "both Auto Mode and node-group clusters are covered"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed, so kustomize cannot run")
def test_kustomizations_build(scaffolded: Scaffolded) -> None:
    for folder in sorted(scaffolded.root.glob("*/eks/k8s")):
        done = subprocess.run(["kubectl", "kustomize", str(folder)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{folder}: {done.stderr}"
        assert "image: REPLACE_ME_ACCOUNT_ID.dkr.ecr.REPLACE_ME_AWS_REGION.amazonaws.com/" in done.stdout
