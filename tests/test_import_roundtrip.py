"""Round trip: a starter config written by `advisor.outputs.scaffold.write_starter` for a profile, read back by
`import_profiles`, gives back the fields that shaped it.

Each case lists the fields the starter encodes for that runtime. Where a starter deliberately writes
something else, the case says what comes back and why (Lambda cannot serve gRPC, so its starter
serves HTTP only; a batch job's starter runs it on a schedule; `web_app` and `http_api` are the same
deployment).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.importers import import_profiles
from advisor.profile.fields import build_profile

API = {"name": "orders-api", "workload_type": "http_api", "containerized": True, "language": "python", "vcpu": 1,
       "memory_mb": 2048, "arch": "arm64", "protocols": ["http", "grpc"], "max_duration_s": 20}
AGENT = {"name": "node-agent", "containerized": True, "language": "go", "vcpu": 0.25, "memory_mb": 256,
         "privileged": True, "host_networking": True, "daemon_per_host": True, "arch": "x86_64"}
TRAINER = {"name": "trainer", "workload_type": "batch_job", "containerized": True, "gpu": 1, "vcpu": 4,
           "memory_mb": 16384, "max_duration_s": 7200, "arch": "x86_64"}
NIGHTLY = {"name": "nightly-etl", "workload_type": "scheduled_job", "containerized": True, "vcpu": 2,
           "memory_mb": 4096, "max_duration_s": 600, "requests_per_month": 30, "arch": "x86_64"}
LEGACY = {"name": "legacy-portal", "workload_type": "web_app", "os": "windows", "arch": "x86_64",
          "language": "dotnet_framework", "containerized": True, "vcpu": 2, "memory_mb": 4096}
DNS = {"name": "resolver", "containerized": True, "protocols": ["udp", "grpc"], "vcpu": 0.5, "memory_mb": 1024,
       "arch": "arm64"}
THUMBS = {"name": "thumbs", "workload_type": "event_handler", "containerized": False, "language": "node",
          "memory_mb": 1536, "vcpu": 0.5, "max_duration_s": 60, "arch": "arm64"}  # 0.5 vCPU fits in 1,536 MB

SIZE = ("vcpu", "memory_mb")
CONTAINER = ("workload_type", "containerized", "os", "arch", *SIZE)
CASES: list[tuple[dict[str, Any], str, tuple[str, ...], dict[str, Any]]] = [
    (API, "ecs_fargate", (*CONTAINER, "protocols"), {}),
    (API, "ecs_ec2", (*CONTAINER, "protocols"), {}),
    (API, "eks", (*CONTAINER, "protocols"), {}),
    (API, "lambda", ("workload_type", "containerized", "os", "arch", "memory_mb", "max_duration_s"),
     {"protocols": ["http"]}),
    (AGENT, "ecs_ec2", ("containerized", "os", "arch", *SIZE, "privileged", "host_networking", "daemon_per_host"), {}),
    (AGENT, "eks", ("containerized", "os", "arch", *SIZE, "privileged", "host_networking", "daemon_per_host"), {}),
    (TRAINER, "ecs_ec2", ("containerized", "os", "arch", *SIZE, "gpu"), {"workload_type": "scheduled_job"}),
    (TRAINER, "eks", ("containerized", "os", "arch", *SIZE, "gpu", "max_duration_s"),
     {"workload_type": "scheduled_job"}),
    (NIGHTLY, "lambda", ("workload_type", "os", "arch", "memory_mb", "max_duration_s"), {"requests_per_month": 30.4}),
    (NIGHTLY, "ecs_fargate", (*CONTAINER,), {"requests_per_month": 30.4}),
    (NIGHTLY, "eks", (*CONTAINER, "max_duration_s"), {"requests_per_month": 30.4}),
    (LEGACY, "ecs_fargate", ("containerized", "os", "arch", *SIZE), {"workload_type": "http_api"}),
    (LEGACY, "ecs_ec2", ("containerized", "os", "arch", *SIZE), {"workload_type": "http_api"}),
    (LEGACY, "eks", ("containerized", "os", "arch", *SIZE), {"workload_type": "http_api"}),
    (DNS, "ecs_ec2", ("containerized", "os", "arch", *SIZE, "protocols"), {}),
    (DNS, "eks", ("containerized", "os", "arch", *SIZE, "protocols"), {}),
    (THUMBS, "lambda", ("workload_type", "containerized", "os", "arch", "language", "memory_mb", "max_duration_s"), {}),
]


@pytest.mark.parametrize(("data", "runtime", "fields", "changed"), CASES,
                         ids=[f"{c[0]['name']}-{c[1]}" for c in CASES])
def test_a_starter_read_back_gives_the_fields_that_shaped_it(tmp_path: Path, data: dict[str, Any], runtime: str,
                                                             fields: tuple[str, ...], changed: dict[str, Any]) -> None:
    from advisor.api import write_starter

    profile = build_profile(data)
    write_starter(profile, tmp_path / "starter", runtime=runtime)
    result = import_profiles(tmp_path / "starter")
    assert result.problems == ()
    assert len(result.profiles) == 1, [p.name for p in result.profiles]
    imported = result.profiles[0]
    back = {field: imported.data.get(field) for field in fields}
    want = {field: list(v) if isinstance(v := getattr(profile, field), tuple) else v for field in fields}
    assert back == want
    for field, value in changed.items():
        assert imported.data.get(field) == value, field
    for field in fields:
        assert imported.provenance[field].file.startswith(str(tmp_path / "starter")), field
