"""Monthly cost per runtime, vectorised over a frame of profiles (docs/cost-model.md).

Prices come from the price book of each row's Region (models/prices.yaml for us-east-1, the
models/prices-<region>.yaml files and any file `advisor prices update` wrote; see
advisor/knowledge/prices.py) and working assumptions from models/assumptions.yaml; no price appears in
this file. Each runtime gets named line items (USD per month) whose sum is its `monthly_cost_usd`;
every runtime has the same line names on every row (zero where a line does not apply). A runtime that
cannot express the workload at all (no Fargate size, no instance type) gets NaN.

`pricing` is how the compute is bought: on-demand, or a 1- or 3-year Compute Savings Plan (no
upfront). Rows marked `interruptible` run their container compute on Spot capacity instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor import RUNTIMES
from advisor.engine.rates import check_pricing, own_value, savings_discount
from advisor.engine.sizing import fargate_fit, lambda_memory_mb
from advisor.knowledge.base import KnowledgeBase
from advisor.knowledge.prices import BASE_REGION, PriceBook, price_book

CONTAINER_RUNTIMES: tuple[str, ...] = ("ecs_fargate", "ecs_ec2", "eks")

LINES: dict[str, tuple[str, ...]] = {
    "lambda": ("requests", "compute", "init", "ephemeral_storage", "front_door_http_api", "front_door_rest_api",
               "front_door_alb", "front_door_websocket_api"),
    "ecs_fargate": ("compute", "ephemeral_storage", "front_door_alb", "front_door_alb_share", "front_door_nlb",
                    "front_door_nlb_share", "network_nat_gateway", "network_nat_gateway_share", "network_public_ipv4",
                    "network_vpc_endpoints", "network_vpc_endpoints_share"),
    "ecs_ec2": ("compute", "front_door_alb", "front_door_alb_share", "front_door_nlb", "front_door_nlb_share",
                "network_nat_gateway", "network_nat_gateway_share", "network_public_ipv4", "network_vpc_endpoints",
                "network_vpc_endpoints_share"),
    "eks": ("compute", "control_plane", "control_plane_share", "front_door_alb", "front_door_alb_share",
            "front_door_nlb", "front_door_nlb_share", "network_nat_gateway", "network_nat_gateway_share",
            "network_public_ipv4", "network_vpc_endpoints", "network_vpc_endpoints_share"),
}
"""Line items by runtime, in display order. `_share` lines are a workload's part of something the
organisation's platform already runs (assume.workloads_per_*)."""


@dataclass(frozen=True)
class CostNote:
    """A caution or reason the cost model adds to one runtime for the rows in `mask`.

    `text` may hold `{fact.key}` placeholders and `{field}` placeholders for the row's profile values.
    """

    runtime: str
    kind: str  # caution | reason
    mask: np.ndarray
    text: str


@dataclass
class CostEstimate:
    """Line items by runtime (arrays of USD per month, one entry per row) and sizing details."""

    lines: dict[str, dict[str, np.ndarray]]
    fargate_vcpu: np.ndarray
    fargate_memory_gb: np.ndarray
    tasks: np.ndarray
    instance_type: dict[str, np.ndarray] = field(default_factory=dict)
    instance_count: dict[str, np.ndarray] = field(default_factory=dict)
    lambda_memory_mb: np.ndarray = field(default_factory=lambda: np.zeros(0))
    demand_floor: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[CostNote] = field(default_factory=list)
    pricing: str = "on-demand"
    books: dict[str, PriceBook] = field(default_factory=dict)

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


def _borrowed_type_notes(book: PriceBook, runtime: str, best_type: np.ndarray, named: np.ndarray) -> list[CostNote]:
    """Cautions for rows whose EC2 capacity is priced on a type the Region's price file has no price for
    (its us-east-1 price is used: one of the book's `borrowed_types`, or the whole `price.ec2.named_instances`)."""
    named_borrowed = "price.ec2.named_instances" in book.borrowed
    if not book.borrowed_types and not named_borrowed:
        return []
    out = []
    for kind in sorted({str(t) for t in best_type.tolist()} - {""}):
        mask = (best_type == kind) & np.where(named, named_borrowed, kind in book.borrowed_types)
        if mask.any():
            out.append(CostNote(runtime, "caution", mask, (
                f"EC2 capacity is priced on {kind} at its us-east-1 price: the advisor has no {book.region} price "
                f"for {kind} (see prices.borrowed_from_us_east_1); refresh the prices for {book.region} from the AWS "
                "Price List for the Region's own figure.")))
    return out


def _by(frame: pd.DataFrame, mapping: dict[str, float], column: str = "workload_type") -> np.ndarray:
    return frame[column].map(mapping).astype(float).to_numpy(dtype=float)


class _NamedTypes:
    """The instance types each row names (`instance_types`), resolved against the instance catalogue.

    A frame holds few distinct lists of names: each is decided once and spread to its rows by code."""

    def __init__(self, frame: pd.DataFrame, catalogue: dict[str, dict]) -> None:
        column = frame["instance_types"] if "instance_types" in frame else pd.Series([()] * len(frame))
        self.codes, uniques = pd.factorize(column)
        self.lists: list[tuple[str, ...]] = [tuple(u) for u in uniques]
        known = sorted({t for names in self.lists for t in names if t in catalogue})
        self.entries: list[dict] = [catalogue[t] for t in known]
        self.some_known = self._rows([any(t in catalogue for t in names) for names in self.lists])

    def _rows(self, hit: list[bool]) -> np.ndarray:
        return np.array([*hit, False], dtype=bool)[self.codes]

    def rows_naming(self, instance_type: str) -> np.ndarray:
        return self._rows([instance_type in names for names in self.lists])

    def notes(self) -> list[CostNote]:
        """Reasons and cautions for rows that name instance types, by runtime priced on EC2."""
        known = {str(e["type"]) for e in self.entries}
        out: list[CostNote] = []
        some_known = self.some_known
        for runtime in ("ecs_ec2", "eks"):
            for names in {tuple(t for t in names if t not in known) for names in self.lists} - {()}:
                mask = self._rows([tuple(t for t in n if t not in known) == names for n in self.lists])
                listed = ", ".join(names)
                out.append(CostNote(runtime, "caution", mask & ~some_known, (
                    f"Instance type {listed} is not in the advisor's price catalogue (price.ec2.instances, "
                    "price.ec2.named_instances): EC2 capacity is priced on the general catalogue instead, "
                    f"which may be far from what {listed} costs; check its price, or refresh the prices from the "
                    "AWS Price List.")))
                out.append(CostNote(runtime, "reason", mask & some_known, (
                    f"Instance type {listed} is not in the advisor's price catalogue; priced on the other named "
                    "types.")))
        return out


def estimate(frame: pd.DataFrame, kb: KnowledgeBase, free_tier: bool = False,
             pricing: str = "on-demand", shared_vpc: bool = False) -> CostEstimate:
    """Estimate every runtime's monthly cost for every row of `frame`, each row at its Region's prices.

    `shared_vpc`: the rows are one organisation's workloads assessed together (a portfolio), so container
    runtimes share a VPC's NAT gateways or endpoints as rows on an existing platform do."""
    check_pricing(pricing)
    n = len(frame)
    regions = frame["region"].astype(str).to_numpy() if "region" in frame else np.full(n, BASE_REGION)
    codes, uniques = pd.factorize(regions)
    books = {str(code): price_book(str(code)) for code in uniques}  # unknown Region: UsageError here
    if len(uniques) <= 1:
        book = books[str(uniques[0])] if len(uniques) else price_book(BASE_REGION)
        out = _estimate_block(frame, book, free_tier, pricing, shared_vpc)
        out.books = books
        return out
    parts = [(np.flatnonzero(codes == i), _estimate_block(frame.iloc[np.flatnonzero(codes == i)], books[str(code)],
                                                          free_tier, pricing, shared_vpc))
             for i, code in enumerate(uniques)]
    merged = _merge(parts, n)
    merged.pricing = pricing
    merged.books = books
    return merged


def _scatter(parts: list[tuple[np.ndarray, np.ndarray]], n: int, text: bool = False) -> np.ndarray:
    out = np.full(n, "", dtype=object) if text else np.full(n, np.nan)
    for index, values in parts:
        out[index] = values
    return out


def _merge(parts: list[tuple[np.ndarray, CostEstimate]], n: int) -> CostEstimate:
    lines = {runtime: {name: _scatter([(i, p.lines[runtime][name]) for i, p in parts], n) for name in names}
             for runtime, names in LINES.items()}
    notes = []
    for index, part in parts:
        for note in part.notes:
            mask = np.zeros(n, dtype=bool)
            mask[index] = note.mask
            notes.append(CostNote(note.runtime, note.kind, mask, note.text))
    return CostEstimate(
        lines=lines,
        fargate_vcpu=_scatter([(i, p.fargate_vcpu) for i, p in parts], n),
        fargate_memory_gb=_scatter([(i, p.fargate_memory_gb) for i, p in parts], n),
        tasks=_scatter([(i, p.tasks) for i, p in parts], n),
        instance_type={r: _scatter([(i, p.instance_type[r]) for i, p in parts], n, True) for r in ("ecs_ec2", "eks")},
        instance_count={r: _scatter([(i, p.instance_count[r]) for i, p in parts], n) for r in ("ecs_ec2", "eks")},
        lambda_memory_mb=_scatter([(i, p.lambda_memory_mb) for i, p in parts], n),
        demand_floor={r: _scatter([(i, p.demand_floor[r]) for i, p in parts], n) for r in CONTAINER_RUNTIMES},
        notes=notes,
    )


def _estimate_block(frame: pd.DataFrame, kb: PriceBook, free_tier: bool, pricing: str,
                    shared_vpc: bool = False) -> CostEstimate:
    """One Region's rows: every line item of every runtime."""
    n = len(frame)
    hours = kb.number("assume.hours_per_month")
    seconds = hours * 3600.0
    requests = frame["requests_per_month"].to_numpy(dtype=float)
    duration_s = frame["avg_duration_ms"].to_numpy(dtype=float) / 1000.0
    max_duration_s = frame["max_duration_s"].to_numpy(dtype=float)
    memory_mb = frame["memory_mb"].to_numpy(dtype=float)
    memory_gb = memory_mb / 1024.0
    vcpu = frame["vcpu"].to_numpy(dtype=float)
    gpu = frame["gpu"].to_numpy(dtype=float)
    ephemeral_gb = frame["ephemeral_storage_gb"].to_numpy(dtype=float)
    peak = frame["peak_concurrency"].to_numpy(dtype=float)
    arm = (frame["arch"] == "arm64").to_numpy()
    windows = (frame["os"] == "windows").to_numpy()
    interruptible = frame["interruptible"].to_numpy(dtype=bool) if "interruptible" in frame else np.zeros(n, bool)
    # Boolean masks straight from the categorical columns (no per-row string compares).
    on_platform = {name: (frame["existing_platform"] == name).to_numpy() for name in ("ecs", "eks")}
    egress_column = frame["network_egress"] if "network_egress" in frame else pd.Series(["nat_gateway"] * n)
    egress_via = {name: (egress_column == name).to_numpy()
                  for name in ("nat_gateway", "public_ipv4", "vpc_endpoints", "none")}
    job = frame["workload_type"].isin(kb.value("assume.job_workload_types")).to_numpy()
    inbound = frame["workload_type"].isin(kb.value("assume.inbound_workload_types")).to_numpy()
    cpu_bound = frame["workload_type"].isin(kb.value("assume.cpu_bound_workload_types")).to_numpy()
    websocket = frame["proto_websocket"].to_numpy()
    l7 = frame["proto_http"].to_numpy() | frame["proto_grpc"].to_numpy() | websocket
    l4 = frame["proto_tcp"].to_numpy() | frame["proto_udp"].to_numpy()
    rps = requests / seconds
    discount = savings_discount(kb, pricing)
    notes: list[CostNote] = []

    # ---- Lambda: requests + GB-seconds (with billed INIT for cold starts) + /tmp + the front door
    # Lambda allocates CPU in proportion to memory: a function gets one vCPU per lambda.mb_per_vcpu MB,
    # so the memory priced is at least vcpu x that (item 2 of issue 13), within Lambda's memory range.
    lambda_mb = lambda_memory_mb(vcpu, memory_mb, kb)
    gb_seconds = requests * duration_s * lambda_mb / 1024.0
    cold_share = _by(frame, kb.value("assume.lambda_cold_start_share"), "traffic_pattern")
    init_s = _by(frame, kb.value("assume.lambda_init_ms"), "language") / 1000.0
    init_gb_seconds = requests * cold_share * init_s * lambda_mb / 1024.0
    billable_requests = requests
    if free_tier:
        free = kb.number("price.lambda.free_tier_gb_seconds")
        left = np.maximum(0.0, free - gb_seconds)
        gb_seconds = np.maximum(0.0, gb_seconds - free)
        init_gb_seconds = np.maximum(0.0, init_gb_seconds - left)
        billable_requests = np.maximum(0.0, requests - kb.number("price.lambda.free_tier_requests"))
    lambda_compute = np.zeros(n)
    lambda_init = np.zeros(n)
    for arch_mask, key in ((~arm, "price.lambda.gb_second.x86_64.tiers"), (arm, "price.lambda.gb_second.arm64.tiers")):
        tiers = kb.value(key)
        # Tiers apply to the month's aggregate duration, INIT included: price both, split the bill.
        both = _tiered(gb_seconds + init_gb_seconds, tiers, "up_to_gb_seconds_per_month", 1)
        compute = _tiered(gb_seconds, tiers, "up_to_gb_seconds_per_month", 1)
        lambda_compute = np.where(arch_mask, compute, lambda_compute)
        lambda_init = np.where(arch_mask, both - compute, lambda_init)
    lambda_off = np.where(arm, discount.get("lambda.arm64_gb_second", discount["lambda"]),
                          discount.get("lambda.x86_64_gb_second", discount["lambda"]))
    lambda_compute *= 1.0 - lambda_off
    lambda_init *= 1.0 - lambda_off
    extra_tmp_gb = np.maximum(0.0, ephemeral_gb * 1024.0 - kb.number("lambda.ephemeral_storage_default_mb")) / 1024.0

    # Front door for inbound work. WebSocket APIs bill connection minutes and messages. Synchronous HTTP
    # takes the cheapest door whose integration timeout allows the longest request: an HTTP API up to
    # its fixed 30 s; beyond that a REST API with a raised timeout (Regional APIs) or an ALB, which waits
    # as long as the function runs.
    gb_per_hour = rps * kb.number("assume.response_kb") * 3600.0 / 1024.0 / 1024.0
    new_connections = rps * kb.number("assume.new_connections_per_request")
    connection_minutes = (peak * _by(frame, kb.value("assume.websocket_connected_share"), "traffic_pattern")
                          * hours * 60.0)
    messages = requests * kb.number("assume.websocket_messages_per_request")
    websocket_api = (connection_minutes / 1e6 * kb.number("price.apigw.websocket_connection_minutes_per_million")
                     + _tiered(messages, kb.value("price.apigw.websocket_messages_per_million"),
                               "up_to_messages_per_month", 1e6))
    http_api = _tiered(requests, kb.value("price.apigw.http_api_per_million"), "up_to_requests_per_month", 1e6)
    rest_api = _tiered(requests, kb.value("price.apigw.rest_api_per_million"), "up_to_requests_per_month", 1e6)
    alb_lambda = hours * (kb.number("price.alb.hour") + np.maximum(
        new_connections / kb.number("price.alb.lcu_new_connections_per_s"),
        gb_per_hour / kb.number("price.alb.lcu_gb_per_hour_lambda_targets")) * kb.number("price.alb.lcu_hour"))
    sync_http = inbound & ~websocket
    fits_http_api = max_duration_s <= kb.number("front_door.http_api.max_integration_timeout_s")
    fits_rest_api = max_duration_s <= kb.number("front_door.rest_api.max_raised_integration_timeout_s")
    use_http_api = sync_http & fits_http_api
    use_rest_api = sync_http & ~fits_http_api & fits_rest_api & (rest_api <= alb_lambda)
    use_alb = sync_http & ~use_http_api & ~use_rest_api
    use_websocket = inbound & websocket
    lambda_lines = {
        "requests": billable_requests / 1e6 * kb.number("price.lambda.requests_per_million"),
        "compute": lambda_compute,
        "init": lambda_init,
        "ephemeral_storage": requests * duration_s * extra_tmp_gb * kb.number("price.lambda.ephemeral_gb_second"),
        "front_door_http_api": np.where(use_http_api, http_api, 0.0),
        "front_door_rest_api": np.where(use_rest_api, rest_api, 0.0),
        "front_door_alb": np.where(use_alb, alb_lambda, 0.0),
        "front_door_websocket_api": np.where(use_websocket, websocket_api, 0.0),
    }
    too_long = "An API Gateway HTTP API times out integrations at {front_door.http_api.max_integration_timeout_s}" \
        " and that cannot be raised, so requests of up to {max_duration_s} are priced behind "
    notes.append(CostNote("lambda", "caution", use_rest_api, too_long + (
        "a Regional REST API with its integration timeout raised above the "
        "{front_door.rest_api.default_integration_timeout_s} default (a Service Quotas request; it may lower the "
        "account's throttle quota).")))
    notes.append(CostNote("lambda", "caution", use_alb, too_long + (
        "an Application Load Balancer, which waits for the function's own timeout.")))
    notes.append(CostNote("lambda", "reason", use_websocket, (
        "Front door is an API Gateway WebSocket API, priced by connection minutes "
        f"(${kb.number('price.apigw.websocket_connection_minutes_per_million'):.2f} a million; up to "
        "{peak_concurrency} connections at the peak) and messages, not per request.")))

    # ---- demand: what the work itself occupies, and container tasks
    per_task_io = _by(frame, kb.value("assume.requests_per_task"))
    # A CPU-bound request keeps its vcpu and memory busy for its whole duration; an I/O-bound one uses
    # 1 / requests_per_task of a task of the profile's size while in flight.
    load_share = np.where(cpu_bound, 1.0, 1.0 / per_task_io)
    demand_vcpu_hours = requests * duration_s / 3600.0 * vcpu * load_share
    demand_gb_hours = requests * duration_s / 3600.0 * memory_gb * load_share
    headroom = np.where(job, 1.0, 1.0 / _by(frame, kb.value("assume.target_utilisation"), "traffic_pattern"))
    min_tasks = _by(frame, kb.value("assume.min_tasks"))
    # A queue holds the burst: buffered workers keep no capacity for the peak (assume.buffered_workload_types).
    buffered = frame["workload_type"].isin(kb.value("assume.buffered_workload_types")).to_numpy()
    peak_share = np.where(buffered, 0.0, _by(frame, kb.value("assume.traffic_peak_share"), "traffic_pattern"))
    peak_cap_multiple = _by(frame, kb.value("assume.peak_to_average_cap"), "traffic_pattern")
    in_flight = requests * duration_s / seconds

    def service_tasks(per_task: np.ndarray) -> np.ndarray:
        base = np.ceil(in_flight / per_task)
        # A peak far above what the volume implies (often connections or users rather than requests in
        # flight) is capped at a plausible multiple of the average for the traffic pattern.
        cap = np.maximum(1.0, base) * peak_cap_multiple
        peak_tasks = np.maximum(np.minimum(np.ceil(peak / per_task), cap), base)
        return np.maximum(np.maximum(min_tasks, base + peak_share * (peak_tasks - base)), 1.0)

    # Tasks of the profile's own size (what ECS on EC2 and EKS pack): one CPU-bound request each.
    tasks = np.where(job, 0.0, service_tasks(np.where(cpu_bound, 1.0, per_task_io)))

    # ---- network: how container tasks reach the internet and AWS APIs (Lambda outside a VPC pays none)
    # A VPC the organisation already runs (existing_platform ecs or eks), or the one VPC a portfolio's
    # workloads are assessed into together (`shared_vpc`), is shared: its NAT gateways' or endpoints' hours
    # are split over assume.workloads_per_vpc workloads (the `_share` lines); processed GB stay the row's own.
    platform_vpc = on_platform["ecs"] | on_platform["eks"]
    shares_vpc = platform_vpc | shared_vpc
    vpc_share = np.where(shares_vpc, 1.0 / kb.number("assume.workloads_per_vpc"), 1.0)
    egress_gb = requests * kb.number("assume.network_egress_kb_per_request") / 1024.0 / 1024.0
    nat = np.where(egress_via["nat_gateway"], kb.number("assume.nat_gateways_per_vpc") * hours
                   * kb.number("price.nat_gateway.hour") * vpc_share + egress_gb * kb.number("price.nat_gateway.gb"),
                   0.0)
    endpoints = np.where(egress_via["vpc_endpoints"], kb.number("assume.interface_endpoints_per_vpc") * 2 * hours
                         * kb.number("price.vpc.interface_endpoint_hour") * vpc_share
                         + egress_gb * kb.number("price.vpc.interface_endpoint_gb"), 0.0)
    ipv4_hour = kb.number("price.vpc.public_ipv4_hour")

    def network(nat: np.ndarray, endpoints: np.ndarray) -> dict[str, np.ndarray]:
        return {"network_nat_gateway": np.where(shares_vpc, 0.0, nat),
                "network_nat_gateway_share": np.where(shares_vpc, nat, 0.0),
                "network_vpc_endpoints": np.where(shares_vpc, 0.0, endpoints),
                "network_vpc_endpoints_share": np.where(shares_vpc, endpoints, 0.0)}
    public_ip = egress_via["public_ipv4"]

    # ---- front door for containers: ALB for HTTP/gRPC/WebSocket, NLB for TCP/UDP; a platform the
    # organisation already runs shares its load balancer (listener rules), so the hour is split
    alb_lcu = np.maximum(new_connections / kb.number("price.alb.lcu_new_connections_per_s"),
                         gb_per_hour / kb.number("price.alb.lcu_gb_per_hour"))
    nlb_lcu = np.maximum(new_connections / kb.number("price.nlb.nlcu_new_connections_per_s"),
                         gb_per_hour / kb.number("price.nlb.nlcu_gb_per_hour"))
    lb_share = 1.0 / kb.number("assume.workloads_per_load_balancer")

    def front_doors(shared: np.ndarray) -> dict[str, np.ndarray]:
        alb_hour = np.where(shared, kb.number("price.alb.hour") * lb_share, kb.number("price.alb.hour"))
        nlb_hour = np.where(shared, kb.number("price.nlb.hour") * lb_share, kb.number("price.nlb.hour"))
        alb = np.where(inbound & l7, hours * (alb_hour + alb_lcu * kb.number("price.alb.lcu_hour")), 0.0)
        nlb = np.where(inbound & l4, hours * (nlb_hour + nlb_lcu * kb.number("price.nlb.nlcu_hour")), 0.0)
        return {"front_door_alb": np.where(shared, 0.0, alb), "front_door_alb_share": np.where(shared, alb, 0.0),
                "front_door_nlb": np.where(shared, 0.0, nlb), "front_door_nlb_share": np.where(shared, nlb, 0.0)}

    # ---- ECS on Fargate: cheapest valid task size at or above the need
    size_vcpu, size_memory = fargate_fit(kb, vcpu, memory_gb, windows)
    od_vcpu = np.where(windows, kb.number("price.fargate.windows.vcpu_hour")
                       + kb.number("price.fargate.windows.os_license_vcpu_hour"),
                       np.where(arm, kb.number("price.fargate.linux.arm64.vcpu_hour"),
                                kb.number("price.fargate.linux.x86_64.vcpu_hour")))
    od_gb = np.where(windows, kb.number("price.fargate.windows.gb_hour"),
                     np.where(arm, kb.number("price.fargate.linux.arm64.gb_hour"),
                              kb.number("price.fargate.linux.x86_64.gb_hour")))
    # Fargate Spot: Linux only (ecs_fargate.spot_arch); a Region file's Spot rate where it has one,
    # otherwise the typical discount. Savings Plans do not apply to Spot.
    spot_ok = interruptible & ~windows & np.where(arm, "arm64" in kb.value("ecs_fargate.spot_arch"),
                                                  "x86_64" in kb.value("ecs_fargate.spot_arch"))
    spot_off = 1.0 - kb.number("price.fargate.spot_discount_typical")

    def fargate_spot(arch: str, unit: str) -> float:
        rate = own_value(kb, f"price.fargate.spot.{arch}.{unit}_hour")
        return float(rate) if rate is not None else kb.number(f"price.fargate.linux.{arch}.{unit}_hour") * spot_off

    spot_vcpu = np.where(arm, fargate_spot("arm64", "vcpu"), fargate_spot("x86_64", "vcpu"))
    spot_gb = np.where(arm, fargate_spot("arm64", "gb"), fargate_spot("x86_64", "gb"))

    def fargate_off(unit: str) -> np.ndarray:
        # Windows tasks and rates the price book lacks take the per-service discount.
        linux = np.where(arm, discount.get(f"fargate.arm64_{unit}_hour", discount["fargate"]),
                         discount.get(f"fargate.x86_64_{unit}_hour", discount["fargate"]))
        return np.where(windows, discount["fargate"], linux)

    vcpu_rate = np.where(spot_ok, spot_vcpu, od_vcpu * (1.0 - fargate_off("vcpu")))
    gb_rate = np.where(spot_ok, spot_gb, od_gb * (1.0 - fargate_off("gb")))
    task_rate = size_vcpu * vcpu_rate + size_memory * gb_rate
    fargate_per_task = np.where(cpu_bound, np.maximum(1.0, np.floor(np.minimum(
        size_vcpu / vcpu, size_memory / np.maximum(memory_gb, 1e-9)) + 1e-9)), per_task_io)
    fargate_tasks = np.where(job, 0.0, service_tasks(np.where(np.isnan(fargate_per_task), 1.0, fargate_per_task)))
    # The Windows minimum charge is unconfirmed (null in models/runtimes.yaml): fall back to Linux's.
    linux_minimum = kb.number("ecs_fargate.linux_billing_minimum_s")
    minimum_s = np.where(windows, kb.number_or("ecs_fargate.windows_billing_minimum_s", linux_minimum),
                         linux_minimum)
    job_task_hours = requests * np.maximum(duration_s, minimum_s) / 3600.0
    fargate_hours = np.where(job, job_task_hours, fargate_tasks * hours)
    fargate_floor = (demand_vcpu_hours * vcpu_rate + demand_gb_hours * gb_rate) * headroom
    fargate_floor = np.where(np.isnan(size_vcpu), np.nan, fargate_floor)
    extra_disk = np.maximum(0.0, ephemeral_gb - kb.number("ecs_fargate.ephemeral_storage_default_gb"))
    fargate_public_ips = np.where(public_ip, fargate_hours * ipv4_hour, 0.0)
    fargate_lines = {
        "compute": np.fmax(fargate_hours * task_rate, fargate_floor) if n else np.zeros(0),
        "ephemeral_storage": fargate_hours * extra_disk * kb.number("price.fargate.ephemeral_gb_hour"),
        **front_doors(on_platform["ecs"]),
        **network(nat, endpoints),
        "network_public_ipv4": fargate_public_ips,
    }
    fargate_lines["compute"] = np.where(np.isnan(size_vcpu), np.nan, fargate_lines["compute"])
    estimate_ = CostEstimate({"lambda": lambda_lines, "ecs_fargate": fargate_lines}, size_vcpu, size_memory,
                             np.where(job, 0.0, fargate_tasks), lambda_memory_mb=lambda_mb, pricing=pricing)
    estimate_.demand_floor["ecs_fargate"] = fargate_floor

    # ---- ECS on EC2 and EKS: pack tasks onto the cheapest instance type that fits one task, or, where the
    # profile names instance types (a placement constraint, a node selector), onto the cheapest named one
    # Unconfirmed (null) in models/prices.yaml: Windows EC2 is then priced without the licence uplift,
    # and a caution says so.
    windows_licence = kb.number_or("price.ec2.windows_license_vcpu_hour", 0.0)
    overhead = kb.number("assume.job_instance_overhead")
    min_instances = kb.number("assume.service_min_instances")
    needs_nvme = (frame["persistent_storage"] == "local_nvme").to_numpy()
    arch_any = (frame["arch"] == "any").to_numpy()
    spot_prices = own_value(kb, "price.ec2.spot_prices") or {}
    instances = kb.value("price.ec2.instances")
    named = _NamedTypes(frame, kb.instance_catalogue())
    entries = [*instances, *named.entries]
    types = np.array([str(e["type"]) for e in entries] + [""], dtype=object)
    inst_vcpus = np.array([float(e["vcpu"]) for e in entries] + [np.nan])
    inst_gbs = np.array([float(e["memory_gib"]) for e in entries] + [np.nan])
    # The work's vCPU- and GB-hours with the pattern's headroom: the demand floor, in instance-hours of a
    # type, is the larger of these over its vCPUs and over its memory (its price spread either way).
    floor_vcpu_hours = demand_vcpu_hours * headroom
    floor_gb_hours = demand_gb_hours * headroom

    def on_type(entry: dict, reserve: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where one task fits on `entry` (its vCPU, memory and GPUs after the reserve), the monthly cost of
        packing the rows' tasks onto it, and its instance-hours."""
        inst_vcpu, inst_mem = float(entry["vcpu"]), float(entry["memory_gib"]) * 1024.0
        inst_gpu = float(entry.get("gpu") or 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.minimum(np.floor(inst_vcpu * (1 - reserve) / vcpu + 1e-9),
                             np.floor(inst_mem * (1 - reserve) / memory_mb + 1e-9))
            if inst_gpu > 0:
                fit = np.where(gpu > 0, np.minimum(fit, np.floor(inst_gpu / np.maximum(gpu, 1))), fit)
        fits = (fit >= 1) & (inst_gpu >= gpu)
        fit = np.maximum(fit, 1.0)
        # Spot: the type's own Spot price where the price book has one, else the typical discount;
        # otherwise the type's own Savings Plans rate, else the per-service discount.
        spot_price = spot_prices.get(str(entry["type"]))
        spot_factor = (float(spot_price) / float(entry["usd_hour"]) if spot_price is not None
                       else 1.0 - kb.number("price.ec2.spot_discount_typical"))
        ec2_factor = np.where(interruptible, spot_factor, 1.0 - discount.get(f"ec2.{entry['type']}", discount["ec2"]))
        hourly = float(entry["usd_hour"]) * ec2_factor
        if windows_licence:
            hourly = hourly + np.where(windows, windows_licence * inst_vcpu, 0.0) * ec2_factor
        service_count = np.maximum(min_instances, np.ceil(tasks / fit))
        job_instance_hours = job_task_hours * overhead / np.clip(fit, 1.0, np.maximum(peak, 1.0))
        instance_hours = np.maximum(np.where(job, job_instance_hours, service_count * hours),
                                    np.maximum(floor_vcpu_hours / inst_vcpu, floor_gb_hours * 1024.0 / inst_mem))
        return fits, instance_hours * hourly, instance_hours

    for runtime in ("ecs_ec2", "eks"):
        reserve = float(kb.value("assume.node_reserve_share")[runtime])
        best = np.full(n, np.inf)
        best_index = np.full(n, len(entries))
        best_instance_hours = np.zeros(n)
        for j, entry in enumerate(instances):
            inst_gpu = float(entry.get("gpu") or 0)
            usable = ((entry["arch"] == "arm64") == arm) & ((inst_gpu > 0) == (gpu > 0))
            if not entry.get("local_nvme"):
                usable &= ~needs_nvme
            if entry["arch"] != "x86_64":
                usable &= ~windows
            if not usable.any():
                continue
            fits, cost, instance_hours = on_type(entry, reserve)
            better = usable & fits & (cost < best)
            best = np.where(better, cost, best)
            best_index = np.where(better, j, best_index)
            best_instance_hours = np.where(better, instance_hours, best_instance_hours)
        # A named type is taken as named: any GPU count, storage or family, if one task fits and the
        # architecture agrees (a Windows task needs x86_64).
        named_best = np.full(n, np.inf)
        for k, entry in enumerate(named.entries):
            usable = named.rows_naming(str(entry["type"])) & ~((entry["arch"] == "arm64") & windows)
            usable &= arch_any | ((entry["arch"] == "arm64") == arm)
            if not usable.any():
                continue
            fits, cost, instance_hours = on_type(entry, reserve)
            better = usable & fits & (cost < named_best)
            named_best = np.where(better, cost, named_best)
            best_index = np.where(better, len(instances) + k, best_index)
            best_instance_hours = np.where(better, instance_hours, best_instance_hours)
        on_named = np.isfinite(named_best)
        best = np.where(on_named, named_best, best)
        notes.append(CostNote(runtime, "reason", on_named, (
            "Runs only on the instance types it names ({instance_types}): EC2 capacity is priced on the "
            "cheapest of them that fits one task, not on the general catalogue.")))
        notes.append(CostNote(runtime, "caution", named.some_known & ~on_named, (
            "One task ({vcpu} vCPU, {memory_mb}, {gpu} GPUs) does not fit on the instance types it names "
            "({instance_types}) once the node reserve is kept, or their architecture differs: EC2 capacity is "
            "priced on the general catalogue instead. Name a larger type, or make the task smaller.")))
        best_type = types[best_index]
        best_count = best_instance_hours / hours
        with np.errstate(divide="ignore", invalid="ignore"):
            best_floor = np.maximum(floor_vcpu_hours / inst_vcpus[best_index], floor_gb_hours / inst_gbs[best_index]) \
                * np.where(best_instance_hours > 0, best / np.where(best_instance_hours > 0, best_instance_hours, 1.0),
                           0.0)
        best = np.where(np.isinf(best), np.nan, best)
        notes.extend(_borrowed_type_notes(kb, runtime, best_type, best_index >= len(instances)))
        lines = {"compute": best}
        if runtime == "eks":
            shared_cluster = on_platform["eks"]
            plane = hours * kb.number("price.eks.control_plane_hour.standard")
            alone = plane * kb.number("assume.eks_clusters_per_workload")
            lines["control_plane"] = np.where(shared_cluster, 0.0, alone)
            share = plane / kb.number("assume.workloads_per_eks_cluster")
            lines["control_plane_share"] = np.where(shared_cluster, share, 0.0)
        lines.update(front_doors(on_platform["ecs" if runtime == "ecs_ec2" else "eks"]))
        lines.update(network(nat, endpoints))
        lines["network_public_ipv4"] = np.where(public_ip, best_instance_hours * ipv4_hour, 0.0)
        estimate_.lines[runtime] = {name: lines[name] for name in LINES[runtime]}
        estimate_.instance_type[runtime] = best_type
        estimate_.instance_count[runtime] = best_count
        estimate_.demand_floor[runtime] = best_floor

    # ---- what the reader should know about how the containers were priced
    notes.extend(named.notes())
    serves_users = inbound & ~job
    for runtime in CONTAINER_RUNTIMES:
        on_spot = spot_ok if runtime == "ecs_fargate" else interruptible
        place = "Fargate Spot" if runtime == "ecs_fargate" else "EC2 Spot Instances"
        off = kb.number("price.fargate.spot_discount_typical" if runtime == "ecs_fargate"
                        else "price.ec2.spot_discount_typical")
        notes.append(CostNote(runtime, "reason", on_spot, (
            f"Marked interruptible: compute priced on {place}, about {off:.0%} below on-demand "
            "(Spot prices vary; Savings Plans do not apply to Spot).")))
        notes.append(CostNote(runtime, "caution", on_spot & serves_users, (
            f"Serves users but is marked interruptible: {place} can be reclaimed at two minutes' notice; keep "
            "enough on-demand capacity for the baseline (a capacity-provider or node-group mix) so users "
            "are not hit.")))
        if runtime == "ecs_fargate":
            notes.append(CostNote(runtime, "caution", interruptible & windows, (
                "Marked interruptible, but Fargate Spot does not run Windows tasks: priced on demand.")))
        own = "ecs" if runtime != "eks" else "eks"
        notes.append(CostNote(runtime, "reason", on_platform[own] & inbound, (
            "Joins the load balancer the existing platform runs: pays "
            f"1/{kb.number('assume.workloads_per_load_balancer'):g} of its hourly charge plus its own traffic "
            "(front_door_*_share).")))
        notes.append(CostNote(runtime, "reason", platform_vpc & ~egress_via["none"] & ~egress_via["public_ipv4"], (
            "Uses the VPC the existing platform runs: pays "
            f"1/{kb.number('assume.workloads_per_vpc'):g} of its NAT gateways or endpoints plus its own traffic "
            "(network_*_share).")))
        notes.append(CostNote(runtime, "reason", shares_vpc & ~platform_vpc & ~egress_via["none"]
                              & ~egress_via["public_ipv4"], (
            "Shares one VPC with the portfolio's other workloads: pays "
            f"1/{kb.number('assume.workloads_per_vpc'):g} of its NAT gateways or endpoints plus its own traffic "
            "(network_*_share).")))
    notes.append(CostNote("eks", "reason", on_platform["eks"], (
        "Joins the organisation's existing EKS cluster: pays "
        f"1/{kb.number('assume.workloads_per_eks_cluster'):g} of its control plane "
        f"(${kb.number('price.eks.control_plane_hour.standard') * hours:,.2f} a month; control_plane_share).")))
    estimate_.notes = notes
    return estimate_
