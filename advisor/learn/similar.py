"""The reference workloads most like a profile: nearest neighbours over standardised profile features.

Pure numpy over the corpus in models/reference_workloads.csv: one-hot enums and yes/no flags count
0/1, sizes, durations and counts enter as log1p, and every continuous column is divided by the corpus
spread floored at 1 (one log unit, one priority point), so a column on which the corpus barely varies
(most references keep the default priorities) cannot drown out the rest.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from advisor.learn.corpus import Corpus, packaged_corpus
from advisor.learn.features import default_categories, encode_profile, profile_feature_names, scaled_mask

NEIGHBOURS = 3
MIN_SPREAD = 1.0


@functools.cache
def _index() -> tuple[Corpus, dict[str, list[str]], np.ndarray, np.ndarray, np.ndarray]:
    corpus = packaged_corpus()
    categories = default_categories()
    raw = encode_profile(corpus.frame, categories)
    mask = scaled_mask(profile_feature_names(categories))
    std = raw.std(axis=0)
    mean = np.where(mask, raw.mean(axis=0), 0.0)
    scale = np.where(mask, np.maximum(std, MIN_SPREAD), 1.0)
    return corpus, categories, mean, scale, (raw - mean) / scale


def similar_workloads(frame: pd.DataFrame, k: int = NEIGHBOURS) -> list[list[dict[str, Any]]]:
    """For each row of `frame`, the `k` nearest reference workloads (closest first, ties in corpus order)."""
    corpus, categories, mean, scale, reference = _index()
    query = (encode_profile(frame, categories) - mean) / scale
    distances = np.sqrt(((query[:, None, :] - reference[None, :, :]) ** 2).sum(axis=2))
    order = np.argsort(distances, axis=1, kind="stable")[:, :k]
    out = []
    for row, neighbours in enumerate(order):
        out.append([{
            "name": str(corpus.table["name"].iloc[j]),
            "accepted": list(corpus.accepted[j]),
            "rationale": str(corpus.table["rationale"].iloc[j]),
            "source": str(corpus.table["source"].iloc[j]),
            "distance": round(float(distances[row, j]), 3),
        } for j in neighbours])
    return out
