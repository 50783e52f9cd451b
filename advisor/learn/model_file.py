"""The fitted model as data: a JSON file of plain numbers (never pickle), loaded and applied with numpy.

`models/model.json` holds the encoder's category lists and scaler, the four per-runtime logistic
regressions, the blend weight chosen by cross-validation and the cross-validated accuracies. Loading
refuses anything that is not this JSON format (a pickle, a joblib dump, a broken or foreign file) with
a message that names the file, because deserialising those can execute code.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advisor import RUNTIMES
from advisor.errors import AdvisorError
from advisor.learn.features import ENUM_FIELDS, feature_names, linear_scores

FORMAT = "advisor-runtime-model"
FORMAT_VERSION = 1
MODEL_FILE = "model.json"
CORPUS_FILE = "reference_workloads.csv"
PICKLE_MAGIC = (b"\x80", b"PK\x03\x04")  # pickle protocol 2+ opcode; zip (joblib/skops/npz containers)


class ModelFileError(AdvisorError):
    """Raised when a model file is missing pieces, is not advisor's JSON model format, or is a pickle."""

    exit_code = 2


def package_models_dir() -> Path:
    """The installed `models/` folder (the package data directory `advisor.models`)."""
    return Path(str(importlib.resources.files("advisor.models")))


def default_model_path() -> Path:
    return package_models_dir() / MODEL_FILE


def default_corpus_path() -> Path:
    return package_models_dir() / CORPUS_FILE


@dataclass(frozen=True)
class RuntimeModel:
    """Fitted parameters, ready for vectorised numpy inference."""

    categories: dict[str, list[str]]
    feature_names: tuple[str, ...]
    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    coef: np.ndarray  # (runtimes, features)
    intercept: np.ndarray  # (runtimes,)
    blend_weight: float
    used: bool
    cv_accuracy_rules: float
    cv_accuracy_model: float
    cv_accuracy_blend: float
    seed: int
    folds: int
    corpus_sha256: str
    source: str = ""

    @property
    def weights(self) -> np.ndarray:
        """Coefficients on the unscaled features: ((x - mean) / scale) @ coef.T == x @ weights.T + bias."""
        return self.coef / self.scale

    @property
    def bias(self) -> np.ndarray:
        return self.intercept - (self.mean / self.scale) @ self.coef.T

    def predict_proba(self, frame: pd.DataFrame, axes: np.ndarray, cost_fit: np.ndarray, score: np.ndarray,
                      feasible: np.ndarray) -> np.ndarray:
        """(n, 4) probability that an architect would accept each runtime, from the rule outputs and profile."""
        logits = linear_scores(frame, axes, cost_fit, score, feasible, self.categories, self.weights, self.bias)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))

    def blend(self, score: np.ndarray, probability: np.ndarray, weight: float | None = None) -> np.ndarray:
        """(1 - w) * rule score + w * model probability."""
        w = self.blend_weight if weight is None else weight
        return (1.0 - w) * score + w * probability

    def summary(self) -> dict[str, Any]:
        """The `model` field of the JSON output."""
        return {"used": self.used, "blend_weight": self.blend_weight,
                "cv_accuracy_rules": round(self.cv_accuracy_rules, 3),
                "cv_accuracy_blend": round(self.cv_accuracy_blend, 3)}


def _number_list(value: Any, where: str, length: int | None = None) -> np.ndarray:
    if not isinstance(value, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise ModelFileError(f"{where}: expected a list of numbers")
    array = np.asarray(value, dtype=float)
    if length is not None and len(array) != length:
        raise ModelFileError(f"{where}: expected {length} numbers, got {len(array)}")
    if not np.all(np.isfinite(array)):
        raise ModelFileError(f"{where}: numbers must be finite")
    return array


def _fraction(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= float(value) <= 1.0:
        raise ModelFileError(f"{where}: expected a number between 0 and 1, got {value!r}")
    return float(value)


def model_from_params(params: Mapping[str, Any], source: str = "model") -> RuntimeModel:
    """Validate a parsed JSON document and build the model; every problem names the file and key."""
    if not isinstance(params, Mapping) or params.get("format") != FORMAT:
        raise ModelFileError(f"{source}: not an advisor model file (expected \"format\": \"{FORMAT}\")")
    if params.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{source}: format_version {params.get('format_version')!r} is not supported "
                             f"(this advisor reads version {FORMAT_VERSION}); retrain with `advisor model train`")
    if list(params.get("runtimes") or []) != list(RUNTIMES):
        raise ModelFileError(f"{source}: runtimes must be {list(RUNTIMES)}")
    encoder, classifier, blend, cv = (params.get(key) for key in ("encoder", "classifier", "blend", "cv"))
    for key, part in (("encoder", encoder), ("classifier", classifier), ("blend", blend), ("cv", cv)):
        if not isinstance(part, Mapping):
            raise ModelFileError(f"{source}: missing the {key!r} section")
    assert isinstance(encoder, Mapping) and isinstance(classifier, Mapping)
    assert isinstance(blend, Mapping) and isinstance(cv, Mapping)
    categories = encoder.get("categories")
    if not isinstance(categories, Mapping) or set(categories) != set(ENUM_FIELDS):
        raise ModelFileError(f"{source}: encoder.categories must list the values of {', '.join(ENUM_FIELDS)}")
    cats = {}
    for field in ENUM_FIELDS:
        values = categories[field]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise ModelFileError(f"{source}: encoder.categories.{field} must be a non-empty list of strings")
        cats[field] = list(values)
    names = feature_names(cats)
    if list(encoder.get("feature_names") or []) != names:
        raise ModelFileError(f"{source}: encoder.feature_names do not match this advisor's features; "
                             "retrain with `advisor model train`")
    d = len(names)
    mean = _number_list(encoder.get("mean"), f"{source}: encoder.mean", d)
    scale = _number_list(encoder.get("scale"), f"{source}: encoder.scale", d)
    if np.any(scale <= 0):
        raise ModelFileError(f"{source}: encoder.scale must be positive")
    coef_rows = classifier.get("coef")
    if not isinstance(coef_rows, list) or len(coef_rows) != len(RUNTIMES):
        raise ModelFileError(f"{source}: classifier.coef must have one row per runtime")
    coef = np.vstack([_number_list(row, f"{source}: classifier.coef[{i}]", d) for i, row in enumerate(coef_rows)])
    intercept = _number_list(classifier.get("intercept"), f"{source}: classifier.intercept", len(RUNTIMES))
    weight = _fraction(blend.get("weight"), f"{source}: blend.weight")
    used = blend.get("used")
    if not isinstance(used, bool):
        raise ModelFileError(f"{source}: blend.used must be true or false")
    if used and weight <= 0:
        raise ModelFileError(f"{source}: blend.used is true but blend.weight is 0")
    for key in ("seed", "folds"):
        if not isinstance(params.get(key), int) or isinstance(params.get(key), bool):
            raise ModelFileError(f"{source}: {key} must be an integer")
    return RuntimeModel(
        categories=cats, feature_names=tuple(names), mean=mean, scale=scale, coef=coef, intercept=intercept,
        blend_weight=weight, used=used,
        cv_accuracy_rules=_fraction(cv.get("accuracy_rules"), f"{source}: cv.accuracy_rules"),
        cv_accuracy_model=_fraction(cv.get("accuracy_model"), f"{source}: cv.accuracy_model"),
        cv_accuracy_blend=_fraction(cv.get("accuracy_blend"), f"{source}: cv.accuracy_blend"),
        seed=int(params["seed"]), folds=int(params["folds"]), corpus_sha256=str(params.get("corpus_sha256", "")),
        source=source,
    )


def load_model(path: str | os.PathLike[str]) -> RuntimeModel:
    """Read a model file written by `advisor model train`. Pickles and other formats are refused."""
    label = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{label}: no such model file; run `advisor model train`") from None
    except OSError as exc:
        raise ModelFileError(f"{label}: cannot read the model file ({exc})") from None
    if data.startswith(PICKLE_MAGIC):
        raise ModelFileError(f"{label}: this looks like a pickle or joblib file; advisor never loads pickles "
                             "(unpickling can run arbitrary code). Use the JSON file written by `advisor model train`.")
    try:
        params = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{label}: not advisor's JSON model format ({exc}); only JSON model files are loaded, "
                             "never pickles") from None
    return model_from_params(params, source=label)


def to_json(params: Mapping[str, Any]) -> str:
    """Canonical text of a parameter document (sorted keys, so identical parameters give identical bytes)."""

    def check(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("model parameters must be finite numbers")
        return value

    return json.dumps(params, indent=1, sort_keys=True, allow_nan=False, default=check) + "\n"


def write_model(params: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write the parameters atomically: a temporary file in the same folder, then os.replace."""
    from advisor.files import refuse_input_overwrite

    model_from_params(params, source="new model")  # never write what could not be read back
    target = Path(path)
    refuse_input_overwrite(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = to_json(params)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        # mkstemp creates the file readable by its owner only; keep the mode of the file it replaces,
        # or make it readable by all like any other package data.
        os.chmod(temp_name, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target
