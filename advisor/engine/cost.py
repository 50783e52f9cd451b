"""Monthly cost per runtime, vectorised over a frame of profiles (docs/cost-model.md).

Prices come from models/prices.yaml and working assumptions from models/assumptions.yaml; no
price appears in this file. Each runtime gets named line items (USD per month) whose sum is its
`monthly_cost_usd`. A runtime that cannot express the workload at all (no Fargate size, no
instance type) gets NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor import RUNTIMES
from advisor.engine.sizing import fargate_fit, lambda_memory_mb
from advisor.knowledge.base import KnowledgeBase


@dataclass
class CostEstimate:
    """Line items by runtime (arrays of USD per month, one entry per row) and sizing details."""

    lines: dict[str, dict[str, np.ndarray]]
    fargate_vcpu: np.ndarray
    fargate_memory_gb: np.ndarray
    tasks: np.ndarray
    instance_type: dict[str, np.ndarray] = field(default_factory=dict)
    instance_count: dict[str, np.ndarray] = field(default_factory=dict)

    def total(self, runtime: str) -> np.ndarray:
        lines = list(self.lines[runtime].values())
        return np.sum(lines, axis=0) if lines else np.zeros(0)

    def totals(self) -> np.ndarray:
        """Shape (rows, 4) in RUNTIMES order."""
        return np.stack([self.total(r) for r in RUNTIMES], axis=1)


def _tiered(amount: np.ndarray, tiers: list[dict], unit_key: str, per: float) -> np.ndarray:
    """Charge `amount` across price tiers [{up_to_<unit>: N or None, usd: P}], P per `per` units."""
    cost = np.zeros_like(amount, dtype=float)
    lower = 0.0
    for tier in tiers:
        upper = tier.get(unit_key)
        upper_value = np.inf if upper is None else float(upper)
        in_tier = np.clip(amount - lower, 0.0, upper_value - lower)
        cost += in_tier * float(tier["usd"]) / per
        lower = upper_value
        if upper is None:
            break
    return cost


def _by_type(frame: pd.DataFrame, mapping: dict[str, float], column: str = "workload_type") -> np.ndarray:
    return frame[column].map(mapping).to_numpy(dtype=float)


def estimate(frame: pd.DataFrame, kb: KnowledgeBase, free_tier: bool = False) -> CostEstimate:
    """Estimate every runtime's monthly cost for every row of `frame`."""
    n = len(frame)
    hours = kb.number("assume.hours_per_month")
    seconds = hours * 3600.0
    requests = frame["requests_per_month"].to_numpy(dtype=float)
    duration_s = frame["avg_duration_ms"].to_numpy(dtype=float) / 1000.0
    memory_mb = frame["memory_mb"].to_numpy(dtype=float)
    vcpu = frame["vcpu"].to_numpy(dtype=float)
    gpu = frame["gpu"].to_numpy(dtype=float)
    ephemeral_gb = frame["ephemeral_storage_gb"].to_numpy(dtype=float)
    peak = frame["peak_concurrency"].to_numpy(dtype=float)
    arm = (frame["arch"] == "arm64").to_numpy()
    windows = (frame["os"] == "windows").to_numpy()
    job = frame["workload_type"].isin(kb.value("assume.job_workload_types")).to_numpy()
    inbound = frame["workload_type"].isin(kb.value("assume.inbound_workload_types")).to_numpy()
    l7 = frame["proto_http"].to_numpy() | frame["proto_grpc"].to_numpy() | frame["proto_websocket"].to_numpy()
    l4 = frame["proto_tcp"].to_numpy() | frame["proto_udp"].to_numpy()
    rps = requests / seconds

    # ---- Lambda: requests + GB-seconds (+ /tmp over 512 MB) + API Gateway for inbound HTTP
    lambda_mb = lambda_memory_mb(vcpu, memory_mb, kb)
    gb_seconds = requests * duration_s * lambda_mb / 1024.0
    billable_requests = requests
    if free_tier:
        gb_seconds = np.maximum(0.0, gb_seconds - kb.number("price.lambda.free_tier_gb_seconds"))
        billable_requests = np.maximum(0.0, requests - kb.number("price.lambda.free_tier_requests"))
    compute_x86 = _tiered(gb_seconds, kb.value("price.lambda.gb_second.x86_64.tiers"), "up_to_gb_seconds_per_month", 1)
    compute_arm = _tiered(gb_seconds, kb.value("price.lambda.gb_second.arm64.tiers"), "up_to_gb_seconds_per_month", 1)
    extra_tmp_gb = np.maximum(0.0, ephemeral_gb * 1024.0 - kb.number("lambda.ephemeral_storage_default_mb")) / 1024.0
    lambda_lines = {
        "requests": billable_requests / 1e6 * kb.number("price.lambda.requests_per_million"),
        "compute": np.where(arm, compute_arm, compute_x86),
        "ephemeral_storage": requests * duration_s * extra_tmp_gb * kb.number("price.lambda.ephemeral_gb_second"),
        "front_door": np.where(
            inbound,
            _tiered(requests, kb.value("price.apigw.http_api_per_million"), "up_to_requests_per_month", 1e6),
            0.0,
        ),
    }

    # ---- demand in container tasks
    per_task = _by_type(frame, kb.value("assume.requests_per_task"))
    min_tasks = _by_type(frame, kb.value("assume.min_tasks"))
    share = _by_type(frame, kb.value("assume.traffic_peak_share"), "traffic_pattern")
    base_tasks = np.ceil(requests * duration_s / seconds / per_task)
    # A peak far above what the volume implies (often connections or users rather than requests in
    # flight) is capped at a plausible multiple of the average for the traffic pattern.
    peak_cap = np.maximum(1.0, base_tasks) * _by_type(frame, kb.value("assume.peak_to_average_cap"), "traffic_pattern")
    peak_tasks = np.maximum(np.minimum(np.ceil(peak / per_task), peak_cap), base_tasks)
    service_tasks = np.maximum(min_tasks, base_tasks + share * (peak_tasks - base_tasks))
    service_tasks = np.maximum(service_tasks, 1.0)
    tasks = np.where(job, 0.0, service_tasks)

    # ---- front door for containers: ALB for HTTP/gRPC/WebSocket, NLB for TCP/UDP
    gb_per_hour = rps * kb.number("assume.response_kb") * 3600.0 / 1024.0 / 1024.0
    new_connections = rps * kb.number("assume.new_connections_per_request")
    alb_lcu = np.maximum(new_connections / kb.number("price.alb.lcu_new_connections_per_s"),
                         gb_per_hour / kb.number("price.alb.lcu_gb_per_hour"))
    nlb_lcu = np.maximum(new_connections / kb.number("price.nlb.nlcu_new_connections_per_s"),
                         gb_per_hour / kb.number("price.nlb.nlcu_gb_per_hour"))
    alb = hours * (kb.number("price.alb.hour") + alb_lcu * kb.number("price.alb.lcu_hour"))
    nlb = hours * (kb.number("price.nlb.hour") + nlb_lcu * kb.number("price.nlb.nlcu_hour"))
    container_front_door = np.where(inbound, np.where(l7, alb, 0.0) + np.where(l4, nlb, 0.0), 0.0)

    # ---- ECS on Fargate: cheapest valid task size at or above the need
    size_vcpu, size_memory = fargate_fit(kb, vcpu, memory_mb / 1024.0, windows)
    vcpu_hour = np.where(windows, kb.number("price.fargate.windows.vcpu_hour")
                         + kb.number("price.fargate.windows.os_license_vcpu_hour"),
                         np.where(arm, kb.number("price.fargate.linux.arm64.vcpu_hour"),
                                  kb.number("price.fargate.linux.x86_64.vcpu_hour")))
    gb_hour = np.where(windows, kb.number("price.fargate.windows.gb_hour"),
                       np.where(arm, kb.number("price.fargate.linux.arm64.gb_hour"),
                                kb.number("price.fargate.linux.x86_64.gb_hour")))
    extra_disk = np.maximum(0.0, ephemeral_gb - kb.number("ecs_fargate.ephemeral_storage_default_gb"))
    disk_hour = extra_disk * kb.number("price.fargate.ephemeral_gb_hour")
    task_hour = size_vcpu * vcpu_hour + size_memory * gb_hour + disk_hour
    # The Windows minimum charge is unconfirmed (null in models/runtimes.yaml): fall back to Linux's.
    linux_minimum = kb.number("ecs_fargate.linux_billing_minimum_s")
    minimum_s = np.where(windows, kb.number_or("ecs_fargate.windows_billing_minimum_s", linux_minimum),
                         linux_minimum)
    job_task_hours = requests * np.maximum(duration_s, minimum_s) / 3600.0
    fargate_lines = {
        "compute": np.where(job, job_task_hours, tasks * hours) * task_hour,
        "front_door": container_front_door,
    }

    # ---- ECS on EC2 and EKS: pack tasks onto the cheapest instance type that fits one task
    estimate_ = CostEstimate({"lambda": lambda_lines, "ecs_fargate": fargate_lines}, size_vcpu, size_memory, tasks)
    # Unconfirmed (null) in models/prices.yaml: Windows EC2 is then priced without the licence uplift,
    # and a caution says so.
    windows_licence = kb.number_or("price.ec2.windows_license_vcpu_hour", 0.0)
    overhead = kb.number("assume.job_instance_overhead")
    min_instances = kb.number("assume.service_min_instances")
    needs_nvme = (frame["persistent_storage"] == "local_nvme").to_numpy()
    for runtime in ("ecs_ec2", "eks"):
        reserve = float(kb.value("assume.node_reserve_share")[runtime])
        best = np.full(n, np.inf)
        best_type = np.full(n, "", dtype=object)
        best_count = np.zeros(n)
        for entry in kb.value("price.ec2.instances"):
            inst_vcpu, inst_mem = float(entry["vcpu"]), float(entry["memory_gib"]) * 1024.0
            inst_gpu = float(entry.get("gpu") or 0)
            usable = ((entry["arch"] == "arm64") == arm) & ((inst_gpu > 0) == (gpu > 0)) & (inst_gpu >= gpu)
            usable &= ~needs_nvme | bool(entry.get("local_nvme"))
            usable &= ~windows | (entry["arch"] == "x86_64")
            with np.errstate(divide="ignore", invalid="ignore"):
                fit = np.minimum(np.floor(inst_vcpu * (1 - reserve) / vcpu + 1e-9),
                                 np.floor(inst_mem * (1 - reserve) / memory_mb + 1e-9))
                fit = np.where(gpu > 0, np.minimum(fit, np.floor(inst_gpu / np.maximum(gpu, 1))), fit)
            usable &= fit >= 1
            fit = np.maximum(fit, 1.0)
            hourly = float(entry["usd_hour"]) + np.where(windows, windows_licence * inst_vcpu, 0.0)
            service_count = np.maximum(min_instances, np.ceil(tasks / fit))
            job_instance_hours = job_task_hours * overhead / np.clip(fit, 1.0, np.maximum(peak, 1.0))
            cost = np.where(job, job_instance_hours * hourly, service_count * hours * hourly)
            better = usable & (cost < best)
            best = np.where(better, cost, best)
            best_type = np.where(better, entry["type"], best_type)
            best_count = np.where(better, np.where(job, job_instance_hours / hours, service_count), best_count)
        best = np.where(np.isinf(best), np.nan, best)
        lines = {"compute": best, "front_door": container_front_door}
        if runtime == "eks":
            lines["control_plane"] = np.full(n, hours * kb.number("price.eks.control_plane_hour.standard")
                                             * kb.number("assume.eks_clusters_per_workload"))
        estimate_.lines[runtime] = lines
        estimate_.instance_type[runtime] = best_type
        estimate_.instance_count[runtime] = best_count
    return estimate_
