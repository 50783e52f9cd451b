"""Hostile names and descriptions: nothing is injected into any generated file, every value round-trips
as a plain string in exactly the places it is meant to be, and nothing is written outside --out."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scaffold_support import RUNTIMES, CfnSafeLoader, load_yaml_documents, walk

from advisor.api import render_starter, write_starter
from advisor.errors import UnquotedUserTextError, UsageError
from advisor.files import safe_file_name
from advisor.outputs.scaffold.common import (
    UserText,
    dns_label,
    environment,
    logical_id,
    md_escape,
    toml_quote,
    yaml_quote,
)
from advisor.profile.fields import build_profile

MARKER = "§"  # in every hostile name and description, never in a template
HOSTILE_NAMES = [
    '§evil" \'quote\' {{ 7*7 }} {% raw %} ${AWS::AccountId} !Ref Bucket',
    "§evil\nkey: injected\n- list\n--- \n...",
    "§evil &anchor *anchor <<: *anchor ? complex : [a] {b: c} # comment",
    "§evil ../../../etc/passwd <script>alert(1)</script> `id` $(id) | > \\ \t\u2028\u0085\x7f",
    "§evil \U0001F600 ünïcödé ＼ \ufeff %TAG ! tag:evil,2000: \x00",
]
DESCRIPTION = ("§evil description\n---\napiVersion: v1\nkind: Secret\n!GetAtt X.Arn {{ lipsum }} ${Foo} "
               "&anchor *anchor <script>x</script> ../up \"'\\")

# Where profile text may appear in a parsed YAML document (file suffix -> allowed paths).
ALLOWED = {
    "template.yaml": {("Metadata", "Advisor", "WorkloadName"), ("Metadata", "Advisor", "WorkloadDescription")},
    "express.yaml": {("Metadata", "Advisor", "WorkloadName"), ("Metadata", "Advisor", "WorkloadDescription")},
    "namespace.yaml": {("metadata", "annotations", "advisor.aws/workload-name"),
                       ("metadata", "annotations", "advisor.aws/workload-description")},
    "deployment.yaml": {("metadata", "annotations", "advisor.aws/workload-name")},
    "daemonset.yaml": {("metadata", "annotations", "advisor.aws/workload-name")},
    "job.yaml": {("metadata", "annotations", "advisor.aws/workload-name")},
    "cronjob.yaml": {("metadata", "annotations", "advisor.aws/workload-name")},
}
WORKLOAD_TYPES = ("http_api", "queue_worker", "batch_job", "ml_training", "stream_processor", "event_handler")


def _profile(name: str, description: str, index: int) -> object:
    return build_profile({"name": name, "description": description, "workload_type": WORKLOAD_TYPES[index % 6],
                          "containerized": index % 2 == 0, "daemon_per_host": index == 3,
                          "language": ("python", "node", "go", "java", "ruby")[index]}, "test")


def _shape(document: object) -> list[tuple[object, ...]]:
    """Every path of a loaded document, with the type (and CloudFormation tag) of what sits there."""
    return [(*where, type(value).__name__) for where, value in walk(document)
            if not (isinstance(value, str) and where[-1] != "<key>")] + \
           [where for where, value in walk(document) if isinstance(value, str)]


def _without_lint_config(document: object) -> object:
    """A template whose profile text contains "${" tells cfn-lint it is literal (E1029); that is the
    one structural difference a hostile name may cause, and it must be exactly that."""
    if isinstance(document, dict) and isinstance(document.get("Metadata"), dict) and \
            "cfn-lint" in document["Metadata"]:
        metadata = dict(document["Metadata"])
        assert metadata.pop("cfn-lint") == {"config": {"ignore_checks": ["E1029"]}}
        return {**document, "Metadata": metadata}
    return document


@pytest.mark.parametrize("index", range(len(HOSTILE_NAMES)))
def test_hostile_text_round_trips_only_where_expected(index: int, tmp_path: Path) -> None:
    """Each hostile profile is written beside a plain twin with the same safe names: every YAML file
    has the same shape, profile text sits (exactly) only at the allowed paths, other files are equal."""
    from advisor.files import name_words

    hostile = _profile(HOSTILE_NAMES[index], DESCRIPTION, index)
    twin = _profile(" ".join(name_words(HOSTILE_NAMES[index])), "plain", index)
    assert hostile.name == HOSTILE_NAMES[index].strip()  # type: ignore[attr-defined]
    expected = {hostile.name, hostile.description}  # type: ignore[attr-defined]
    outside = tmp_path / "outside"
    outside.mkdir()
    for runtime in RUNTIMES:
        out = tmp_path / "out" / runtime
        result = write_starter(hostile, out, runtime=runtime)  # type: ignore[arg-type]
        _, twin_files, _ = render_starter(twin, runtime)  # type: ignore[arg-type]
        assert [out / name for name in twin_files] == list(result.files)
        seen: set[tuple[str, tuple[object, ...]]] = set()
        for path, twin_text in zip(result.files, twin_files.values(), strict=True):
            assert path.resolve().is_relative_to(out.resolve())
            text = path.read_text(encoding="utf-8")
            if path.name.endswith(".yaml"):
                documents = [_without_lint_config(d) for d in load_yaml_documents(path)]
                twin_documents = list(yaml.load_all(twin_text, Loader=CfnSafeLoader))
                assert len(documents) == 1 == len(twin_documents), f"{path}: injected documents"
                assert _shape(documents[0]) == _shape(twin_documents[0]), f"{path}: structure changed"
                for where, value in walk(documents[0]):
                    if isinstance(value, str) and MARKER in value:
                        assert value in expected, f"{path}: {value!r} at {where} is not the profile's text"
                        assert where in ALLOWED.get(path.name, set()), f"{path}: profile text at {where}"
                        seen.add((path.name, where))
                for (where, value), (_, twin_value) in zip(walk(documents[0]), walk(twin_documents[0]),
                                                           strict=True):
                    if where not in ALLOWED.get(path.name, set()):
                        assert value == twin_value, f"{path}: {where} differs from the plain twin"
            elif path.name.endswith(".toml"):
                assert tomllib.loads(text) == tomllib.loads(twin_text)
            elif path.name == "README.md":
                assert "<script>" not in text and "&lt;script&gt;" in text
                heading = text.splitlines()[0]
                assert heading.startswith("# Starter: ") and "§evil" in heading
                assert len(text.splitlines()) == len(twin_text.splitlines()), "no line breaks injected"
            else:
                assert text == twin_text, f"{path}: profile text reached a code or build file"
        if runtime in ("lambda", "ecs_fargate", "ecs_ec2"):
            assert ("template.yaml", ("Metadata", "Advisor", "WorkloadName")) in seen
        else:
            assert ("namespace.yaml", ("metadata", "annotations", "advisor.aws/workload-name")) in seen
    assert not any(outside.iterdir())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(RUNTIMES)


def test_hostile_name_becomes_safe_identifiers() -> None:
    for name in HOSTILE_NAMES:
        label = dns_label(name)
        assert label.startswith("evil") and len(label) <= 63, label
        assert all(c.isascii() and (c.isalnum() or c == "-") for c in label) and label == label.lower()
        assert logical_id(name).isalnum() and logical_id(name)[0].isalpha()
        assert "/" not in safe_file_name(name) and ".." not in safe_file_name(name)


def test_unquoted_profile_text_in_a_template_fails_loudly() -> None:
    with pytest.raises(UnquotedUserTextError):
        environment().from_string("name: {{ name }}").render(name=UserText("x"))
    assert environment().from_string("name: {{ name | yaml }}").render(name=UserText("a: b")) == 'name: "a: b"'


def test_symlink_inside_out_cannot_redirect_writes_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "k8s")
    profile = build_profile({"name": "linked", "workload_type": "http_api"}, "test")
    with pytest.raises(UsageError, match="outside"):
        write_starter(profile, out, runtime="eks")
    assert not any(outside.iterdir())
    assert not [p for p in out.rglob("*") if p.is_file()], "nothing written when one target is unsafe"


def test_rendering_never_uses_the_name_for_paths() -> None:
    profile = build_profile({"name": "../../escape", "workload_type": "http_api"}, "test")
    for runtime in RUNTIMES:
        _, files, _ = render_starter(profile, runtime)  # type: ignore[arg-type]
        assert all(".." not in Path(name).parts and not Path(name).is_absolute() for name in files)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_yaml_and_toml_quoting_round_trip_any_text(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_quote(text)}\n") == {"key": text}
    assert tomllib.loads(f"key = {toml_quote(text)}\n") == {"key": text}
    assert "\n" not in md_escape(text) and "<" not in md_escape(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=130))
def test_names_always_become_valid_identifiers(name: str) -> None:
    import re

    assert re.fullmatch(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?", dns_label(name))
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,63}", logical_id(name))
