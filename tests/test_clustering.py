"""advisor.portfolio.clustering (k-means and silhouette for migration waves) against scikit-learn as an oracle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from advisor.portfolio.clustering import kmeans, nearest, pairwise_distances, silhouette, silhouette_from_distances

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def blobs(seed: int, per_cluster: int = 60, dimensions: int = 5, clusters: int = 4, spread: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 5, (clusters, dimensions))
    return np.vstack([centre + rng.normal(0, spread, (per_cluster, dimensions)) for centre in centres])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-9), (np.float32, 1e-6)])
def test_silhouette_equals_scikit_learn(seed: int, dtype: type, tolerance: float) -> None:
    """Equal to 1e-9 on float64 input; on float32 (the trait matrix's type) scikit-learn computes distances
    in float32 and this module in float64, so they agree to float32's precision."""
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(300, 6)).astype(dtype)
    for clusters in (2, 3, 7):
        labels = rng.integers(0, clusters, len(points))
        labels[0] = clusters + 5  # a cluster of one point (its silhouette is 0) and non-contiguous labels
        expected = silhouette_score(points, labels)
        assert silhouette(points, labels) == pytest.approx(expected, abs=tolerance)
        assert silhouette_from_distances(pairwise_distances(points), labels) == pytest.approx(expected,
                                                                                              abs=tolerance)


def test_silhouette_with_identical_points_equals_scikit_learn() -> None:
    points = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 0.0]]), [10, 10, 1], axis=0)
    labels = np.array([0] * 10 + [1] * 10 + [1])
    assert silhouette(points, labels) == pytest.approx(silhouette_score(points, labels), abs=1e-12)
    with pytest.raises(ValueError, match="2 to"):
        silhouette(points, np.zeros(len(points), dtype=int))


@pytest.mark.parametrize("seed", range(5))
def test_kmeans_finds_the_same_clusters_as_scikit_learn(seed: int) -> None:
    points = blobs(seed)
    labels, centres = kmeans(points, 4, seed=seed)
    oracle = KMeans(n_clusters=4, n_init=3, random_state=seed).fit(points)
    assert adjusted_rand_score(oracle.labels_, labels) == 1.0
    inertia = float(((points - centres[labels]) ** 2).sum())
    assert inertia == pytest.approx(oracle.inertia_, rel=1e-9)
    assert np.array_equal(nearest(points, centres), labels)  # final labels are the nearest centres


@pytest.mark.parametrize("seed", range(5))
def test_kmeans_is_as_good_as_scikit_learn_on_unclustered_data(seed: int) -> None:
    """No structure to find: both land in local optima; ours is never much worse (lower inertia is better)."""
    points = np.random.default_rng(seed).normal(size=(2000, 16))
    for k in (2, 5, 8):
        labels, centres = kmeans(points, k, seed=seed)
        ours = float(((points - centres[labels]) ** 2).sum())
        theirs = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(points).inertia_
        assert ours <= theirs * 1.02
        assert len(np.unique(labels)) == k


def test_kmeans_with_fewer_distinct_points_than_clusters() -> None:
    points = np.repeat(np.array([[0.0, 1.0], [3.0, 3.0], [9.0, 0.0]]), 50, axis=0)
    labels, centres = kmeans(points, 5, seed=1)
    assert labels.shape == (150,) and centres.shape == (5, 2) and np.isfinite(centres).all()
    assert len({tuple(points[labels == c][0]) for c in np.unique(labels)}) == len(np.unique(labels))
    assert adjusted_rand_score(np.repeat([0, 1, 2], 50), labels) == 1.0  # identical points stay together


def test_kmeans_is_deterministic_for_a_seed_and_handles_trivial_input() -> None:
    points = blobs(7)
    first, second = kmeans(points, 3, seed=11), kmeans(points, 3, seed=11)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    labels, centres = kmeans(points, 1, seed=11)
    assert not labels.any() and np.allclose(centres, points.mean(axis=0))


def test_assess_imports_neither_scikit_learn_nor_scipy(tmp_path: Path) -> None:
    """Waves are clustered in NumPy: an assess run (waves included) never pays for importing scikit-learn."""
    script = (
        "import sys\n"
        "from advisor.cli.app import main\n"
        f"sys.argv = ['advisor', 'assess', {str(EXAMPLES / 'portfolio.csv')!r}, '--out', "
        f"{str(tmp_path / 'out.csv')!r}, '--summary', {str(tmp_path / 'summary.json')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code in (0, 3, None), exit.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip().splitlines()[-1] == "[]"
    assert '"waves"' in (tmp_path / "summary.json").read_text()
