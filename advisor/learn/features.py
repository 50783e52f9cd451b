"""Model features, computed with plain numpy so training (scikit-learn) and inference share one code path.

A row's features are its profile (one-hot enums, yes/no flags, log-scaled sizes and counts, priorities)
followed by what the rule engine worked out for it (the 4 x 4 axis fits, the cost fits, the rule score
and feasibility of each runtime). Nothing here imports scikit-learn: `advisor recommend` stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from advisor import AXES, RUNTIMES
from advisor.profile.fields import FIELDS, PRICE_ONLY_FIELDS, PRIORITY_FIELDS, PROTOCOLS

ENUM_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS
                                     if spec.kind == "enum" and spec.name not in PRICE_ONLY_FIELDS)
FLAG_FIELDS: tuple[str, ...] = (*(spec.name for spec in FIELDS
                                  if spec.kind == "bool" and spec.name not in PRICE_ONLY_FIELDS),
                                *(f"proto_{protocol}" for protocol in PROTOCOLS))
LOG_FIELDS: tuple[str, ...] = ("vcpu", "memory_mb", "gpu", "ephemeral_storage_gb", "artifact_size_mb",
                               "max_duration_s", "avg_duration_ms", "requests_per_month", "peak_concurrency",
                               "latency_slo_ms")
"""Sizes, durations and counts span orders of magnitude, so they enter as log1p(value)."""
RULE_VALUE_COLUMNS: tuple[str, ...] = (
    *(f"axis_{axis}_{runtime}" for runtime in RUNTIMES for axis in AXES),
    *(f"cost_fit_{runtime}" for runtime in RUNTIMES),
    *(f"score_{runtime}" for runtime in RUNTIMES),
)
RULE_FLAG_COLUMNS: tuple[str, ...] = tuple(f"feasible_{runtime}" for runtime in RUNTIMES)
RULE_COLUMNS: tuple[str, ...] = (*RULE_VALUE_COLUMNS, *RULE_FLAG_COLUMNS)


def default_categories() -> dict[str, list[str]]:
    """Every enum field's allowed values, in profile-v1 order (unseen values still get a column)."""
    return {spec.name: list(spec.choices) for spec in FIELDS if spec.name in ENUM_FIELDS}


def profile_feature_names(categories: Mapping[str, Sequence[str]]) -> list[str]:
    names = [f"{field}={value}" for field in ENUM_FIELDS for value in categories[field]]
    names += list(FLAG_FIELDS)
    names.append("latency_slo_set")
    names += [f"log1p_{field}" for field in LOG_FIELDS]
    names += list(PRIORITY_FIELDS)
    return names


def feature_names(categories: Mapping[str, Sequence[str]]) -> list[str]:
    """Column names of `encode`'s matrix, in order."""
    return [*profile_feature_names(categories), *RULE_COLUMNS]


def scaled_mask(names: Sequence[str]) -> np.ndarray:
    """Which columns are standardised: continuous ones; one-hot and yes/no columns stay 0/1."""
    continuous = {*(f"log1p_{f}" for f in LOG_FIELDS), *PRIORITY_FIELDS, *RULE_VALUE_COLUMNS}
    return np.array([name in continuous for name in names], dtype=bool)


def enum_codes(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    """Index of each value in `categories`, -1 for a value outside them (hashes each distinct value once)."""
    codes, uniques = pd.factorize(values)
    position = {value: i for i, value in enumerate(categories)}
    lookup = np.array([position.get(value, -1) for value in uniques] + [-1], dtype=np.intp)
    return lookup[codes]  # factorize marks missing values -1, which picks the trailing -1


def _flags(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack([frame[f].to_numpy(dtype=bool) for f in FLAG_FIELDS]).astype(float)


def _continuous(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(latency_slo_set, log1p block, priorities block)."""
    latency = frame["latency_slo_ms"].to_numpy(dtype=float)
    logs = np.column_stack([np.nan_to_num(frame[f].to_numpy(dtype=float), nan=0.0) for f in LOG_FIELDS])
    return (np.isfinite(latency).astype(float)[:, None], np.log1p(np.maximum(logs, 0.0)),
            frame[list(PRIORITY_FIELDS)].to_numpy(dtype=float))


def encode_profile(frame: pd.DataFrame, categories: Mapping[str, Sequence[str]]) -> np.ndarray:
    """(n, profile features) float matrix of a profile frame (see `profile_feature_names`)."""
    n = len(frame)
    blocks: list[np.ndarray] = []
    for field in ENUM_FIELDS:
        codes = enum_codes(frame[field], categories[field])
        onehot = np.zeros((n, len(categories[field]) + 1))
        onehot[np.arange(n), codes] = 1.0  # -1 lands in the spare last column, dropped below
        blocks.append(onehot[:, :-1])
    blocks.append(_flags(frame))
    blocks.extend(_continuous(frame))
    return np.hstack(blocks)


def linear_scores(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
                  feasible: np.ndarray, categories: Mapping[str, Sequence[str]], weights: np.ndarray,
                  bias: np.ndarray) -> np.ndarray:
    """`encode(...) @ weights.T + bias` without building the feature matrix: each one-hot block becomes a
    lookup of weight columns by category code, the other blocks small dense products (fast on 100,000 rows)."""
    n = len(frame)
    out = np.tile(np.asarray(bias, dtype=float), (n, 1))
    column = 0
    for field in ENUM_FIELDS:
        width = len(categories[field])
        table = np.vstack([weights[:, column:column + width].T, np.zeros((1, weights.shape[0]))])
        out += table[enum_codes(frame[field], categories[field])]
        column += width
    for block in (_flags(frame), *_continuous(frame), encode_rules(axes, cost_fit, score, feasible)):
        out += block @ weights[:, column:column + block.shape[1]].T
        column += block.shape[1]
    if column != weights.shape[1]:
        raise ValueError(f"the model has {weights.shape[1]} features, the encoder produced {column}")
    return out


def encode_rules(axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """(n, 28) matrix: axis fits (runtime-major), cost fits, rule scores, feasibility."""
    n = len(score)
    return np.hstack([np.asarray(axes, dtype=float).reshape(n, len(RUNTIMES) * len(AXES)),
                      np.asarray(cost_fit, dtype=float), np.asarray(score, dtype=float),
                      np.asarray(feasible, dtype=float)])


def encode(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
           feasible: np.ndarray, categories: Mapping[str, Sequence[str]]) -> np.ndarray:
    """The full unscaled feature matrix (columns as `feature_names`)."""
    return np.hstack([encode_profile(frame, categories), encode_rules(axes, cost_fit, score, feasible)])


def with_rule_columns(frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
                      feasible: np.ndarray) -> pd.DataFrame:
    """A copy of `frame` with the rule engine's outputs as named columns (the Pipeline's input)."""
    rules = pd.DataFrame(encode_rules(axes, cost_fit, score, feasible), columns=list(RULE_COLUMNS), index=frame.index)
    return pd.concat([frame, rules], axis=1)


def split_rule_columns(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The inverse of `with_rule_columns`: (axes, cost_fit, score, feasible) arrays."""
    n = len(table)
    axes = table[[f"axis_{a}_{r}" for r in RUNTIMES for a in AXES]].to_numpy(dtype=float)
    return (axes.reshape(n, len(RUNTIMES), len(AXES)),
            table[[f"cost_fit_{r}" for r in RUNTIMES]].to_numpy(dtype=float),
            table[[f"score_{r}" for r in RUNTIMES]].to_numpy(dtype=float),
            table[[f"feasible_{r}" for r in RUNTIMES]].to_numpy(dtype=float) > 0.5)



