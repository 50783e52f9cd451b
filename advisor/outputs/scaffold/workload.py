"""The shape of a workload as every starter config sees it: names for each target, what kind of
process it is (service, worker, job, daemon), its ports and scaling, and the decision with reasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor import RUNTIME_LABELS
from advisor.knowledge.base import knowledge
from advisor.outputs.scaffold.common import (
    UserText,
    default,
    dns_label,
    logical_id,
    schedule_for,
)

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation, RuntimeResult
    from advisor.knowledge.base import KnowledgeBase
    from advisor.profile.fields import WorkloadProfile

L7 = ("http", "grpc", "websocket")
L4 = ("tcp", "udp")


@dataclass(frozen=True)
class Port:
    """One port the container listens on."""

    name: str          # DNS-safe port name (Kubernetes allows 15 characters)
    number: int
    protocol: str      # profile protocol: http, grpc, websocket, tcp, udp
    transport: str     # TCP or UDP

    @property
    def layer7(self) -> bool:
        return self.protocol in L7


@dataclass
class Notes:
    """What a writer adjusted to make values valid for AWS, and warnings for the user."""

    adjustments: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def adjust(self, message: str) -> None:
        if message not in self.adjustments:
            self.adjustments.append(message)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


@dataclass(frozen=True)
class Workload:
    """Everything the templates need that does not depend on the runtime."""

    profile: WorkloadProfile
    runtime: str
    recommendation: Recommendation
    instance_types: dict[str, str]
    label: str
    logical: str
    kind: str                        # service | worker | job | daemon
    ports: tuple[Port, ...]
    health_port: int
    min_count: int
    max_count: int

    @property
    def kb(self) -> KnowledgeBase:
        return knowledge()

    @property
    def result(self) -> RuntimeResult:
        return self.recommendation.result(self.runtime)

    @property
    def feasible(self) -> bool:
        return self.result.feasible

    @property
    def inbound(self) -> bool:
        return self.kind == "service"

    @property
    def l7_ports(self) -> tuple[Port, ...]:
        return tuple(p for p in self.ports if p.layer7)

    @property
    def l4_ports(self) -> tuple[Port, ...]:
        return tuple(p for p in self.ports if not p.layer7)

    @property
    def arm64(self) -> bool:
        return self.profile.arch == "arm64"

    @property
    def windows(self) -> bool:
        return self.profile.os == "windows"

    @property
    def schedule(self) -> Any:
        return schedule_for(self.profile.requests_per_month)

    def context(self) -> dict[str, Any]:
        """Template values shared by every runtime; profile text is wrapped so it must be quoted."""
        p = self.profile
        rec = self.recommendation
        result = self.result
        return {
            "name": UserText(p.name),
            "description": UserText(p.description),
            "label": self.label,
            "logical": self.logical,
            "runtime": self.runtime,
            "runtime_label": RUNTIME_LABELS[self.runtime],
            "recommended": rec.recommendation,
            "recommended_label": RUNTIME_LABELS.get(rec.recommendation or "", "none"),
            "runner_up_label": RUNTIME_LABELS.get(rec.runner_up or "", "none"),
            "confidence": rec.confidence,
            "feasible": result.feasible,
            "reasons": [UserText(r) for r in result.reasons],
            "cautions": [UserText(c) for c in result.cautions],
            "blockers": [UserText(b.message) for b in result.blockers],
            "sizing": UserText(result.sizing),
            "monthly_cost": result.monthly_cost_usd,
            "profile": p,
            "kind": self.kind,
            "ports": self.ports,
            "l7_ports": self.l7_ports,
            "l4_ports": self.l4_ports,
            "health_port": self.health_port,
            "health_path": default("containers.health_path"),
            "min_count": self.min_count,
            "max_count": self.max_count,
            "arm64": self.arm64,
            "windows": self.windows,
            "schedule": self.schedule,
            "run_as_user": default("containers.run_as_user"),
            "windows_user": default("containers.windows_user"),
            "log_retention_days": default("containers.log_retention_days"),
            "version": _version(),
        }


def _version() -> str:
    from advisor import __version__

    return __version__


def _kind(profile: WorkloadProfile, kb: KnowledgeBase) -> str:
    if profile.daemon_per_host:
        return "daemon"
    if profile.workload_type in kb.value("assume.job_workload_types"):
        return "job"
    if profile.workload_type in kb.value("assume.inbound_workload_types"):
        return "service"
    return "worker"


def _ports(profile: WorkloadProfile, kind: str) -> tuple[tuple[Port, ...], int]:
    numbers: dict[str, int] = dict(default("containers.ports"))
    health_port = int(default("containers.health_port"))
    if profile.os == "windows" and profile.language == "dotnet_framework":
        iis = int(default("containers.iis_http_port"))
        numbers.update(http=iis, websocket=iis)
    if kind in ("worker", "job"):
        return (), health_port
    ports: list[Port] = []
    for protocol in profile.protocols:
        number = int(numbers[protocol])
        if any(existing.number == number and existing.layer7 == (protocol in L7) for existing in ports):
            continue  # WebSocket upgrades arrive on the HTTP port
        transport = "UDP" if protocol == "udp" else "TCP"
        ports.append(Port(name=protocol[:15], number=number, protocol=protocol, transport=transport))
    http = next((p for p in ports if p.protocol in ("http", "websocket")), None)
    return tuple(ports), http.number if http else health_port


def build_workload(profile: WorkloadProfile, runtime: str, recommendation: Recommendation,
                   instance_types: dict[str, str]) -> Workload:
    """The runtime-independent shape of `profile` for writing `runtime`'s starter config."""
    kb = knowledge()
    kind = _kind(profile, kb)
    ports, health_port = _ports(profile, kind)
    per_task = float(kb.value("assume.requests_per_task")[profile.workload_type])
    minimum = int(kb.value("assume.min_tasks")[profile.workload_type])
    peak = max(1, math.ceil(profile.peak_concurrency / per_task))
    min_count = max(minimum, 1) if kind in ("service", "worker") else 0
    max_count = max(peak, min_count, 1)
    return Workload(
        profile=profile,
        runtime=runtime,
        recommendation=recommendation,
        instance_types=instance_types,
        label=dns_label(profile.name),
        logical=logical_id(profile.name),
        kind=kind,
        ports=ports,
        health_port=health_port,
        min_count=min_count,
        max_count=max_count,
    )
