"""The descriptor corpus (tests/data/descriptors): every file gives exactly its expected profiles.

The corpus holds realistic compose files, Kubernetes manifests, ECS task definitions and
SAM/CloudFormation templates, messy ones included; expected.yaml is the specification for each.
The corpus is also checked with the tools its formats have (cfn-lint, kubernetes-validate), so the
files are real descriptors and not shapes only this importer accepts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.importers import import_profiles
from advisor.importers.provenance import SOURCE_KINDS
from advisor.profile.fields import FIELD_NAMES, build_profile

CORPUS = Path(__file__).resolve().parent / "data" / "descriptors"
EXPECTED: list[dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def test_the_corpus_covers_every_format_with_several_files() -> None:
    by_format: dict[str, int] = {}
    for case in EXPECTED:
        kind = case["descriptor"].split("/", 1)[0]
        by_format[kind] = by_format.get(kind, 0) + 1
    assert by_format == {"compose": 3, "k8s": 5, "ecs": 4, "cfn": 4}
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
             and p.name not in ("expected.yaml",) and "real" not in p.relative_to(CORPUS).parts[:1]]
    covered = {case["descriptor"] for case in EXPECTED}
    for file in files:
        relative = file.relative_to(CORPUS).as_posix()
        assert relative in covered or any(relative.startswith(c + "/") for c in covered) \
            or relative == "compose/extends/shared/base.yml", f"{relative} is in the corpus without expected profiles"


@pytest.mark.parametrize("case", EXPECTED, ids=[c["descriptor"] for c in EXPECTED])
def test_descriptor_gives_its_expected_profiles(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    result = import_profiles(Path(case["descriptor"]))
    assert list(result.problems) == case["problems"]
    found = {p.name: p for p in result.profiles}
    assert list(found) == list(case["profiles"]), "the workloads read, in file order"
    for name, expected in case["profiles"].items():
        profile = found[name]
        assert profile.source_kind == expected["source_kind"] and profile.source_kind in SOURCE_KINDS
        assert profile.provenance["name"].file == expected["file"]
        derived = {k: v for k, v in profile.data.items() if k not in ("name", "description")}
        assert derived == expected["fields"], name
        for field, where in expected["provenance"].items():
            source = profile.provenance[field]
            want_file, want_path = (expected["file"], where) if isinstance(where, str) \
                else (where["file"], where["path"])
            assert (source.file, source.path) == (want_file, want_path), f"{name}.{field}"
        assert profile.data["description"].startswith(f"Imported from {expected['file']} (")
        for note in expected.get("notes", []):
            assert note in profile.data["description"]


@pytest.mark.parametrize("case", EXPECTED, ids=[c["descriptor"] for c in EXPECTED])
def test_every_imported_profile_is_valid_and_accounts_for_every_field(case: dict[str, Any],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    for profile in import_profiles(Path(case["descriptor"])).profiles:
        built = build_profile(profile.data, source=profile.name)
        assert built.name == profile.name
        assert set(profile.provenance) == set(profile.data), "one provenance per derived field"
        assert set(profile.unknown) | set(profile.data) == set(FIELD_NAMES)
        assert not set(profile.unknown) & set(profile.data)
        assert set(built.assumed_defaults) == set(profile.unknown)
        # What a descriptor never states stays unknown, so the interview asks it; what it only implies
        # (the team's Kubernetes experience beside a manifest) is marked implied, so a given value wins.
        assert {"traffic_pattern", "ops_capacity", "priority_cost"} <= set(profile.unknown)
        assert "k8s_experience" in profile.unknown or profile.provenance["k8s_experience"].implied
        for source in profile.provenance.values():
            assert (CORPUS / source.file).is_file()
            assert source.path


def test_original_values_are_kept_as_the_file_spells_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    compose = {p.name: p for p in import_profiles(Path("compose/extends/docker-compose.yml")).profiles}
    assert compose["ingest"].provenance["memory_mb"].original == "${INGEST_MEMORY:-768M}"
    assert compose["ingest"].data["memory_mb"] == 768
    k8s = {p.name: p for p in import_profiles(Path("k8s/app")).profiles}
    assert k8s["orders-api"].provenance["vcpu"].original == ["1", "100m"]
    assert k8s["cart-cleanup"].provenance["requests_per_month"].original == "*/15 * * * *"
    cfn = {p.name: p for p in import_profiles(Path("cfn/ecs-platform.yaml")).profiles}
    assert cfn["catalog-api-prod"].provenance["vcpu"].original == \
        '!FindInMap ["TaskSize", {"Ref": "Environment"}, "Cpu"]'
    assert cfn["catalog-api-prod"].provenance["name"].original == "catalog-api-prod"


def test_cloudformation_corpus_passes_cfn_lint_except_the_deliberate_mistake() -> None:
    """The templates are real: cfn-lint (with the SAM transform) finds only the event type left in on purpose."""
    from cfnlint.api import lint_file

    findings = {}
    for template in sorted((CORPUS / "cfn").iterdir()):
        findings[template.name] = [f"{m.rule.id}: {m.message}" for m in lint_file(template)]
    # cfn-lint versions report the bad event differently: one E0001 from the SAM transform (older), or
    # E3017 plus an E3003/E3030 per event type it could have been (newer). Either way every finding is
    # about that event, and nothing else in the template is wrong.
    deliberate = findings.pop("sam-orders.yaml")
    assert deliberate and any("WebSocket" in finding for finding in deliberate), deliberate
    assert {finding.split(":")[0] for finding in deliberate} <= {"E0001", "E3017", "E3003", "E3030"}, deliberate
    assert findings == {"ecs-platform.yaml": [], "lambda-functions.json": [], "sam-image.yaml": []}


def _kubernetes_objects(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    documents = [yaml.safe_load(text)] if path.suffix == ".json" else list(yaml.safe_load_all(text))
    objects = []
    for document in documents:
        if isinstance(document, dict) and document.get("kind") == "List":
            objects.extend(document["items"])
        elif isinstance(document, dict):
            objects.append(document)
    return objects


def test_kubernetes_corpus_validates_against_the_kubernetes_schemas() -> None:
    """Every core object of the manifests (Helm leftovers aside) is valid for the Kubernetes API."""
    import kubernetes_validate

    version = kubernetes_validate.latest_version()
    checked = 0
    for path in [*sorted((CORPUS / "k8s" / "app").glob("*.yaml")), CORPUS / "k8s" / "operator.yaml",
                 CORPUS / "k8s" / "train-list.json", CORPUS / "k8s" / "windows-rollout.yaml"]:
        for obj in _kubernetes_objects(path):
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                # Custom resources and build-tool files have no schema in the Kubernetes API.
                assert obj["kind"] in ("Rollout", "Kustomization"), obj["kind"]
                continue
            checked += 1
    assert checked >= 12


def test_every_derived_field_has_a_documented_mapping_rule() -> None:
    """docs/import.md has a rule row for every field the corpus derives, in each format's table."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    sections = {"compose": "## Mapping rules: compose", "kubernetes": "## Mapping rules: Kubernetes",
                "ecs_task_definition": "## Mapping rules: ECS task definitions",
                "cloudformation": "## Mapping rules: SAM and CloudFormation"}
    for case in EXPECTED:
        for profile in case["profiles"].values():
            text = doc.split(sections[profile["source_kind"]], 1)[1].split("\n## ", 1)[0]
            if profile["source_kind"] == "cloudformation":
                text += doc.split(sections["ecs_task_definition"], 1)[1].split("\n## ", 1)[0]
            for field in profile["fields"]:
                assert f"| `{field}`" in text, (profile["source_kind"], field)
