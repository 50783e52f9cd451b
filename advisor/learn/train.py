"""Training and evaluation: stratified k-fold cross-validation, blend-weight choice, JSON parameters.

First-place accuracy is an accepted-set match: a row counts as right when the first feasible runtime
is one the labels accept (or, for a row no runtime can run, when nothing is recommended).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from advisor import RUNTIMES
from advisor.engine.scoring import first_place
from advisor.learn.corpus import Corpus
from advisor.learn.features import with_rule_columns
from advisor.learn.model_file import FORMAT, FORMAT_VERSION

DEFAULT_FOLDS = 5
DEFAULT_C = 0.3
WEIGHT_GRID: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
NONE = "none"


@dataclass(frozen=True)
class RuleOutputs:
    """What the rule engine (alone) works out for the corpus rows."""

    axes: np.ndarray
    cost_fit: np.ndarray
    score: np.ndarray
    feasible: np.ndarray


@dataclass(frozen=True)
class ScorerResult:
    """Out-of-fold first places of one scorer and how they compare with the labels."""

    name: str
    first: np.ndarray  # (n,) runtime index or -1
    correct: np.ndarray  # (n,) bool

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean()) if len(self.correct) else 0.0


@dataclass(frozen=True)
class CrossValidation:
    """Everything cross-validation found: per-scorer results, accuracy by blend weight and the choice."""

    seed: int
    folds: int
    C: float
    rows: int
    probability: np.ndarray  # (n, 4) out-of-fold model probabilities
    rules: ScorerResult
    model: ScorerResult
    blend: ScorerResult  # at the chosen weight (equal to rules when the weight is 0)
    accuracy_by_weight: dict[float, float]
    best_weight: float  # the best weight > 0 (reported even when not used)
    weight: float  # the weight used: best_weight if the blend is at least as good, else 0
    used: bool


def default_seed() -> int:
    """The project's one random seed (models/assumptions.yaml `assume.seed`)."""
    from advisor.knowledge.base import knowledge

    return int(knowledge().number("assume.seed"))


def rule_outputs(corpus: Corpus) -> RuleOutputs:
    """Score the corpus with the rules alone (never with a previously trained model)."""
    from advisor.engine.scoring import score_frame

    scored = score_frame(corpus.frame)  # no blend: the rules' own outputs
    return RuleOutputs(scored.axes, scored.cost_fit, scored.score, scored.feasible)


def accepted_match(first: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per row: is the first place one of the accepted runtimes (nothing, when none is accepted)?"""
    rows = np.arange(len(first))
    picked = labels[rows, np.maximum(first, 0)]
    return np.where(first >= 0, picked, ~labels.any(axis=1))


def stratification_key(corpus: Corpus, folds: int) -> np.ndarray:
    """The preferred runtime per row; classes rarer than `folds` join the most common class."""
    key = corpus.preferred.copy()
    values, counts = np.unique(key, return_counts=True)
    common = values[counts.argmax()]
    for value, count in zip(values, counts, strict=True):
        if count < folds:
            key[key == value] = common
    return key


def _table(corpus: Corpus, rules: RuleOutputs) -> Any:
    return with_rule_columns(corpus.frame, rules.axes, rules.cost_fit, rules.score, rules.feasible)


def cross_validate(corpus: Corpus, seed: int | None = None, folds: int = DEFAULT_FOLDS, C: float = DEFAULT_C,
                   rules: RuleOutputs | None = None) -> CrossValidation:
    """Stratified k-fold CV (fixed seed: `assume.seed` unless given) of the model alone, the rules alone and
    the blend at each weight."""
    seed = default_seed() if seed is None else seed
    from sklearn.model_selection import StratifiedKFold

    from advisor.learn.estimator import build_pipeline

    if folds < 2 or folds > len(corpus):
        raise ValueError(f"--folds must be between 2 and the corpus size ({len(corpus)}), got {folds}")
    rules = rules or rule_outputs(corpus)
    table = _table(corpus, rules)
    y = corpus.labels.astype(int)
    probability = np.zeros(y.shape)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(corpus)), stratification_key(corpus, folds)):
        pipeline = build_pipeline(C=C).fit(table.iloc[train_index], y[train_index])
        probability[test_index] = pipeline.predict_proba(table.iloc[test_index])

    def result(name: str, score: np.ndarray) -> ScorerResult:
        first = first_place(score, rules.feasible)
        return ScorerResult(name, first, accepted_match(first, corpus.labels))

    rules_result = result("rules alone", rules.score)
    model_result = result("model alone", probability)
    by_weight = {w: result("blend", (1 - w) * rules.score + w * probability).accuracy for w in WEIGHT_GRID}
    best = max(by_weight.values())
    # The smallest weight reaching the best accuracy: ties go to the rules.
    chosen = min(w for w, acc in by_weight.items() if acc == best)
    positive = {w: acc for w, acc in by_weight.items() if w > 0}
    best_positive = min(w for w, acc in positive.items() if acc == max(positive.values()))
    used = chosen > 0 and by_weight[chosen] >= rules_result.accuracy
    weight = chosen if used else 0.0
    blend_result = result("blend", (1 - weight) * rules.score + weight * probability)
    return CrossValidation(seed, folds, C, len(corpus), probability, rules_result, model_result, blend_result,
                           by_weight, best_positive, weight, used)


def fit_pipeline(corpus: Corpus, C: float = DEFAULT_C, rules: RuleOutputs | None = None) -> Any:
    """The final Pipeline, fitted on the whole corpus."""
    from advisor.learn.estimator import build_pipeline

    rules = rules or rule_outputs(corpus)
    return build_pipeline(C=C).fit(_table(corpus, rules), corpus.labels.astype(int))


def export_params(pipeline: Any, cv: CrossValidation, corpus: Corpus) -> dict[str, Any]:
    """The fitted parameters as a JSON-ready document (plain lists and numbers only)."""
    import sklearn

    encoder = pipeline.named_steps["encode"]
    classifier = pipeline.named_steps["classify"]

    def floats(values: np.ndarray) -> list[float]:
        return [float(v) for v in np.asarray(values, dtype=float).ravel()]

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "runtimes": list(RUNTIMES),
        "seed": cv.seed,
        "folds": cv.folds,
        "corpus_file": "reference_workloads.csv",
        "corpus_rows": len(corpus),
        "corpus_sha256": corpus.sha256,
        "trained_with": {"scikit_learn": sklearn.__version__},
        "target": "one binary 'accepted?' label per runtime (labels are sets), one logistic regression each",
        "encoder": {
            "categories": {field: list(values) for field, values in encoder.categories_.items()},
            "feature_names": list(encoder.feature_names_),
            "mean": floats(encoder.mean_),
            "scale": floats(encoder.scale_),
        },
        "classifier": {
            "kind": "logistic_regression_per_runtime",
            "C": float(classifier.C),
            "coef": [floats(row) for row in classifier.coef_],
            "intercept": floats(classifier.intercept_),
        },
        "blend": {
            "formula": "(1 - weight) * rule_score + weight * model_probability",
            "weight": float(cv.weight),
            "used": bool(cv.used),
            "best_weight_above_zero": float(cv.best_weight),
            "cv_accuracy_by_weight": {f"{w:.1f}": round(acc, 6) for w, acc in cv.accuracy_by_weight.items()},
        },
        "cv": {
            "method": f"stratified {cv.folds}-fold, shuffled with seed {cv.seed}",
            "accuracy_rules": round(cv.rules.accuracy, 6),
            "accuracy_model": round(cv.model.accuracy, 6),
            "accuracy_blend": round(cv.blend.accuracy, 6),
        },
    }


def train(corpus: Corpus, seed: int | None = None, folds: int = DEFAULT_FOLDS,
          C: float = DEFAULT_C) -> tuple[dict[str, Any], CrossValidation]:
    """Cross-validate, fit on the whole corpus and return (JSON parameters, CV results)."""
    seed = default_seed() if seed is None else seed
    rules = rule_outputs(corpus)
    cv = cross_validate(corpus, seed=seed, folds=folds, C=C, rules=rules)
    pipeline = fit_pipeline(corpus, C=C, rules=rules)
    return export_params(pipeline, cv, corpus), cv


# ---------------------------------------------------------------------------------- the report


def _label(index: int) -> str:
    return RUNTIMES[index] if index >= 0 else NONE


def per_runtime(result: ScorerResult, corpus: Corpus) -> dict[str, tuple[float | None, float | None]]:
    """Precision: of the rows it put runtime R first, the share where R is accepted.
    Recall: of the rows whose preferred (first-listed) runtime is R, the share where it put R first."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for k, runtime in enumerate(RUNTIMES):
        predicted = result.first == k
        preferred = corpus.preferred == k
        precision = float(corpus.labels[predicted, k].mean()) if predicted.any() else None
        recall = float((result.first[preferred] == k).mean()) if preferred.any() else None
        out[runtime] = (precision, recall)
    return out


def confusion(result: ScorerResult, corpus: Corpus) -> np.ndarray:
    """(5, 5) counts: rows = preferred runtime (or none), columns = first place given (or none)."""
    size = len(RUNTIMES) + 1
    matrix = np.zeros((size, size), dtype=int)
    for preferred, first in zip(corpus.preferred, result.first, strict=True):
        matrix[preferred if preferred >= 0 else size - 1, first if first >= 0 else size - 1] += 1
    return matrix


def format_evaluation(cv: CrossValidation, corpus: Corpus, saved: dict[str, Any] | None = None) -> str:
    """The evaluation as plain text tables (what `advisor model evaluate` prints)."""

    def pct(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:5.3f}"

    lines = [f"Cross-validated first-place accuracy (accepted-set match) on {cv.rows} reference workloads",
             f"stratified {cv.folds}-fold, seed {cv.seed}, logistic regression C={cv.C:g}, corpus sha256 "
             f"{corpus.sha256[:12]}", ""]
    scorers = (cv.rules, cv.model, cv.blend)
    names = ("rules alone", "model alone", f"blend (w={cv.weight:.1f})")
    lines.append(f"{'scorer':<16} {'accuracy':>8} {'correct':>9}")
    for name, result in zip(names, scorers, strict=True):
        lines.append(f"{name:<16} {result.accuracy:8.3f} {f'{int(result.correct.sum())}/{cv.rows}':>9}")
    weights = "  ".join(f"{w:.1f}:{acc:.3f}" for w, acc in cv.accuracy_by_weight.items())
    lines += ["", f"blend accuracy by weight w: {weights}"]
    if cv.used:
        lines.append(f"decision: the blend (w={cv.weight:.1f}) is at least as good as the rules alone, so "
                     "recommend and assess use it")
    else:
        lines.append(f"decision: no weight above 0 beats the rules alone (best w={cv.best_weight:.1f}: "
                     f"{cv.accuracy_by_weight[cv.best_weight]:.3f} vs {cv.rules.accuracy:.3f}), so recommend and "
                     "assess use the rules alone (w=0)")
    lines += ["", "per runtime: precision = share of its first places that are accepted; "
              "recall = share of rows preferring it that got it first",
              f"{'runtime':<12} " + " ".join(f"{n + ' P':>14} {n + ' R':>14}" for n in ("rules", "model", "blend"))]
    tables = [per_runtime(result, corpus) for result in scorers]
    for runtime in RUNTIMES:
        cells = " ".join(f"{pct(t[runtime][0]):>14} {pct(t[runtime][1]):>14}" for t in tables)
        lines.append(f"{runtime:<12} {cells}")
    labels = [*RUNTIMES, NONE]
    for name, result in zip(names, scorers, strict=True):
        matrix = confusion(result, corpus)
        lines += ["", f"confusion matrix, {name}: rows = preferred runtime, columns = first place given",
                  f"{'':<12} " + " ".join(f"{label:>11}" for label in labels)]
        for i, label in enumerate(labels):
            lines.append(f"{label:<12} " + " ".join(f"{count:>11}" for count in matrix[i]))
    if saved is not None:
        blend = saved.get("blend", {})
        lines += ["", f"saved model (models/model.json): used={str(blend.get('used')).lower()}, "
                      f"blend weight {blend.get('weight')}, seed {saved.get('seed')}, folds {saved.get('folds')}, "
                      f"corpus sha256 {str(saved.get('corpus_sha256', ''))[:12]}"
                      + ("" if saved.get("corpus_sha256") == corpus.sha256 else
                         " (trained on a different corpus: retrain with `advisor model train`)")]
    return "\n".join(lines) + "\n"
