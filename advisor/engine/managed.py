"""The `managed_alternative` output field: when a workload is a well-known backing service (its
profile's `backing_service`), the AWS managed service an architect would weigh first.

Decided from the profile alone, with facts from models/managed_alternatives.yaml; null when the
workload is no recognised backing service or no managed service runs the product.
"""

from __future__ import annotations

from typing import Any

from advisor.knowledge.managed import product
from advisor.profile.fields import WorkloadProfile


def managed_alternative(profile: WorkloadProfile) -> dict[str, str] | None:
    """{service, rationale, source} for the profile's backing service, or None."""
    found = product(profile.backing_service) if profile.backing_service.strip() else None
    if found is None or found.alternative is None:
        return None
    return found.alternative.to_dict()


def provider(profile: WorkloadProfile, scored: Any, recommendation: Any) -> dict[str, Any]:
    """Extra top-level output fields (see `advisor.api.EXTRA_PROVIDERS`)."""
    return {"managed_alternative": managed_alternative(profile)}
