"""How compute is bought: on demand or under a Compute Savings Plan (no upfront, 1 or 3 years), and which
rates a Region's price book may use as its own (docs/cost-model.md, Savings Plans and Spot)."""

from __future__ import annotations

from typing import Any

from advisor.errors import KnowledgeBaseError, PriceListError, UsageError
from advisor.knowledge.base import KnowledgeBase

PRICING_CHOICES: tuple[str, ...] = ("on-demand", "savings-1y", "savings-3y")


def check_pricing(pricing: str) -> str:
    """`pricing` if it is one of PRICING_CHOICES; otherwise a usage error naming the choices."""
    if pricing not in PRICING_CHOICES:
        raise UsageError(f"unknown pricing {pricing!r}; choose one of {', '.join(PRICING_CHOICES)}")
    return pricing


def own_value(kb: KnowledgeBase, key: str) -> Any:
    """A Region-specific rate only from the Region's own price files: us-east-1's value of a rate listed in
    `only_in_their_own_region` (a Spot price, a Savings Plans rate) does not hold in another Region, so there
    it counts as unknown (None) and the cost model uses the shares instead."""
    return None if key in getattr(kb, "not_lent", ()) else kb.value(key)


def savings_discount(kb: KnowledgeBase, pricing: str) -> dict[str, float]:
    """Compute Savings Plans discount (share below on-demand) for `pricing`; zeros on demand.

    Keys: `ec2`, `fargate`, `lambda` (per-service discounts, price.savings_plans.compute_discount) and,
    where the Region's price book has its own Savings Plans rates (price.savings_plans.compute_rates, from
    the Savings Plans offer file), `ec2.<instance type>`, `fargate.<arch>_vcpu_hour`, `fargate.<arch>_gb_hour`
    and `lambda.<arch>_gb_second`, each 1 - rate / the same Region's on-demand rate. Every discount is
    checked against AWS's published maxima (price.savings_plans.compute_max_discount)."""
    if pricing == "on-demand":
        return {"ec2": 0.0, "fargate": 0.0, "lambda": 0.0}
    maxima = {k: float(v) for k, v in kb.value("price.savings_plans.compute_max_discount").items()}
    out = {k: float(v) for k, v in kb.value("price.savings_plans.compute_discount")[pricing].items()}
    rates = (own_value(kb, "price.savings_plans.compute_rates") or {}).get(pricing) or {}
    on_demand = {
        **{f"ec2.{e['type']}": float(e["usd_hour"]) for e in kb.value("price.ec2.instances")},
        **{f"fargate.{arch}_{unit}_hour": kb.number(f"price.fargate.linux.{arch}.{unit}_hour")
           for arch in ("x86_64", "arm64") for unit in ("vcpu", "gb")},
        **{f"lambda.{arch}_gb_second": float(kb.value(f"price.lambda.gb_second.{arch}.tiers")[0]["usd"])
           for arch in ("x86_64", "arm64")},
    }
    for service, group in rates.items():
        for name, rate in (group or {}).items():
            key = f"{service}.{name}"
            if key in on_demand:
                out[key] = 1.0 - float(rate) / on_demand[key]
    for key, share in out.items():
        service = key.split(".")[0]
        if not 0.0 <= share <= maxima[service] + 1e-9:
            fact = kb.fact("price.savings_plans." + ("compute_rates" if "." in key else "compute_discount"))
            # A price file `advisor prices update` wrote is the user's input (exit 2); models/ is the advisor's.
            bundled = "/" not in fact.file or fact.file.startswith("models/")
            error = KnowledgeBaseError if bundled else PriceListError
            raise error(
                f"{fact.file}: {fact.key}: the {pricing} discount for {key} is {share:.1%}, outside 0 to AWS's "
                f"published maximum of {maxima[service]:.0%} (price.savings_plans.compute_max_discount)")
    return out
