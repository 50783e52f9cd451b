"""Platform consolidation: if the organisation standardised on only k runtimes, which k serve it best?

For every set of k = 1..4 runtimes, each workload takes its best feasible runtime within the set
(highest score, as the engine ranks them). The set is judged against the unconstrained choice
(each workload's recommendation) on three things, in this order:

1. workloads left with no feasible runtime in the set (fewer is better);
2. loss of fit: the mean drop in score of the workloads the set serves (lower is better);
3. monthly cost of the served workloads (lower is better).

Costs treat shared platform items as shared: a workload assessed alone pays a whole EKS control
plane and the hourly charge of its own load balancer; a portfolio spreads one control plane over up
to `workloads_per_cluster` workloads and one load balancer over up to
`workloads_per_load_balancer` services on the same platform. The change in cost compares the same
served workloads, with the same sharing, under the set and unconstrained.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor import RUNTIMES

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from advisor.engine.scoring import Scored

SUBSETS: tuple[tuple[int, ...], ...] = tuple(
    combo for k in range(1, len(RUNTIMES) + 1) for combo in itertools.combinations(range(len(RUNTIMES)), k))
"""Every non-empty set of runtimes, as indices into RUNTIMES, smallest sets first."""
CONTAINER_RUNTIMES = ("ecs_fargate", "ecs_ec2", "eks")
UNSERVED_CAP = 50
# Advisor assumptions (not AWS facts) used when models/assumptions.yaml does not set them.
DEFAULT_WORKLOADS_PER_CLUSTER = 50
DEFAULT_WORKLOADS_PER_LOAD_BALANCER = 50


@dataclass(frozen=True)
class ConsolidationSettings:
    """How shared platform costs are spread (`advisor assess --no-share-platform-costs` etc.)."""

    share_platform_costs: bool = True
    workloads_per_cluster: int = DEFAULT_WORKLOADS_PER_CLUSTER
    workloads_per_load_balancer: int = DEFAULT_WORKLOADS_PER_LOAD_BALANCER

    @classmethod
    def from_knowledge(cls, share: bool = True, workloads_per_cluster: int | None = None,
                       workloads_per_load_balancer: int | None = None) -> ConsolidationSettings:
        """Settings from the options given, else models/assumptions.yaml, else the defaults above."""
        from advisor.knowledge.base import knowledge

        kb = knowledge()

        def assumption(key: str, default: int) -> int:
            return int(kb.number(key)) if key in kb.facts and kb.value(key) is not None else default

        cluster = workloads_per_cluster or assumption("assume.workloads_per_eks_cluster",
                                                      DEFAULT_WORKLOADS_PER_CLUSTER)
        balancer = workloads_per_load_balancer or assumption("assume.workloads_per_load_balancer",
                                                             DEFAULT_WORKLOADS_PER_LOAD_BALANCER)
        if cluster < 1 or balancer < 1:
            from advisor.errors import UsageError

            raise UsageError("workloads per cluster and per load balancer must be at least 1")
        return cls(share, cluster, balancer)


@dataclass(frozen=True)
class PlatformPrices:
    """Monthly USD of one shared item, from the knowledge base."""

    control_plane: float
    alb: float
    nlb: float

    @classmethod
    def from_knowledge(cls) -> PlatformPrices:
        from advisor.knowledge.base import knowledge

        kb = knowledge()
        hours = kb.number("assume.hours_per_month")
        return cls(hours * kb.number("price.eks.control_plane_hour.standard"),
                   hours * kb.number("price.alb.hour"), hours * kb.number("price.nlb.hour"))


def platform_parts(frame: pd.DataFrame, scored: Scored) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: each runtime's cost without the shared items, and whether it needs an ALB / an NLB.

    Mirrors advisor.engine.cost: inbound workloads get an ALB for HTTP, gRPC or WebSocket and an NLB for
    TCP or UDP on the container runtimes; EKS adds a control-plane line.
    """
    import numpy as np

    from advisor.knowledge.base import knowledge

    kb = knowledge()
    prices = PlatformPrices.from_knowledge()
    inbound = frame["workload_type"].isin(kb.value("assume.inbound_workload_types")).to_numpy()
    layer7 = (frame["proto_http"] | frame["proto_grpc"] | frame["proto_websocket"]).to_numpy(dtype=bool)
    layer4 = (frame["proto_tcp"] | frame["proto_udp"]).to_numpy(dtype=bool)
    alb_user, nlb_user = inbound & layer7, inbound & layer4
    variable = np.nan_to_num(np.array(scored.monthly_cost, dtype=float), nan=0.0)
    for runtime in CONTAINER_RUNTIMES:
        lines = scored.cost.lines[runtime]
        # A row that already joins its platform's load balancer (a `_share` line) paid a share of the hour.
        share = 1.0 / kb.number("assume.workloads_per_load_balancer")
        alb_part = np.where(np.nan_to_num(lines.get("front_door_alb_share", np.zeros(len(frame)))) > 0, share, 1.0)
        nlb_part = np.where(np.nan_to_num(lines.get("front_door_nlb_share", np.zeros(len(frame)))) > 0, share, 1.0)
        variable[:, RUNTIMES.index(runtime)] -= alb_user * prices.alb * alb_part + nlb_user * prices.nlb * nlb_part
    for name in ("control_plane", "control_plane_share"):
        plane = scored.cost.lines["eks"].get(name)
        if plane is not None:
            variable[:, RUNTIMES.index("eks")] -= np.nan_to_num(plane, nan=0.0)
    return np.maximum(variable, 0.0), alb_user, nlb_user


@dataclass
class ChunkConsolidation:
    """One chunk's additive part of the consolidation, for every set in SUBSETS."""

    served: np.ndarray  # (sets,)
    unserved: np.ndarray  # (sets,)
    unserved_names: list[list[str]]
    fit_loss: np.ndarray  # (sets,) sum of score drops
    variable: np.ndarray  # (sets,) cost without shared items, under the set
    base_variable: np.ndarray  # (sets,) the same rows, unconstrained
    users: np.ndarray  # (sets, 3, runtimes): workloads, ALB users, NLB users under the set
    base_users: np.ndarray  # (sets, 3, runtimes) the same rows, unconstrained


def chunk_partial(valid: np.ndarray, recommendation: np.ndarray, score: np.ndarray, feasible: np.ndarray,
                  variable: np.ndarray, alb_user: np.ndarray, nlb_user: np.ndarray, names: Any) -> ChunkConsolidation:
    """Work out every set's served workloads, fit loss, costs and platform users for one chunk."""
    import numpy as np

    count = len(SUBSETS)
    runtimes = len(RUNTIMES)
    out = ChunkConsolidation(np.zeros(count, np.int64), np.zeros(count, np.int64), [[] for _ in SUBSETS],
                             np.zeros(count), np.zeros(count), np.zeros(count),
                             np.zeros((count, 3, runtimes)), np.zeros((count, 3, runtimes)))
    rows = np.arange(len(valid))
    best = score[rows, np.maximum(recommendation, 0)]
    kinds = np.stack([np.ones(len(valid), dtype=bool), alb_user, nlb_user])  # (3, n)
    for index, subset in enumerate(SUBSETS):
        allowed = np.zeros(runtimes, dtype=bool)
        allowed[list(subset)] = True
        masked = np.where(feasible & allowed[None, :], score, -np.inf)
        choice = masked.argmax(axis=1)
        served = valid & np.isfinite(masked[rows, choice])
        unserved = valid & ~served
        out.served[index] = int(served.sum())
        out.unserved[index] = int(unserved.sum())
        out.unserved_names[index] = [str(names[i]).strip() for i in np.flatnonzero(unserved)[:UNSERVED_CAP]]
        out.fit_loss[index] = float((best - masked[rows, choice])[served].sum())
        out.variable[index] = float(variable[rows, choice][served].sum())
        out.base_variable[index] = float(variable[rows, np.maximum(recommendation, 0)][served].sum())
        for k in range(runtimes):
            under_set = served & (choice == k)
            unconstrained = served & (recommendation == k)
            out.users[index, :, k] = (kinds & under_set).sum(axis=1)
            out.base_users[index, :, k] = (kinds & unconstrained).sum(axis=1)
    return out


@dataclass
class ConsolidationAccumulator:
    """Adds up chunk parts and picks the best set for each k."""

    settings: ConsolidationSettings
    prices: PlatformPrices = field(default_factory=PlatformPrices.from_knowledge)
    total: ChunkConsolidation | None = None

    def add(self, part: ChunkConsolidation) -> None:
        if self.total is None:
            self.total = part
            return
        total = self.total
        total.served += part.served
        total.unserved += part.unserved
        for names, more in zip(total.unserved_names, part.unserved_names, strict=True):
            names.extend(more[: max(0, UNSERVED_CAP - len(names))])
        total.fit_loss += part.fit_loss
        total.variable += part.variable
        total.base_variable += part.base_variable
        total.users += part.users
        total.base_users += part.base_users

    def platform_cost(self, users: np.ndarray) -> float:
        """Monthly cost of the shared items the given users (3, runtimes) need."""
        settings, prices = self.settings, self.prices

        def items(count: float, per: int) -> float:
            return math.ceil(count / per) if settings.share_platform_costs else count

        eks = RUNTIMES.index("eks")
        cost = items(users[0, eks], settings.workloads_per_cluster) * prices.control_plane
        for runtime in CONTAINER_RUNTIMES:
            k = RUNTIMES.index(runtime)
            cost += items(users[1, k], settings.workloads_per_load_balancer) * prices.alb
            cost += items(users[2, k], settings.workloads_per_load_balancer) * prices.nlb
        return float(cost)

    def result(self) -> list[dict[str, Any]]:
        """The best set per k = 1..4 (summary JSON `consolidation`)."""
        total = self.total
        if total is None:
            return []
        candidates: dict[int, list[tuple[tuple[float, float, float], dict[str, Any]]]] = {}
        for index, subset in enumerate(SUBSETS):
            served = int(total.served[index])
            fit_loss = float(total.fit_loss[index]) / served if served else 0.0
            monthly = float(total.variable[index]) + self.platform_cost(total.users[index])
            baseline = float(total.base_variable[index]) + self.platform_cost(total.base_users[index])
            entry = {
                "k": len(subset),
                "runtimes": [RUNTIMES[k] for k in subset],
                "fit_loss": round(fit_loss, 4),
                "monthly_cost_usd": round(monthly, 2),
                "cost_change_usd": round(monthly - baseline, 2),
                "unserved_count": int(total.unserved[index]),
                "unserved": list(total.unserved_names[index]),
            }
            key = (float(total.unserved[index]), round(fit_loss, 9), monthly)
            candidates.setdefault(len(subset), []).append((key, entry))
        return [min(options, key=lambda item: item[0])[1] for _, options in sorted(candidates.items())]


__all__ = ["SUBSETS", "ConsolidationAccumulator", "ConsolidationSettings", "chunk_partial", "platform_parts"]
