"""k-means and the mean silhouette score in NumPy, for migration waves (`waves.py`).

The same algorithms as scikit-learn's `KMeans` (greedy k-means++ seeding, Lloyd iterations, best of
`n_init` runs by inertia, empty clusters moved to the points farthest from their centres) and
`silhouette_score` (Euclidean), written here because importing scikit-learn and SciPy took longer than
clustering a whole portfolio: 1.5 to 2.5 CPU-seconds on every `advisor assess`, however small the
input. Ten runs per k rather than three: on a portfolio's trait sample three runs often stop in a
worse local optimum, which changed which k the silhouette picked; ten take a few hundredths of a second.
tests/test_clustering.py checks both against scikit-learn.
"""

from __future__ import annotations

import math

import numpy as np

MAX_ITER = 300
RUNS = 10  # k-means runs from different seedings; the lowest inertia wins (scikit-learn's n_init before 1.4)
TOLERANCE = 1e-4  # centre shift (squared, summed) below this share of the mean feature variance: converged


def kmeans(points: np.ndarray, k: int, seed: int, n_init: int = RUNS) -> tuple[np.ndarray, np.ndarray]:
    """Labels (n,) and centres (k, d) of the best of `n_init` k-means runs (lowest inertia)."""
    x = np.asarray(points, dtype=np.float64)
    if k <= 1 or len(x) == 0:
        return np.zeros(len(x), dtype=np.int64), x.mean(axis=0, keepdims=True) if len(x) else np.zeros((1, x.shape[1]))
    k = min(k, len(x))
    rng = np.random.default_rng(seed)
    squared_norms = _row_norms(x)
    tolerance = TOLERANCE * float(x.var(axis=0).mean())
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(n_init):
        centres = _seed_centres(x, squared_norms, k, rng)
        labels, centres, inertia = _lloyd(x, squared_norms, centres, tolerance)
        if best is None or inertia < best[0]:
            best = (inertia, labels, centres)
    assert best is not None
    return best[1], best[2]


def nearest(points: np.ndarray, centres: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """Index of the nearest centre for every point (ties: the lower index)."""
    labels = np.empty(len(points), dtype=np.int64)
    centres = np.asarray(centres, dtype=np.float64)
    for start in range(0, len(points), chunk):
        block = np.asarray(points[start:start + chunk], dtype=np.float64)
        labels[start:start + chunk] = _squared_distances(block, _row_norms(block), centres).argmin(axis=1)
    return labels


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient over all points (Euclidean distances), as scikit-learn computes it:
    s = (b - a) / max(a, b), with a the mean distance to the rest of the point's own cluster and b the
    lowest mean distance to another cluster; 0 for a point alone in its cluster."""
    return silhouette_from_distances(pairwise_distances(points), labels)


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float:
    """`silhouette` on a precomputed (n, n) distance matrix, for scoring several labellings of one sample."""
    codes, labels = np.unique(labels, return_inverse=True)
    n, clusters = len(labels), len(codes)
    if not 2 <= clusters <= n - 1:
        raise ValueError(f"the silhouette needs 2 to {n - 1} clusters, got {clusters}")
    members = _one_hot(labels, clusters)
    sums = distances @ members  # (n, clusters): each point's summed distance to each cluster
    sizes = members.sum(axis=0)
    own_size = sizes[labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = sums[np.arange(n), labels] / (own_size - 1)
        means = sums / sizes
        means[np.arange(n), labels] = np.inf
        outside = means.min(axis=1)
        scores = (outside - inside) / np.maximum(inside, outside)
    scores = np.nan_to_num(np.where(own_size > 1, scores, 0.0))
    return float(scores.mean())


def pairwise_distances(points: np.ndarray) -> np.ndarray:
    """The (n, n) Euclidean distance matrix, float64, with an exact zero diagonal."""
    x = np.asarray(points, dtype=np.float64)
    distances = np.sqrt(_squared_distances(x, _row_norms(x), x))
    np.fill_diagonal(distances, 0.0)
    return distances


# --------------------------------------------------------------------------------------- internals


def _row_norms(x: np.ndarray) -> np.ndarray:
    """Each row's squared Euclidean norm."""
    return np.einsum("ij,ij->i", x, x)


def _one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """(n, k) membership matrix: 1.0 where row i belongs to cluster labels[i]."""
    members = np.zeros((len(labels), k))
    members[np.arange(len(labels)), labels] = 1.0
    return members


def _squared_distances(x: np.ndarray, squared_norms: np.ndarray, centres: np.ndarray) -> np.ndarray:
    distances = squared_norms[:, None] - 2.0 * (x @ centres.T) + _row_norms(centres)[None, :]
    return np.maximum(distances, 0.0, out=distances)


def _seed_centres(x: np.ndarray, squared_norms: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++: each new centre is the best of 2 + ln(k) candidates drawn with probability
    proportional to their squared distance to the nearest centre chosen so far."""
    n = len(x)
    trials = 2 + int(math.log(k))
    centres = np.empty((k, x.shape[1]))
    centres[0] = x[rng.integers(n)]
    closest = _squared_distances(x, squared_norms, centres[:1])[:, 0]
    potential = float(closest.sum())
    for c in range(1, k):
        if potential <= 0.0:  # every point sits on a centre already: take any point
            centres[c] = x[rng.integers(n)]
            continue
        candidates = np.searchsorted(np.cumsum(closest), rng.random(trials) * potential)
        candidates = np.minimum(candidates, n - 1)
        to_candidates = np.minimum(closest[None, :], _squared_distances(x, squared_norms, x[candidates]).T)
        potentials = to_candidates.sum(axis=1)
        best = int(potentials.argmin())
        closest, potential = to_candidates[best], float(potentials[best])
        centres[c] = x[candidates[best]]
    return centres


def _lloyd(x: np.ndarray, squared_norms: np.ndarray, centres: np.ndarray,
           tolerance: float) -> tuple[np.ndarray, np.ndarray, float]:
    k = len(centres)
    labels = np.full(len(x), -1, dtype=np.int64)
    for _ in range(MAX_ITER):
        distances = _squared_distances(x, squared_norms, centres)
        new_labels = distances.argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break  # strict convergence: the centres below are already the means of these labels
        labels = new_labels
        members = _one_hot(labels, k)
        sizes = members.sum(axis=0)
        sums = members.T @ x
        empty = np.flatnonzero(sizes == 0).tolist()
        if empty:
            # An empty cluster restarts at the point farthest from its own centre (scikit-learn's rule),
            # taken out of a cluster that keeps at least one other point.
            for point in np.argsort(-distances[np.arange(len(x)), labels], kind="stable").tolist():
                if not empty:
                    break
                old = labels[point]
                if sizes[old] > 1:
                    cluster = empty.pop(0)
                    sums[old] -= x[point]
                    sizes[old] -= 1.0
                    sums[cluster], sizes[cluster] = x[point], 1.0
                    labels[point] = cluster
        new_centres = sums / sizes[:, None]
        shift = float(((new_centres - centres) ** 2).sum())
        centres = new_centres
        if shift <= tolerance:
            break  # the labels are worked out for these centres below
    distances = _squared_distances(x, squared_norms, centres)
    labels = distances.argmin(axis=1)
    inertia = float(distances[np.arange(len(x)), labels].sum())
    return labels, centres, inertia
