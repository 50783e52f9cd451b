"""How far apart two workload profiles are, on the model's own profile encoding.

The encoding is `advisor.learn.features.encode_profile`, left unstandardised so that its units are
fixed and read plainly: a yes/no flag (or one protocol) that differs adds 1, an enum choice that
differs adds 2 (its old column goes 1 -> 0 and its new one 0 -> 1), a number counts through
log1p (a factor of e, about 2.7, adds 1), a priority point adds 1. The distance is the square root of
the sum. The rule engine's columns are left out: they follow from the profile, and they change when
the rules do.

A corpus row closer than `NEAR_COPY_DISTANCE` to a workload is a near copy of it: the same workload
with at most one choice changed plus about one log unit of numbers (sqrt(2 + 1)). Evaluation cases
must have no near copy in the reference corpus, or cross-validation would grade the model on
workloads it was trained on.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from advisor.learn.features import default_categories, encode_profile

NEAR_COPY_DISTANCE = math.sqrt(3.0)
"""One changed enum choice (2) plus one log unit of numbers (1), squared units: anything closer is a near copy."""


def profile_distances(left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
    """(len(left), len(right)) Euclidean distances between two typed profile frames."""
    categories = default_categories()
    a = encode_profile(left, categories)
    b = encode_profile(right, categories)
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))


def near_copies(workloads: pd.DataFrame, reference: pd.DataFrame,
                limit: float = NEAR_COPY_DISTANCE) -> list[tuple[int, int, float]]:
    """(workload position, reference position, distance) for every pair closer than `limit`, closest first."""
    distances = profile_distances(workloads, reference)
    pairs = [(int(i), int(j), float(distances[i, j])) for i, j in zip(*np.nonzero(distances < limit), strict=True)]
    return sorted(pairs, key=lambda pair: (pair[2], pair[0], pair[1]))
