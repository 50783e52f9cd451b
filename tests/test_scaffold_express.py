"""ECS Express Mode in the ECS on Fargate starter, and no pointer to closed or ended AWS tools."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advisor.api import render_starter
from advisor.profile.fields import build_profile

REPO = Path(__file__).resolve().parents[1]


class _CfnLoader(yaml.SafeLoader):
    """Safe loading that keeps CloudFormation's short-form tags (!Ref, !GetAtt, !Sub) as plain text."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: f"{suffix} {loader.construct_scalar(node)}"
                                 if isinstance(node, yaml.ScalarNode) else None)


def _files(**fields) -> dict[str, str]:
    _, files, _ = render_starter(build_profile({"name": "shop-api", **fields}), runtime="ecs_fargate")
    return files


def test_a_single_http_service_gets_an_express_mode_template_sized_like_the_task() -> None:
    files = _files(workload_type="http_api", containerized=True, vcpu=2, memory_mb="5GB")
    assert "express.yaml" in files
    express = yaml.load(files["express.yaml"], Loader=_CfnLoader)
    service = next(r for r in express["Resources"].values() if r["Type"] == "AWS::ECS::ExpressGatewayService")
    template = yaml.load(files["template.yaml"], Loader=_CfnLoader)
    task = next(r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition")
    assert (service["Properties"]["Cpu"], service["Properties"]["Memory"]) == \
        (str(task["Properties"]["Cpu"]), str(task["Properties"]["Memory"]))
    assert service["Properties"]["InfrastructureRoleArn"] and service["Properties"]["PrimaryContainer"]["Image"]
    assert "ECS Express Mode" in files["README.md"] and "REPLACE_ME_IMAGE_URI" in files["README.md"]


@pytest.mark.parametrize("fields", [
    {"workload_type": "queue_worker"},
    {"workload_type": "batch_job", "max_duration_s": "2h"},
    {"workload_type": "http_api", "os": "windows"},
    {"workload_type": "http_api", "persistent_storage": "shared_fs"},
    {"workload_type": "http_api", "protocols": "http;tcp"},
], ids=["worker", "job", "windows", "efs", "extra-port"])
def test_express_mode_is_offered_only_where_it_fits(fields: dict) -> None:
    assert "express.yaml" not in _files(**fields)


def test_the_express_template_quotes_hostile_names() -> None:
    files = _files(workload_type="web_app", description='x" ]: {a: !Ref b} ${AWS::Region} <script>')
    express = yaml.load(files["express.yaml"], Loader=_CfnLoader)
    assert express["Metadata"]["Advisor"]["WorkloadDescription"] == 'x" ]: {a: !Ref b} ${AWS::Region} <script>'


@pytest.mark.parametrize("runtime", ["lambda", "ecs_fargate", "ecs_ec2", "eks"])
def test_no_starter_points_to_copilot_or_app_runner(runtime: str) -> None:
    _, files, _ = render_starter(build_profile({"name": "web", "workload_type": "web_app"}), runtime=runtime)
    for name, text in files.items():
        lowered = text.lower()
        assert "copilot" not in lowered and "app runner" not in lowered and "apprunner" not in lowered, name


def test_no_template_or_user_guide_page_points_to_copilot_or_app_runner() -> None:
    """They may be named only where a line says they closed, ended or are skipped, or cites their status fact."""
    texts = [p for p in (REPO / "advisor" / "templates").rglob("*") if p.is_file()]
    texts += [*(REPO / "docs").glob("*.md"), REPO / "README.md"]
    for path in texts:
        for line in path.read_text(encoding="utf-8", errors="ignore").lower().splitlines():
            if "copilot" in line or "app runner" in line:
                assert any(word in line for word in ("closed", "end of support", "skipped", "_status`")), (path, line)


@pytest.mark.parametrize("fields", [
    {"workload_type": "http_api"}, {"workload_type": "web_app", "protocols": "http;websocket"},
    {"workload_type": "http_api", "protocols": "http;grpc"}, {"workload_type": "queue_worker"},
    {"workload_type": "web_app", "os": "windows"},
], ids=["api", "websocket", "grpc", "worker", "windows"])
def test_the_express_mode_reason_appears_exactly_when_the_starter_has_express_yaml(fields: dict) -> None:
    from advisor.api import recommend

    result = recommend(build_profile({"name": "shop-api", **fields})).to_dict()
    fargate = next(r for r in result["ranking"] if r["runtime"] == "ecs_fargate")
    mentioned = any("ECS Express Mode" in reason for reason in fargate["reasons"])
    assert mentioned == ("express.yaml" in _files(**fields))
