"""write_starter's contract: the recommended runtime by default, values made valid for AWS (and said
so), existing files protected, atomic writes, and every placeholder explained in the README."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scaffold_support import RUNTIMES, load_yaml_documents

from advisor.api import recommend, render_starter, write_starter
from advisor.errors import OutputExistsError, UsageError
from advisor.knowledge.base import knowledge
from advisor.outputs.scaffold import StarterResult
from advisor.outputs.scaffold.common import fargate_size, schedule_for
from advisor.outputs.scaffold.readme import PLACEHOLDER, PLACEHOLDER_HELP
from advisor.profile.fields import build_profile


def _profile(**fields: object) -> object:
    return build_profile({"name": "api-test", **fields}, "test")


def _resources(files: dict[str, str]) -> dict[str, dict]:
    (template,) = yaml.load_all(files["template.yaml"], Loader=_loader())
    return template["Resources"]


def _loader() -> type:
    from test_scaffold_support import CfnSafeLoader

    return CfnSafeLoader


def test_default_runtime_is_the_recommendation(tmp_path: Path) -> None:
    profile = _profile(workload_type="event_handler", language="python", ops_capacity="none",
                       priority_simplicity=5, traffic_pattern="spiky")
    expected = recommend(profile).recommendation  # type: ignore[arg-type]
    result = write_starter(profile, tmp_path / "out")  # type: ignore[arg-type]
    assert isinstance(result, StarterResult) and result.runtime == expected
    assert (tmp_path / "out" / "README.md").read_text().count("advisor recommends **") == 1


def test_no_feasible_runtime_asks_for_one(tmp_path: Path) -> None:
    profile = _profile(gpu=64, workload_type="ml_training")
    assert recommend(profile).recommendation is None  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="Name a runtime"):  # the library names no CLI flag
        write_starter(profile, tmp_path / "out")  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()
    result = write_starter(profile, tmp_path / "out", runtime="ecs-ec2")  # type: ignore[arg-type]
    assert result.runtime == "ecs_ec2" and any("not feasible" in w for w in result.warnings)
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "is not feasible for this profile" in readme and "GPU" in readme


def test_unknown_runtime_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="use one of"):
        write_starter(_profile(), tmp_path, runtime="kubernetes")  # type: ignore[arg-type]


def test_existing_files_are_listed_and_kept_unless_forced(tmp_path: Path) -> None:
    profile = _profile(workload_type="http_api")
    out = tmp_path / "out"
    out.mkdir()
    (out / "template.yaml").write_text("mine\n")
    with pytest.raises(OutputExistsError) as caught:
        write_starter(profile, out, runtime="lambda")  # type: ignore[arg-type]
    assert "template.yaml" in str(caught.value) and "--force" in str(caught.value)
    assert (out / "template.yaml").read_text() == "mine\n"
    assert [p.name for p in out.iterdir()] == ["template.yaml"], "nothing written when refusing"
    result = write_starter(profile, out, runtime="lambda", force=True)  # type: ignore[arg-type]
    assert (out / "template.yaml").read_text() != "mine\n"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")], "no temporary files left"
    assert {p.resolve() for p in out.rglob("*") if p.is_file()} == {p.resolve() for p in result.files}


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        write_starter(_profile(), tmp_path / "file", runtime="eks")  # type: ignore[arg-type]


def test_lambda_values_are_clamped_and_reported() -> None:
    kb = knowledge()
    profile = _profile(workload_type="queue_worker", memory_mb=64, max_duration_s="2h", ephemeral_storage_gb=20,
                       language="node", arch="arm64")
    _, files, notes = render_starter(profile, "lambda")  # type: ignore[arg-type]
    function = next(r for r in _resources(files).values() if r["Type"] == "AWS::Serverless::Function")
    props = function["Properties"]
    assert props["MemorySize"] == kb.number("lambda.memory_min_mb")
    assert props["Timeout"] == kb.number("lambda.timeout_s")
    assert props["EphemeralStorage"]["Size"] == kb.number("lambda.ephemeral_storage_max_mb")
    assert props["Architectures"] == ["arm64"] and props["Runtime"].startswith("nodejs")
    adjusted = " ".join(notes.adjustments)
    assert "raised to the Lambda minimum" in adjusted and "Lambda timeout limit" in adjusted
    from advisor.outputs.scaffold.common import md_escape

    for adjustment in notes.adjustments:
        assert f"- {md_escape(adjustment)}" in files["README.md"]
    queue = _resources(files)["Queue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * props["Timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 1


def test_lambda_cpu_need_raises_memory() -> None:
    profile = _profile(workload_type="http_api", vcpu=2, memory_mb=512, language="python")
    _, files, notes = render_starter(profile, "lambda")  # type: ignore[arg-type]
    function = next(r for r in _resources(files).values() if r["Type"] == "AWS::Serverless::Function")
    assert function["Properties"]["MemorySize"] == math.ceil(2 * knowledge().number("lambda.mb_per_vcpu"))
    assert any("vcpu 2 needs" in a for a in notes.adjustments)


@pytest.mark.parametrize(("workload_type", "event", "extra"), [
    ("http_api", "HttpApi", None), ("web_app", "HttpApi", None), ("queue_worker", "SQS", "DeadLetterQueue"),
    ("scheduled_job", "ScheduleV2", None), ("event_handler", "EventBridgeRule", "InputBucket"),
    ("stream_processor", "Kinesis", "Stream"), ("batch_job", "SQS", "Queue"), ("batch_job/30", "ScheduleV2", None),
])
def test_lambda_event_source_fits_the_workload_type(workload_type: str, event: str, extra: str | None) -> None:
    """Batch jobs run on a schedule when they run at most hourly (30 a month here), else read a queue."""
    kind, _, runs = workload_type.partition("/")
    profile = _profile(workload_type=kind, language="python", requests_per_month=runs or "1M")
    _, files, _ = render_starter(profile, "lambda")  # type: ignore[arg-type]
    resources = _resources(files)
    function = next(r for r in resources.values() if r["Type"] == "AWS::Serverless::Function")
    assert [e["Type"] for e in function["Properties"]["Events"].values()] == [event]
    if extra:
        assert extra in resources
    if event in ("SQS", "Kinesis"):
        assert "Role" in function["Properties"] and "Policies" not in function["Properties"]
    elif event == "HttpApi":
        assert "DeadLetterQueue" not in resources, "synchronous: failures go back to the caller"
    else:
        assert function["Properties"]["Policies"], "SAM policy templates scoped to this stack's resources"
        assert function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS"


@pytest.mark.parametrize(("language", "handler_file"), [
    ("python", "src/app.py"), ("node", "src/app.mjs"), ("java", "src/src/main/java/starter/Handler.java"),
    ("dotnet", "src/Function.cs"), ("ruby", "src/app.rb"), ("go", "src/main.go"), ("rust", "src/src/main.rs"),
])
def test_lambda_handler_stub_in_the_profile_language(language: str, handler_file: str) -> None:
    _, files, notes = render_starter(_profile(workload_type="http_api", language=language), "lambda")  # type: ignore[arg-type]
    assert handler_file in files and not notes.warnings
    function = next(r for r in _resources(files).values() if r["Type"] == "AWS::Serverless::Function")
    from advisor.outputs.scaffold.common import default

    assert function["Properties"]["Runtime"] == default("lambda.runtime_ids")[language]


def test_containerised_lambda_is_an_image_function() -> None:
    _, files, _ = render_starter(_profile(workload_type="http_api", language="python", containerized=True), "lambda")  # type: ignore[arg-type]
    function = next(r for r in _resources(files).values() if r["Type"] == "AWS::Serverless::Function")
    assert function["Properties"]["PackageType"] == "Image" and "Runtime" not in function["Properties"]
    assert "FROM public.ecr.aws/lambda/python" in files["Dockerfile"]


def test_fargate_size_rounds_up_and_says_so() -> None:
    profile = _profile(workload_type="http_api", vcpu=1.5, memory_mb="3GB", ephemeral_storage_gb=30, containerized=True)
    _, files, notes = render_starter(profile, "ecs_fargate")  # type: ignore[arg-type]
    task = next(r for r in _resources(files).values() if r["Type"] == "AWS::ECS::TaskDefinition")["Properties"]
    assert (task["Cpu"], task["Memory"]) == ("2048", "4096")
    assert task["EphemeralStorage"] == {"SizeInGiB": 30}
    assert any("rounded up to the nearest valid Fargate size, 2 vCPU / 4 GB" in a for a in notes.adjustments)
    assert "2 vCPU / 4 GB" in files["README.md"]


@settings(max_examples=150, deadline=None)
@given(vcpu=st.floats(0.01, 20), memory_gb=st.floats(0.1, 130), windows=st.booleans())
def test_fargate_size_is_the_smallest_valid_fit(vcpu: float, memory_gb: float, windows: bool) -> None:
    kb = knowledge()
    key = "ecs_fargate.sizes_windows" if windows else "ecs_fargate.sizes_linux"
    valid = [(float(e["vcpu"]), float(m)) for e in kb.value(key) for m in e["memory_gb"]]
    size = fargate_size(kb, vcpu, memory_gb * 1024, "windows" if windows else "linux")
    assert (size.vcpu, size.memory_gb) in valid
    fitting = [v for v in valid if v[0] >= vcpu - 1e-9 and v[1] >= memory_gb - 1e-9]
    if fitting:
        assert size.fits and (size.vcpu, size.memory_gb) == min(fitting)
    else:
        assert not size.fits and (size.vcpu, size.memory_gb) == max(valid)


def test_ecs_shapes_follow_the_profile() -> None:
    job = render_starter(_profile(workload_type="batch_job", containerized=True), "ecs_fargate")[1]  # type: ignore[arg-type]
    kinds = {r["Type"] for r in _resources(job).values()}
    assert "AWS::Scheduler::Schedule" in kinds and "AWS::ECS::Service" not in kinds
    assert "FARGATE_SPOT" in job["template.yaml"]
    api = render_starter(_profile(workload_type="http_api", protocols="http;tcp", containerized=True),  # type: ignore[arg-type]
                         "ecs_fargate")[1]
    resources = _resources(api)
    lbs = sorted(r["Properties"]["Type"] for r in resources.values()
                 if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert lbs == ["application", "network"]
    service = next(r for r in resources.values() if r["Type"] == "AWS::ECS::Service")["Properties"]
    assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    repo = resources["Repository"]["Properties"]
    assert repo["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert "LifecyclePolicyText" in repo["LifecyclePolicy"]


def test_ecs_ec2_gpu_daemon_privileged_and_hybrid() -> None:
    gpu = render_starter(_profile(workload_type="ml_inference", gpu=1, containerized=True), "ecs_ec2")[1]  # type: ignore[arg-type]
    assert "/gpu/recommended/image_id" in gpu["template.yaml"]
    task = next(r for r in _resources(gpu).values() if r["Type"] == "AWS::ECS::TaskDefinition")["Properties"]
    assert task["ContainerDefinitions"][0]["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]
    assert "Privileged" not in task["ContainerDefinitions"][0] and task["NetworkMode"] == "awsvpc"
    agent = render_starter(_profile(daemon_per_host=True, privileged=True, host_networking=True, hybrid="edge",  # type: ignore[arg-type]
                                    containerized=True), "ecs_ec2")
    resources = _resources(agent[1])
    service = next(r for r in resources.values() if r["Type"] == "AWS::ECS::Service")["Properties"]
    assert service["SchedulingStrategy"] == "DAEMON"
    task = next(r for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition")["Properties"]
    assert task["NetworkMode"] == "host" and task["ContainerDefinitions"][0]["Privileged"] is True
    assert "ECS Anywhere" in agent[1]["README.md"] and "AnywhereRole" in resources


def test_eks_auto_mode_gpu_group_and_workload_kinds() -> None:
    small = render_starter(_profile(workload_type="http_api", ops_capacity="none", containerized=True), "eks")[1]  # type: ignore[arg-type]
    assert yaml.safe_load(small["cluster.yaml"])["autoModeConfig"] == {"enabled": True,
                                                                       "nodePools": ["general-purpose", "system"]}
    assert {"k8s/deployment.yaml", "k8s/hpa.yaml", "k8s/pdb.yaml", "k8s/ingress.yaml",
            "k8s/networkpolicy.yaml"} <= set(small)
    team = render_starter(_profile(workload_type="ml_training", gpu=2, ops_capacity="platform_team",  # type: ignore[arg-type]
                                   containerized=True), "eks")[1]
    cluster = yaml.safe_load(team["cluster.yaml"])
    assert "autoModeConfig" not in cluster
    gpu_group = next(g for g in cluster["managedNodeGroups"] if g["name"] == "gpu")
    assert gpu_group["taints"][0]["key"] == "nvidia.com/gpu"
    job = yaml.safe_load(team["k8s/job.yaml"])
    assert job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 2
    cron = render_starter(_profile(workload_type="scheduled_job", requests_per_month=720), "eks")[1]  # type: ignore[arg-type]
    assert yaml.safe_load(cron["k8s/cronjob.yaml"])["spec"]["schedule"] == "0 * * * *"
    daemon = render_starter(_profile(daemon_per_host=True, host_networking=True), "eks")[1]  # type: ignore[arg-type]
    assert yaml.safe_load(daemon["k8s/daemonset.yaml"])["spec"]["template"]["spec"]["hostNetwork"] is True


def test_eks_pods_are_locked_down() -> None:
    files = render_starter(_profile(workload_type="http_api", containerized=True), "eks")[1]  # type: ignore[arg-type]
    pod = yaml.safe_load(files["k8s/deployment.yaml"])["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}}
    assert {"readinessProbe", "livenessProbe"} <= set(container)
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_placeholder_is_explained_in_the_readme(runtime: str) -> None:
    profile = _profile(workload_type="http_api", containerized=True, hybrid="on_prem", language="other")
    _, files, _ = render_starter(profile, runtime)  # type: ignore[arg-type]
    readme = files["README.md"]
    tokens = {t for path, text in files.items() for t in PLACEHOLDER.findall(text)}
    assert tokens, "a starter always has something to fill in"
    for token in tokens:
        assert f"| `{token}` | {PLACEHOLDER_HELP[token]}" in readme
    assert not re.search(r"\b(TODO|FIXME|CHANGEME|<your)", "\n".join(files.values()))


@pytest.mark.parametrize("runtime", RUNTIMES[1:])
def test_every_container_starter_has_a_hardened_dockerfile(runtime: str) -> None:
    for language in ("python", "node", "java", "go", "rust", "dotnet", "ruby", "other"):
        files = render_starter(_profile(language=language, containerized=True), runtime)[1]  # type: ignore[arg-type]
        dockerfile = files["Dockerfile"]
        froms = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
        assert len(froms) >= 2, "multi-stage"
        assert all("@sha256:REPLACE_ME_" in line for line in froms), "pinned by a digest placeholder"
        assert re.search(r"^USER \d+:\d+$", dockerfile, re.M), "non-root numeric user"
        assert ".git" in files[".dockerignore"]


def test_schedule_matches_runs_per_month() -> None:
    assert schedule_for(30).rate == "rate(1 day)" and schedule_for(30).cron == "0 3 * * *"
    assert schedule_for(720).rate == "rate(1 hour)"
    assert schedule_for(1).rate == "rate(30 days)"
    assert schedule_for(43200 * 2).rate == "rate(1 minute)"
    assert schedule_for(4).words == "once a week"


def test_generated_yaml_is_one_document_each(tmp_path: Path) -> None:
    result = write_starter(_profile(workload_type="web_app", protocols="http;udp", containerized=True),  # type: ignore[arg-type]
                           tmp_path, runtime="eks")
    for path in result.files:
        if path.suffix == ".yaml":
            assert len(load_yaml_documents(path)) == 1 or path.name == "service.yaml"
