"""The importer's parts: safe YAML with CloudFormation tags, unit conversions, interpolation, the
heuristics, the public API and its errors, and that reading a file never executes or fetches anything."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import UsageError
from advisor.importers import ImportedProfile, hints, import_profiles, is_descriptor, profile_data_from_descriptor
from advisor.importers.compose import interpolate_text
from advisor.importers.yamlsafe import load_text, split_documents

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "descriptors"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- safe YAML -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("!Ref Stage", {"Ref": "Stage"}),
    ("!GetAtt Queue.Arn", {"Fn::GetAtt": ["Queue", "Arn"]}),
    ("!GetAtt [Queue, Arn]", {"Fn::GetAtt": ["Queue", "Arn"]}),
    ("!Sub 'x-${Stage}'", {"Fn::Sub": "x-${Stage}"}),
    ("!If [IsProd, 1, 2]", {"Fn::If": ["IsProd", 1, 2]}),
    ("!Join ['-', [a, !Ref B]]", {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}),
    ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
    ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
    ("!FindInMap [M, a, b]", {"Fn::FindInMap": ["M", "a", "b"]}),
    ("!ImportValue shared", {"Fn::ImportValue": "shared"}),
    ("!Base64 abc", {"Fn::Base64": "abc"}),
    ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
    ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
    ("!And [!Condition A, !Not [!Condition B]]",
     {"Fn::And": [{"Condition": "A"}, {"Fn::Not": [{"Condition": "B"}]}]}),
    ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Vault secret/path", "secret/path"),
    ("!SomeTool {a: 1}", {"a": 1}),
])
def test_cloudformation_short_tags_read_as_their_long_form(text: str, expected: object) -> None:
    assert load_text(f"value: {text}") == {"value": expected}


def test_python_tags_are_read_as_plain_data_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (f"a: !!python/object/apply:os.system ['touch {marker}']\n"
            f"b: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"
            "c: !!python/name:os.system\n")
    data = load_text(text)
    assert data["a"] == [f"touch {marker}"]
    assert not marker.exists()
    compose = write(tmp_path / "docker-compose.yml",
                    f"services:\n  api:\n    image: !!python/object/apply:os.system ['touch {marker}']\n")
    import_profiles(compose)
    assert not marker.exists()


def test_pathologically_deep_yaml_is_refused_not_crashed(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.yaml", "services: " + "[" * 5000 + "]" * 5000 + "\n")
    result = import_profiles(path)
    assert result.profiles == ()
    assert "nested too deeply" in result.problems[0]


def test_alias_bombs_are_read_in_bounded_time(tmp_path: Path) -> None:
    lines = ["x-a: &a ['${X:-1}', '${X:-1}', '${X:-1}', '${X:-1}', '${X:-1}', '${X:-1}', '${X:-1}', '${X:-1}']"]
    for level in range(1, 9):
        lines.append(f"x-{chr(97 + level)}: &{chr(97 + level)} [" + ", ".join([f"*{chr(96 + level)}"] * 8) + "]")
    lines.append("services:\n  api:\n    image: node:20\n    labels: *i")
    path = write(tmp_path / "docker-compose.yml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    result = import_profiles(path)
    assert time.perf_counter() - started < 5
    assert [p.name for p in result.profiles] == ["api"]


def test_documents_split_on_separators_keep_their_first_line() -> None:
    text = "# head\n---\na: 1\n--- # note\n# only a comment\n---   {b: 2}\nc: [\n...\n---\nd: 4\n"
    documents = split_documents(text)
    assert [(d.index, d.line) for d in documents] == [(0, 3), (1, 6), (2, 10)]
    assert documents[1].text.startswith("{b: 2}")


def test_one_broken_document_is_skipped_and_the_others_read(tmp_path: Path) -> None:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  template:\n    spec:\n"
                  "      containers: [{name: a, image: 'node:20'}]\n")
    path = write(tmp_path / "all.yaml", deployment % "one" + "---\nkind: [oops\n---\n" + deployment % "two")
    result = import_profiles(path)
    assert [p.name for p in result.profiles] == ["one", "two"]
    assert result.problems == (f"{path}: documents[1] (line 9): not valid YAML "
                               "(line 9: expected ',' or ']', but got '<stream end>'); skipped",)


# --- units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "vcpu"), [("500m", 0.5), ("2", 2), (0.25, 0.25), ("1500m", 1.5), (3, 3)])
def test_kubernetes_cpu(value: object, vcpu: float) -> None:
    assert hints.k8s_cpu(value) == vcpu


@pytest.mark.parametrize(("value", "mb"), [("512Mi", 512), ("1Gi", 1024), ("1G", 953.6743), ("128974848", 123),
                                           ("256M", 244.1406), (134217728, 128), ("1.5Gi", 1536), ("2048Ki", 2)])
def test_kubernetes_memory(value: object, mb: float) -> None:
    assert hints.k8s_memory_mb(value) == mb


@pytest.mark.parametrize(("value", "mb"), [("512M", 512), ("512m", 512), ("1.5g", 1536), ("1gb", 1024),
                                           ("2048k", 2), (1073741824, 1024), ("300MB", 300)])
def test_compose_memory(value: object, mb: float) -> None:
    assert hints.compose_memory_mb(value) == mb


@pytest.mark.parametrize(("value", "vcpu"), [("1024", 1), ("256", 0.25), ("2 vCPU", 2), ("0.5 vcpu", 0.5), (4096, 4)])
def test_ecs_cpu(value: object, vcpu: float) -> None:
    assert hints.ecs_cpu_vcpu(value) == vcpu


@pytest.mark.parametrize(("value", "mb"), [("2048", 2048), ("4 GB", 4096), ("0.5GB", 512), (512, 512)])
def test_ecs_memory(value: object, mb: float) -> None:
    assert hints.ecs_memory_mb(value) == mb


@pytest.mark.parametrize("converter", [hints.k8s_cpu, hints.k8s_memory_mb, hints.compose_memory_mb,
                                       hints.ecs_cpu_vcpu, hints.ecs_memory_mb])
@pytest.mark.parametrize("value", ["lots", "{{ .Values.cpu }}", True, "", "1 parsec"])
def test_unit_converters_refuse_what_is_not_a_quantity(converter: object, value: object) -> None:
    with pytest.raises(ValueError):
        converter(value)  # type: ignore[operator]


@pytest.mark.parametrize(("schedule", "runs"), [
    ("rate(5 minutes)", 8766), ("rate(1 hour)", 730.5), ("rate(1 day)", 30.4), ("cron(0 2 * * ? *)", 30.4),
    ("*/15 * * * *", 2922), ("@daily", 30.4), ("@hourly", 730.5), ("@weekly", 4.3), ("@monthly", 1),
    ("0 2 * * 1-5", 21.7), ("0 9 1 * *", 1), ("0 0 1 1 *", 0.1), ("cron(0/10 8-17 ? * MON-FRI *)", 1304.5),
    ("30 6 * * SUN", 4.3), ("0 */6 * * *", 121.8),
])
def test_schedules_become_runs_per_month(schedule: str, runs: float) -> None:
    assert hints.schedule_runs_per_month(schedule) == runs


@pytest.mark.parametrize("schedule", ["sometimes", "cron(0 2 * *)", "* * *", "rate(0 minutes)"])
def test_unreadable_schedules_are_refused(schedule: str) -> None:
    with pytest.raises(ValueError):
        hints.schedule_runs_per_month(schedule)


# --- compose interpolation ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("${MEM:-512M}", "512M"), ("${MEM-1g}", "1g"), ("$${LITERAL}", "${LITERAL}"), ("cost $$5", "cost $5"),
    ("${A:+set}", ""), ("${A:-${B:-3}}", "3"), ("${REG:-ghcr.io/acme}/api:${TAG:-1.0}", "ghcr.io/acme/api:1.0"),
    ("no variables", "no variables"),
])
def test_interpolation_uses_defaults_only(text: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEM", "64G")  # the environment is never read: the result does not depend on the machine
    assert interpolate_text(text) == value


@pytest.mark.parametrize(("text", "value", "unset"), [
    ("${MEM}", "", ["${MEM}"]), ("$MEM", "", ["$MEM"]), ("${A:-${B}}", "", ["${B}"]),
    ("${IMMICH_PORT-:2283:2283}", ":2283:2283", []), ("$UNSET:80/tcp", ":80/tcp", ["$UNSET"]),
])
def test_an_unset_variable_becomes_an_empty_string_with_a_warning(text: str, value: str, unset: list[str]) -> None:
    """As Compose does: no default means an empty string and a warning (the environment is never read)."""
    warnings: list[str] = []
    assert interpolate_text(text, warnings) == value
    assert [w.split(" ", 1)[0] for w in warnings] == unset
    assert all("Compose substitutes an empty string" in w for w in warnings)


def test_a_required_variable_is_unresolved() -> None:
    value = interpolate_text("${MEM:?set it}")
    assert isinstance(value, hints.Unresolved)
    assert "${MEM} must be set (set it)" in value.reason
    assert value.original == "${MEM:?set it}"


# --- heuristics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "protocol"), [
    ((8080,), "http"), ((443,), "http"), ((50051,), "grpc"), ((5432,), "tcp"), ((53, "UDP"), "udp"),
    ((9000, "tcp", "grpc-api"), "grpc"), ((9000, "tcp", "http-alt"), "http"),
    ((9000, "TCP", None, "kubernetes.io/h2c"), "http"), ((9000, "tcp", None, "grpc"), "grpc"),
    ((7000, "tcp", "ws"), "websocket"), ((7000, "tcp", None, None, True), "http"),
    ((1935,), "tcp"), ((9100, "tcp", "metrics"), "http"),
])
def test_port_protocols(args: tuple[object, ...], protocol: str) -> None:
    assert hints.port_protocol(*args) == protocol  # type: ignore[arg-type]


@pytest.mark.parametrize(("image", "language", "windows"), [
    ("python:3.12-slim", "python", False), ("docker.io/library/node:20-alpine", "node", False),
    ("eclipse-temurin:21-jre", "java", False), ("amazoncorretto:21", "java", False), ("golang:1.22", "go", False),
    ("mcr.microsoft.com/dotnet/aspnet:8.0", "dotnet", False),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022", "dotnet", True),
    ("mcr.microsoft.com/dotnet/framework/aspnet:4.8", "dotnet_framework", True),
    ("mcr.microsoft.com/windows/servercore:ltsc2022", None, True),
    ("public.ecr.aws/lambda/python:3.12", "python", False), ("gcr.io/distroless/java21-debian12", "java", False),
    ("ghcr.io/acme/orders:1.4@sha256:abc", None, False), ("localhost:5000/ruby:3.3", "ruby", False),
    ("{{ .Values.image }}", None, False),
])
def test_images_hint_language_and_windows(image: str, language: str | None, windows: bool) -> None:
    assert hints.image_language(image) == language
    assert hints.image_is_windows(image) is windows


@pytest.mark.parametrize(("path", "kind"), [("/proc", "system"), ("/var/run/docker.sock", "system"), ("/", "system"),
                                            ("/mnt/nvme0", "data"), ("/data/pg", "data"), ("/etc/ssl", "system")])
def test_host_paths(path: str, kind: str) -> None:
    assert hints.host_path_kind(path) == kind


# --- the API -------------------------------------------------------------------------------------


def test_is_descriptor_tells_descriptors_from_profiles(tmp_path: Path) -> None:
    for case in ("compose/shop/docker-compose.yml", "k8s/app", "k8s/app/api.yaml", "k8s/train-list.json",
                 "ecs/web-taskdef.json", "ecs/pos-sync-taskdef.yaml", "cfn/sam-orders.yaml",
                 "cfn/lambda-functions.json"):
        assert is_descriptor(CORPUS / case), case
    for example in sorted((REPO / "examples").glob("*.yaml")):
        assert not is_descriptor(example), example
    assert not is_descriptor(tmp_path / "missing.yaml")
    assert not is_descriptor(tmp_path)
    # A Helm values file is no profile: importing it explains what it is and what to render first.
    values = write(tmp_path / "values.yaml", "replicaCount: 2\nimage: {tag: x}\n")
    assert is_descriptor(values)
    with pytest.raises(UsageError, match=r"a Helm chart's values file .*`helm template RELEASE CHART -f "):
        import_profiles(values)
    assert is_descriptor(write(tmp_path / "compose.yaml", "services: [broken\n")), "a compose file by its name"
    assert not is_descriptor(write(tmp_path / "notes.txt", "services: {}\n"))


def test_a_missing_path_or_a_plain_profile_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        import_profiles(tmp_path / "nope.yml")
    with pytest.raises(UsageError, match="not a compose file, Kubernetes manifest, ECS task definition or "
                                         "CloudFormation/SAM template"):
        import_profiles(REPO / "examples" / "orders-api.yaml")
    with pytest.raises(UsageError, match=r"no \.yaml, \.yml or \.json files"):
        import_profiles(tmp_path)


def test_unreadable_files_in_a_directory_are_reported_and_skipped(tmp_path: Path) -> None:
    write(tmp_path / "app.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                                 "  containers: [{name: web, image: 'nginx:1.27', ports: [{containerPort: 80}]}]\n")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    write(tmp_path / "values.yaml", "replicaCount: 1\n")
    write(tmp_path / "notes.yaml", "just: a mapping\n")
    write(tmp_path / ".hidden" / "secret.yaml", "apiVersion: v1\nkind: Pod\n")
    result = import_profiles(tmp_path)
    assert [p.name for p in result.profiles] == ["web"]
    assert result.profiles[0].data["workload_type"] == "http_api"
    assert result.problems == (f"{tmp_path / 'binary.yaml'}: not valid UTF-8 text (line 1 holds the byte 0xff); "
                               "skipped",), \
        "other data files in a directory (values.yaml, package.json) are not descriptors and not problems"


def test_profile_data_from_descriptor_returns_exactly_one_profile() -> None:
    only = profile_data_from_descriptor(CORPUS / "ecs" / "web-taskdef.json")
    assert isinstance(only, ImportedProfile)
    assert only.name == "storefront-web"
    named = profile_data_from_descriptor(CORPUS / "compose" / "shop" / "docker-compose.yml", service="api")
    assert named.data["vcpu"] == 1.5
    with pytest.raises(UsageError, match=r"holds 4 workloads \(web, api, db, recommender\); choose one by name"):
        profile_data_from_descriptor(CORPUS / "compose" / "shop" / "docker-compose.yml")
    with pytest.raises(UsageError, match=r"no workload named 'apu'; it holds: web, api, db, recommender"):
        profile_data_from_descriptor(CORPUS / "compose" / "shop" / "docker-compose.yml", service="apu")
    with pytest.raises(UsageError, match="no workload found to import"):
        profile_data_from_descriptor(CORPUS / "ecs" / "broken-taskdef.json")


def test_the_same_name_in_two_files_is_made_unique(tmp_path: Path) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: %s}\n"
           "spec:\n  containers: [{name: a, image: x}]\n")
    write(tmp_path / "dev.yaml", pod % "dev")
    write(tmp_path / "prod.yaml", pod % "prod")
    result = import_profiles(tmp_path)
    assert [p.name for p in result.profiles] == ["api", "api-2"]
    assert result.profiles[1].data["name"] == "api-2"
    assert result.problems == (f"{tmp_path / 'prod.yaml'}: metadata.name: the name 'api' is already used; "
                               "imported as 'api-2'",)


def test_extends_loops_and_missing_files_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "docker-compose.yml", """\
services:
  a: {extends: b, image: 'node:20', mem_limit: 256m}
  b: {extends: a, cpus: 2}
  c: {extends: {file: missing.yml, service: x}, image: 'python:3.12'}
""")
    result = import_profiles(path)
    profiles = {p.name: p.data for p in result.profiles}
    assert profiles["a"]["vcpu"] == 2 and profiles["a"]["memory_mb"] == 256
    assert profiles["c"]["language"] == "python"
    assert result.problems == (
        f"{path}: services.b.extends: extends goes round in a circle at 'a'; stopped",
        f"{path}: services.a.extends: extends goes round in a circle at 'b'; stopped",
        f"{path}: services.c.extends.file: {tmp_path / 'missing.yml'} is not a readable compose file; skipped",
    )


def test_kubernetes_hints_from_rbac_and_custom_resources(tmp_path: Path) -> None:
    base = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: ops}\nspec:\n  template:\n"
            "    spec:\n      serviceAccountName: %s\n      containers: [{name: a, image: x}]\n")
    binding = ("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: r, namespace: ops}\n"
               "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n"
               "subjects: [{kind: ServiceAccount, name: controller}]\n")
    path = write(tmp_path / "rbac.yaml", base % ("controller", "controller") + "---\n" + base % ("web", "default")
                 + binding)
    profiles = {p.name: p for p in import_profiles(path).profiles}
    assert profiles["controller"].data["kubernetes_native"] is True
    assert profiles["controller"].provenance["kubernetes_native"].path == "documents[2].subjects"
    assert "kubernetes_native" not in profiles["web"].data
    # A ServiceMonitor that selects nothing here, and a KEDA ScaledObject for another name, are about
    # other workloads: they neither make this one Kubernetes-native nor pass unmentioned.
    write(tmp_path / "monitor.yaml", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n"
                                     "metadata: {name: web}\nspec: {}\n---\napiVersion: keda.sh/v1alpha1\n"
                                     "kind: ScaledObject\nmetadata: {name: s, namespace: ops}\n"
                                     "spec: {scaleTargetRef: {name: other}}\n")
    result = import_profiles(tmp_path)
    profiles = {p.name: p for p in result.profiles}
    assert "kubernetes_native" not in profiles["web"].data
    assert any("ServiceMonitor web" in n and "monitoring or routing configuration" in n for n in result.notes)
    assert any("ScaledObject s" in n and "selects no imported workload" in n for n in result.notes)


def test_only_objects_that_select_or_target_a_workload_count_for_it(tmp_path: Path) -> None:
    write(tmp_path / "app.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: a, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  template:
    metadata: {labels: {app: worker}}
    spec: {containers: [{name: a, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {svc: web}}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: monitoring}
spec: {namespaceSelector: {matchNames: [shop]}, selector: {matchLabels: {svc: web}}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker-scaler, namespace: shop}
spec: {scaleTargetRef: {name: worker}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
""")
    result = import_profiles(tmp_path)
    profiles = {p.name: p for p in result.profiles}
    assert "kubernetes_native" not in profiles["web"].data, "monitoring and ingress are a note, not a dependency"
    assert "ServiceMonitor web (monitoring.coreos.com) selects it" in profiles["web"].data["description"]
    assert profiles["worker"].data["kubernetes_native"] is True
    assert profiles["worker"].provenance["kubernetes_native"].original == \
        "keda.sh/v1alpha1 ScaledObject targets it (scaleTargetRef)"
    assert result.notes == (f"skipped {tmp_path / 'app.yaml'}: documents[5]: Ingress web (networking.k8s.io/v1): "
                            f"not a workload (configuration, access or routing the workloads use)",)


# --- nothing is executed or fetched --------------------------------------------------------------


def test_importing_the_corpus_opens_no_connection_and_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the importer tried to reach out: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    monkeypatch.chdir(CORPUS)
    total = sum(len(import_profiles(Path(folder)).profiles) for folder in ("compose/shop", "compose/extends",
                                                                           "compose/broken", "k8s", "ecs", "cfn"))
    assert total == 36


# --- any text at all ------------------------------------------------------------------------------

_TOKENS = [*"ab:-[]{}'\"!&*$#\n |>0123456789.", "services", "image", "apiVersion", "kind", "{{", "${", "Resources",
           "containerDefinitions", "  ", "- "]
_YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_YAMLISH, name=st.sampled_from(["docker-compose.yml", "manifest.yaml", "taskdef.json", "template.yaml"]))
def test_any_text_gives_profiles_or_a_clear_problem_never_a_crash(tmp_path: Path, text: str, name: str) -> None:
    path = write(tmp_path / name, text)
    try:
        result = import_profiles(path)
    except UsageError as exc:
        assert str(path) in str(exc)
        return
    for problem in result.problems:
        assert problem.startswith(str(path))
    for profile in result.profiles:
        assert profile.name and set(profile.provenance) == set(profile.data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cpus=st.one_of(st.floats(0.01, 64), st.text(max_size=8)), memory=st.one_of(st.integers(-5, 10**12),
                                                                                 st.text(max_size=8)))
def test_compose_resources_are_valid_or_reported(tmp_path: Path, cpus: object, memory: object) -> None:
    service = {"services": {"api": {"image": "node:20", "deploy": {"resources": {"limits": {"cpus": cpus,
                                                                                            "memory": memory}}}}}}
    path = write(tmp_path / "docker-compose.yml", yaml.safe_dump(service))
    result = import_profiles(path)
    profile = result.profiles[0]
    from advisor.profile.fields import build_profile

    build_profile(profile.data)
    for field, key in (("vcpu", "cpus"), ("memory_mb", "memory")):
        reported = any(f"limits.{key}:" in p for p in result.problems)
        assert (field in profile.data) != reported, (field, result.problems)
