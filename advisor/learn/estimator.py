"""The scikit-learn side: an encoder and a per-runtime logistic classifier, in one Pipeline.

Both follow scikit-learn's estimator conventions (`__init__` only stores parameters, `fit` returns
self, learned state ends in `_`), and both compute with the same numpy functions the JSON inference uses,
so `advisor recommend` never needs scikit-learn. Imported only by training and evaluation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from advisor import RUNTIMES
from advisor.learn.features import (
    default_categories,
    encode,
    feature_names,
    scaled_mask,
    split_rule_columns,
)


class WorkloadEncoder(TransformerMixin, BaseEstimator):
    """Profile + rule-engine columns -> standardised feature matrix.

    One-hot enums (every profile-v1 value gets a column), 0/1 flags, log1p of sizes, durations and
    counts, priorities, and the rule engine's axis fits, cost fits, scores and feasibility. Continuous
    columns are standardised with the training mean and standard deviation.
    """

    def __init__(self, with_rule_features: bool = True) -> None:
        self.with_rule_features = with_rule_features

    def _setup(self) -> None:
        self.categories_ = default_categories()
        self.feature_names_ = feature_names(self.categories_)
        self.rule_mask_ = np.array([n.startswith(("axis_", "cost_fit_", "score_", "feasible_"))
                                    for n in self.feature_names_])

    def raw(self, table: pd.DataFrame) -> np.ndarray:
        """The unscaled feature matrix of a table (profile + rule-engine columns)."""
        if not hasattr(self, "categories_"):
            self._setup()
        raw = encode(table, *split_rule_columns(table), self.categories_)
        if not self.with_rule_features:
            raw = np.where(self.rule_mask_, 0.0, raw)
        return raw

    def fit(self, X: pd.DataFrame, y: Any = None) -> WorkloadEncoder:
        self._setup()
        self.fit_raw(self.raw(X))
        self.n_features_in_ = X.shape[1]
        return self

    def fit_raw(self, raw: np.ndarray) -> WorkloadEncoder:
        """Learn the scaler from an already encoded matrix (cross-validation encodes the corpus once)."""
        if not hasattr(self, "categories_"):
            self._setup()
        mask = scaled_mask(self.feature_names_)
        std = raw.std(axis=0)
        self.mean_ = np.where(mask, raw.mean(axis=0), 0.0)
        self.scale_ = np.where(mask & (std > 1e-12), std, 1.0)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        return self.transform_raw(self.raw(X))

    def transform_raw(self, raw: np.ndarray) -> np.ndarray:
        return (raw - self.mean_) / self.scale_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_, dtype=object)


class AcceptedRuntimes(ClassifierMixin, BaseEstimator):
    """One L2-regularised logistic regression per runtime: P(an architect would accept this runtime).

    `y` is an (n, 4) 0/1 matrix (labels are sets). `predict_proba` returns the four probabilities,
    which do not sum to 1; `predict` returns the index of the most probable runtime.
    """

    def __init__(self, C: float = 0.3, max_iter: int = 1000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: np.ndarray, y: np.ndarray) -> AcceptedRuntimes:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=int)
        if y.ndim != 2 or y.shape[1] != len(RUNTIMES):
            raise ValueError(f"y must be an (n, {len(RUNTIMES)}) 0/1 matrix")
        self.classes_ = np.asarray(RUNTIMES)
        self.coef_ = np.zeros((len(RUNTIMES), X.shape[1]))
        self.intercept_ = np.zeros(len(RUNTIMES))
        for k in range(len(RUNTIMES)):
            column = y[:, k]
            if column.min() == column.max():  # never (or always) accepted in this sample: a constant
                share = np.clip(column.mean(), 0.01, 0.99)
                self.intercept_[k] = np.log(share / (1 - share))
                continue
            # newton-cg: exact and fast on a few hundred rows; the same solution lbfgs reaches, in a tenth of the time.
            regression = LogisticRegression(C=self.C, solver="newton-cg", tol=1e-8, max_iter=self.max_iter)
            regression.fit(X, column)
            self.coef_[k] = regression.coef_[0]
            self.intercept_[k] = regression.intercept_[0]
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=float) @ self.coef_.T + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.decision_function(X), -40.0, 40.0)))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.predict_proba(X).argmax(axis=1))


def build_pipeline(C: float = 0.3, with_rule_features: bool = True) -> Pipeline:
    """The model: encode the profile and rule outputs, then one logistic regression per runtime."""
    return Pipeline([("encode", WorkloadEncoder(with_rule_features=with_rule_features)),
                     ("classify", AcceptedRuntimes(C=C))])
