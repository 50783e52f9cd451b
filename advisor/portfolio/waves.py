"""Migration waves: k-means clustering of assessed workloads on their migration traits, easiest first.

Each valid workload becomes a vector of traits (confidence, share of runtimes blocked, already
containerised, host access, persistent storage, Windows, GPUs, hybrid, Kubernetes-native, job-style,
recommended runtime, log of its monthly cost), standardised. `--waves K` fixes the number of waves;
otherwise K = 2..min(8, sqrt(n / 2)) is tried and the K with the highest mean silhouette score wins
(ties: fewer waves). Waves are ordered easiest first by the mean of confidence, the share already containerised
and the share of runtimes *not* blocked. Big portfolios are clustered on a fixed-seed sample and
every workload is then assigned to its nearest wave centre.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from advisor import RUNTIMES

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from advisor.engine.scoring import Scored

MAX_AUTO_WAVES = 8
FIT_SAMPLE = 10_000  # workloads the final k-means is fitted on; the rest are assigned to the nearest centre
SELECTION_SAMPLE = 2_000  # workloads k = 2..8 are compared on (k-means and silhouette)
NAMES_CAP = 50

TRAITS: tuple[str, ...] = ("confidence", "blocked_share", "containerized", "host_access", "stateful", "windows",
                           "gpu", "hybrid", "kubernetes_native", "job",
                           *(f"rec_{rt}" for rt in RUNTIMES), "rec_none", "log_cost")
"""The columns of the trait matrix, in order."""
TRAIT_WORDS = {
    "containerized": "already containerised",
    "host_access": "needs host access (privileged, host networking, daemons or kernel tuning)",
    "stateful": "mounts persistent storage",
    "windows": "Windows",
    "gpu": "needs GPUs",
    "hybrid": "must also run outside AWS",
    "kubernetes_native": "Kubernetes-native",
    "job": "batch, scheduled or training jobs",
}


def wave_features(frame: pd.DataFrame, scored: Scored) -> np.ndarray:
    """The (rows, len(TRAITS)) float32 trait matrix of a scored chunk."""
    import numpy as np

    from advisor.knowledge.base import knowledge

    n = len(frame)
    recommendation = scored.recommendation
    columns = [
        scored.confidence,
        (~scored.feasible).sum(axis=1) / len(RUNTIMES),
        frame["containerized"].to_numpy(dtype=bool),
        (frame["privileged"] | frame["host_networking"] | frame["daemon_per_host"]
         | frame["kernel_tuning"]).to_numpy(dtype=bool),
        (frame["persistent_storage"] != "none").to_numpy(),
        (frame["os"] == "windows").to_numpy(),
        frame["gpu"].to_numpy(dtype=float) > 0,
        frame["hybrid"].isin(["on_prem", "edge", "multi_cloud"]).to_numpy(),
        frame["kubernetes_native"].to_numpy(dtype=bool),
        frame["workload_type"].isin(knowledge().value("assume.job_workload_types")).to_numpy(),
        *(recommendation == k for k in range(len(RUNTIMES))),
        recommendation < 0,
    ]
    chosen = scored.monthly_cost[np.arange(n), np.maximum(recommendation, 0)]
    columns.append(np.log10(1.0 + np.where((recommendation >= 0) & np.isfinite(chosen), chosen, 0.0)))
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in columns]).reshape(n, len(TRAITS))


def _ease(features: np.ndarray) -> np.ndarray:
    """Per workload: mean of confidence, containerised and share of runtimes not blocked (0..1)."""
    index = {name: i for i, name in enumerate(TRAITS)}
    return (features[:, index["confidence"]] + features[:, index["containerized"]]
            + (1.0 - features[:, index["blocked_share"]])) / 3.0


def plan_waves(features: np.ndarray, recommendation: np.ndarray, confidence: np.ndarray, names: list[str],
               k: int | None = None) -> dict[str, Any]:
    """Cluster the valid workloads into waves (summary JSON `waves`)."""
    import numpy as np

    from advisor.portfolio.clustering import nearest

    if len(features) == 0:
        return {"k": 0, "criterion": "no valid workloads to plan", "waves": []}
    order_text = ("waves ordered easiest first by mean of confidence, share containerised and share of "
                  "runtimes not blocked")
    n = len(features)
    rng = np.random.default_rng(_seed())
    fit_rows = np.sort(rng.choice(n, FIT_SAMPLE, replace=False)) if n > FIT_SAMPLE else np.arange(n)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    scaled_fit = (features[fit_rows] - mean) / scale
    distinct = len(np.unique(scaled_fit, axis=0))
    if k is not None:
        chosen = min(k, distinct)
        criterion = f"{k} waves asked for" + (f", reduced to {chosen}: only {distinct} distinct workload profiles"
                                      if chosen < k else "")
    elif distinct < 3:
        chosen, criterion = distinct, f"{distinct} distinct workload profile(s), one wave each"
    else:
        chosen, criterion = _auto_k(scaled_fit, distinct, rng, n)
    labels_fit, centres = _cluster(scaled_fit, chosen)
    labels = labels_fit if n <= FIT_SAMPLE else nearest((features - mean) / scale, centres)
    ease = _ease(features)
    waves = []
    for label in range(chosen):
        members = np.flatnonzero(labels == label)
        if len(members) == 0:
            continue
        waves.append((float(ease[members].mean()), label, members))
    waves.sort(key=lambda item: (-item[0], item[1]))
    overall = features.mean(axis=0)
    out = []
    for number, (_, _, members) in enumerate(waves, start=1):
        recommended = recommendation[members]
        counts = np.bincount(np.where(recommended < 0, len(RUNTIMES), recommended), minlength=len(RUNTIMES) + 1)
        dominant = int(counts.argmax())
        out.append({
            "wave": number,
            "size": len(members),
            "dominant_runtime": RUNTIMES[dominant] if dominant < len(RUNTIMES) else "none",
            "traits": _traits(features[members], overall, counts, dominant),
            "mean_confidence": round(float(confidence[members].mean()), 3),
            "workloads": [names[i] for i in members[:NAMES_CAP]],
        })
    return {"k": len(out), "criterion": f"{criterion}; {order_text}", "waves": out}


def _auto_k(scaled: np.ndarray, distinct: int, rng: Any, workloads: int) -> tuple[int, str]:
    import numpy as np

    from advisor.portfolio.clustering import pairwise_distances, silhouette_from_distances

    sample = scaled if len(scaled) <= SELECTION_SAMPLE else scaled[
        np.sort(rng.choice(len(scaled), SELECTION_SAMPLE, replace=False))]
    best_k, best_score = 2, -2.0
    # Rule of thumb k <= sqrt(n / 2): a 40-workload portfolio gets at most 4 waves, 128 or more up to 8.
    upper = min(MAX_AUTO_WAVES, distinct - 1, len(sample) - 1, max(2, math.isqrt(workloads // 2)))
    distances = pairwise_distances(sample)  # one matrix for every k
    for k in range(2, upper + 1):
        sample_labels, _ = _cluster(sample, k)
        if len(np.unique(sample_labels)) < 2:
            continue
        score = silhouette_from_distances(distances, sample_labels)
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    on = f"a {len(sample):,}-workload sample" if len(sample) < workloads else "all workloads"
    return best_k, (f"k = {best_k}: highest mean silhouette ({best_score:.3f}) for k = 2..{max(upper, 2)} "
                    f"(at most 8 and sqrt(workloads / 2)), k-means on standardised traits of {on}, seed {_seed()}")


def _cluster(scaled: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    from advisor.portfolio.clustering import kmeans

    return kmeans(scaled, k, _seed())


def _traits(members: np.ndarray, overall: np.ndarray, counts: np.ndarray, dominant: int) -> list[str]:
    """What sets a wave apart, in words, most distinctive first (at most five)."""
    index = {name: i for i, name in enumerate(TRAITS)}
    share = members.mean(axis=0)
    size = counts.sum()
    runtime = RUNTIMES[dominant] if dominant < len(RUNTIMES) else "no feasible runtime"
    traits = [f"{counts[dominant] / size:.0%} {'recommended ' if dominant < len(RUNTIMES) else ''}{runtime}"]
    mean_confidence = float(share[index["confidence"]])
    from advisor.engine.explain import confidence_words

    word = confidence_words(mean_confidence)
    traits.append(f"{word} confidence")
    blocked = float(share[index["blocked_share"]]) * len(RUNTIMES)
    traits.append("no runtime blocked" if blocked == 0 else f"{blocked:.1f} of {len(RUNTIMES)} runtimes blocked "
                  "on average")
    notable: list[tuple[float, str]] = []
    for name, words in TRAIT_WORDS.items():
        wave_share, all_share = float(share[index[name]]), float(overall[index[name]])
        if wave_share >= 0.5 and (wave_share - all_share >= 0.15 or wave_share >= 0.9):
            notable.append((wave_share - all_share, f"{words} ({wave_share:.0%})"))
        elif name == "containerized" and wave_share <= 0.2 and all_share - wave_share >= 0.15:
            notable.append((all_share - wave_share, f"not yet containerised ({1 - wave_share:.0%})"))
    traits.extend(text for _, text in sorted(notable, key=lambda item: -item[0])[:3])
    return traits


__all__ = ["TRAITS", "plan_waves", "wave_features"]


def _seed() -> int:
    from advisor.knowledge.base import knowledge

    return int(knowledge().number("assume.seed"))
