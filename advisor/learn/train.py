"""Training and honest evaluation: nested cross-validation, the blend decision, JSON parameters.

First-place accuracy is an accepted-set match: a row counts as right when the first feasible runtime
is one the labels accept (or, for a row no runtime can run, when nothing is recommended).

Nested cross-validation keeps every choice away from the rows that measure it. The outer folds split
the corpus; inside each outer training part an inner cross-validation chooses the regularisation C
(for the model alone and for the blend) and the blend weight w; the model is then fitted on the
outer training part with those choices and scored on the outer test rows only. The blend is used
only when its nested accuracy is higher than the rules'. The parameters that ship are chosen by the
same inner procedure run once on the whole corpus.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor import RUNTIMES
from advisor.engine.scoring import first_place
from advisor.errors import UsageError
from advisor.learn.corpus import Corpus
from advisor.learn.features import with_rule_columns
from advisor.learn.model_file import FORMAT, FORMAT_VERSION


def _assumed_seed() -> int:
    """The project's one random seed (models/assumptions.yaml `assume.seed`)."""
    from advisor.knowledge.base import knowledge

    return int(knowledge().number("assume.seed"))


DEFAULT_SEED = _assumed_seed()
DEFAULT_FOLDS = 5
INNER_FOLDS = 4
C_GRID: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0)
"""Regularisation strengths tried by the inner cross-validation (smaller C = stronger L2 penalty)."""
WEIGHT_GRID: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
"""Blend weights tried by the inner cross-validation; 0 means the rules alone."""
Z95 = 1.959963984540054
"""Two-sided 95% quantile of the standard normal distribution (for the Wilson interval)."""
NONE = "none"


@dataclass(frozen=True)
class RuleOutputs:
    """What the rule engine (alone) works out for the corpus rows."""

    axes: np.ndarray
    cost_fit: np.ndarray
    score: np.ndarray
    feasible: np.ndarray


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


def wilson_interval(correct: int, total: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: stays inside [0, 1] and is sensible near 0 and 1,
    where the normal approximation is not (our accuracies sit near 1)."""
    if total <= 0:
        return 0.0, 1.0
    p = correct / total
    denominator = 1.0 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test (McNemar's exact test) on the rows where two scorers disagree: the chance of a
    split at least this uneven if either were equally likely to be right."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def stratification_key(preferred: np.ndarray, folds: int) -> np.ndarray:
    """The preferred runtime per row; classes rarer than `folds` join the most common class."""
    key = np.asarray(preferred).copy()
    values, counts = np.unique(key, return_counts=True)
    common = values[counts.argmax()]
    for value, count in zip(values, counts, strict=True):
        if count < folds:
            key[key == value] = common
    return key


def _splits(key: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(key)), stratification_key(key, folds)))


@dataclass(frozen=True)
class LabelledRows:
    """The corpus as training needs it: model input table, labels and what the rules decided."""

    table: pd.DataFrame  # profile + rule-engine columns (the Pipeline's input)
    labels: np.ndarray  # (n, 4) bool
    preferred: np.ndarray  # (n,) first accepted runtime, -1 for none
    score: np.ndarray  # (n, 4) rule scores
    feasible: np.ndarray  # (n, 4) bool

    def __len__(self) -> int:
        return len(self.labels)

    def correct(self, score: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Accepted-set match of the first feasible runtime under `score`, for `rows`."""
        return accepted_match(first_place(score, self.feasible[rows]), self.labels[rows])

    raw: np.ndarray  # (n, features) the table encoded once, unscaled (what WorkloadEncoder.raw gives)

    def fit(self, C: float, rows: np.ndarray) -> Any:
        """The Pipeline (encoder + classifier) fitted on `rows`: what ships in models/model.json."""
        from advisor.learn.estimator import build_pipeline

        return build_pipeline(C=C).fit(self.table.iloc[rows], self.labels[rows].astype(int))

    def probability(self, C: float, train: np.ndarray, test: np.ndarray) -> np.ndarray:
        """The Pipeline's predict_proba for `test` after fitting on `train`, computed from the matrix encoded
        once (the same arithmetic as `fit(...).predict_proba`, without re-encoding the table per fold)."""
        from advisor.learn.estimator import AcceptedRuntimes, WorkloadEncoder

        encoder = WorkloadEncoder().fit_raw(self.raw[train])
        classifier = AcceptedRuntimes(C=C).fit(encoder.transform_raw(self.raw[train]),
                                               self.labels[train].astype(int))
        return np.asarray(classifier.predict_proba(encoder.transform_raw(self.raw[test])))

    def subset(self, rows: np.ndarray) -> LabelledRows:
        return LabelledRows(self.table.iloc[rows].reset_index(drop=True), self.labels[rows], self.preferred[rows],
                            self.score[rows], self.feasible[rows], self.raw[rows])


def labelled_rows(corpus: Corpus, rules: RuleOutputs | None = None) -> LabelledRows:
    from advisor.learn.estimator import WorkloadEncoder

    rules = rules or rule_outputs(corpus)
    table = with_rule_columns(corpus.frame, rules.axes, rules.cost_fit, rules.score, rules.feasible)
    table = table.reset_index(drop=True)
    return LabelledRows(table, corpus.labels, corpus.preferred, rules.score, rules.feasible,
                        WorkloadEncoder().raw(table))


@dataclass(frozen=True)
class Choice:
    """What the inner cross-validation chose on one training part (ties go to the rules, then to smaller C)."""

    C_model: float  # best C for the model alone
    C_blend: float  # best C for the blend
    weight: float  # best blend weight (0 = the rules alone)
    accuracy_by_weight: dict[float, float]  # inner accuracy of the blend at C_blend, for every weight


def choose(data: LabelledRows, rows: np.ndarray, seed: int, folds: int = INNER_FOLDS,
           c_grid: Sequence[float] = C_GRID, weights: Sequence[float] = WEIGHT_GRID) -> Choice:
    """Inner cross-validation on `rows` only: out-of-fold probabilities for each C, then the C with the best
    model-alone accuracy and the (C, w) with the best blend accuracy."""
    inner = _splits(data.preferred[rows], folds, seed)
    best_model: tuple[float, float] | None = None  # (accuracy, -C)
    best_blend: tuple[tuple[float, float, float], float, float, dict[float, float]] | None = None
    for C in c_grid:
        probability = np.zeros((len(rows), len(RUNTIMES)))
        for train, test in inner:
            probability[test] = data.probability(C, rows[train], rows[test])
        model_key = (float(data.correct(probability, rows).mean()), -C)
        if best_model is None or model_key > best_model:
            best_model = model_key
        by_weight = {w: float(data.correct((1 - w) * data.score[rows] + w * probability, rows).mean())
                     for w in weights}
        for w, accuracy in by_weight.items():
            key = (accuracy, -w, -C)
            if best_blend is None or key > best_blend[0]:
                best_blend = (key, C, w, by_weight)
    assert best_model is not None and best_blend is not None
    return Choice(-best_model[1], best_blend[1], best_blend[2], best_blend[3])


@dataclass(frozen=True)
class ScorerResult:
    """Outer-fold first places of one scorer and how they compare with the labels."""

    name: str
    first: np.ndarray  # (n,) runtime index or -1
    correct: np.ndarray  # (n,) bool

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean()) if len(self.correct) else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """95% Wilson interval of the accuracy."""
        return wilson_interval(int(self.correct.sum()), len(self.correct))


@dataclass(frozen=True)
class NestedEvaluation:
    """Nested cross-validation: every row scored once, by a model whose C and w never saw it."""

    seed: int
    folds: int
    inner_folds: int
    rows: int
    rules: ScorerResult
    model: ScorerResult
    blend: ScorerResult
    choices: tuple[Choice, ...]  # one per outer fold
    test_rows: tuple[np.ndarray, ...]  # the outer test rows of each fold

    @property
    def blend_beats_rules(self) -> bool:
        """The blend is worth using only when its nested accuracy is strictly higher than the rules'."""
        return int(self.blend.correct.sum()) > int(self.rules.correct.sum())

    @property
    def fixes(self) -> int:
        """Rows the blend gets right that the rules get wrong."""
        return int((self.blend.correct & ~self.rules.correct).sum())

    @property
    def breaks(self) -> int:
        """Rows the rules get right that the blend gets wrong."""
        return int((self.rules.correct & ~self.blend.correct).sum())

    @property
    def sign_test_p(self) -> float:
        """How surprising the fixes/breaks split would be if the blend were no better than the rules."""
        return sign_test(self.fixes, self.breaks)


def check_folds(rows: int, folds: int, inner_folds: int = INNER_FOLDS) -> None:
    """Refuse fold counts the corpus cannot fill (each inner fold needs rows from every outer training part)."""
    if folds < 2 or folds > rows:
        raise UsageError(f"the number of outer folds must be between 2 and the corpus size ({rows}), got {folds}")
    smallest_training_part = rows - math.ceil(rows / folds)
    if inner_folds < 2 or inner_folds > smallest_training_part:
        raise UsageError(f"the number of inner folds must be between 2 and the rows of an outer training part "
                         f"({smallest_training_part}), got {inner_folds}")


def nested_evaluate(data: LabelledRows, seed: int = DEFAULT_SEED, folds: int = DEFAULT_FOLDS,
                    inner_folds: int = INNER_FOLDS, c_grid: Sequence[float] = C_GRID) -> NestedEvaluation:
    """Outer stratified k-fold; C and w chosen by `choose` on each outer training part; accuracy on outer test rows."""
    n = len(data)
    check_folds(n, folds, inner_folds)
    model_first = np.full(n, -1)
    blend_first = np.full(n, -1)
    choices: list[Choice] = []
    tests: list[np.ndarray] = []
    for train, test in _splits(data.preferred, folds, seed):
        choice = choose(data, train, seed, inner_folds, c_grid)
        probability = data.probability(choice.C_model, train, test)
        model_first[test] = first_place(probability, data.feasible[test])
        if choice.weight > 0:
            if choice.C_blend != choice.C_model:
                probability = data.probability(choice.C_blend, train, test)
            blended = (1 - choice.weight) * data.score[test] + choice.weight * probability
        else:
            blended = data.score[test]
        blend_first[test] = first_place(blended, data.feasible[test])
        choices.append(choice)
        tests.append(test)
    rules_first = first_place(data.score, data.feasible)

    def result(name: str, first: np.ndarray) -> ScorerResult:
        return ScorerResult(name, first, accepted_match(first, data.labels))

    return NestedEvaluation(seed, folds, inner_folds, n, result("rules alone", rules_first),
                            result("model alone", model_first), result("blend", blend_first),
                            tuple(choices), tuple(tests))


@dataclass(frozen=True)
class Training:
    """Everything one training run found: the nested evaluation, the final choice and whether the blend is used."""

    evaluation: NestedEvaluation
    choice: Choice  # the inner procedure run on the whole corpus
    used: bool
    C: float  # C of the shipped classifier

    @property
    def weight(self) -> float:
        return self.choice.weight if self.used else 0.0


def decide(evaluation: NestedEvaluation, data: LabelledRows) -> Training:
    """Choose the shipped C and w on the whole corpus; use the blend only if it won the nested evaluation."""
    choice = choose(data, np.arange(len(data)), evaluation.seed, evaluation.inner_folds)
    used = evaluation.blend_beats_rules and choice.weight > 0
    return Training(evaluation, choice, used, choice.C_blend if used else choice.C_model)


def export_params(pipeline: Any, training: Training, corpus: Corpus) -> dict[str, Any]:
    """The fitted parameters as a JSON-ready document (plain lists and numbers only)."""
    import sklearn

    encoder = pipeline.named_steps["encode"]
    classifier = pipeline.named_steps["classify"]
    evaluation = training.evaluation

    def floats(values: np.ndarray) -> list[float]:
        return [float(v) for v in np.asarray(values, dtype=float).ravel()]

    def scorer(result: ScorerResult) -> dict[str, Any]:
        low, high = result.interval
        return {"accuracy": round(result.accuracy, 6), "correct": int(result.correct.sum()),
                "interval_95": [round(low, 6), round(high, 6)]}

    if training.used:
        reason = (f"nested accuracy of the blend {evaluation.blend.accuracy:.3f} is higher than the rules' "
                  f"{evaluation.rules.accuracy:.3f}")
    elif evaluation.blend_beats_rules:
        reason = "the blend won the nested evaluation, but the whole-corpus choice of w is 0: rules only"
    else:
        reason = (f"nested accuracy of the blend {evaluation.blend.accuracy:.3f} is not higher than the rules' "
                  f"{evaluation.rules.accuracy:.3f}: rules only")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "runtimes": list(RUNTIMES),
        "seed": evaluation.seed,
        "folds": evaluation.folds,
        "inner_folds": evaluation.inner_folds,
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
            "weight": float(training.weight),
            "used": bool(training.used),
            "reason": reason,
            "chosen_weight": float(training.choice.weight),
            "chosen_C": float(training.choice.C_blend),
            "chosen_on": f"inner stratified {evaluation.inner_folds}-fold cross-validation over the whole corpus",
            "inner_accuracy_by_weight": {f"{w:.1f}": round(acc, 6)
                                         for w, acc in training.choice.accuracy_by_weight.items()},
        },
        "cv": {
            "method": (f"nested: outer stratified {evaluation.folds}-fold (seed {evaluation.seed}); C in "
                       f"{list(C_GRID)} and w in 0.0-1.0 chosen by an inner stratified {evaluation.inner_folds}-fold "
                       "on each outer training part; accuracy on outer test rows only"),
            "nested": True,
            "accuracy_rules": round(evaluation.rules.accuracy, 6),
            "accuracy_model": round(evaluation.model.accuracy, 6),
            "accuracy_blend": round(evaluation.blend.accuracy, 6),
            "rules": scorer(evaluation.rules),
            "model": scorer(evaluation.model),
            "blend": scorer(evaluation.blend),
            "blend_fixes": evaluation.fixes,
            "blend_breaks": evaluation.breaks,
            "sign_test_p": round(evaluation.sign_test_p, 6),
            "fold_choices": [{"C_model": c.C_model, "C_blend": c.C_blend, "weight": c.weight}
                             for c in evaluation.choices],
        },
    }


def train(corpus: Corpus, seed: int = DEFAULT_SEED, folds: int = DEFAULT_FOLDS,
          inner_folds: int = INNER_FOLDS) -> tuple[dict[str, Any], Training]:
    """Nested evaluation, the final choice on the whole corpus, the final fit: (JSON parameters, Training)."""
    data = labelled_rows(corpus)
    evaluation = nested_evaluate(data, seed=seed, folds=folds, inner_folds=inner_folds)
    training = decide(evaluation, data)
    pipeline = data.fit(training.C, np.arange(len(data)))
    return export_params(pipeline, training, corpus), training


def fit_pipeline(corpus: Corpus, C: float = 0.3, rules: RuleOutputs | None = None) -> Any:
    """A Pipeline fitted on the whole corpus at `C` (for tests and inspection)."""
    data = labelled_rows(corpus, rules)
    return data.fit(C, np.arange(len(data)))


# ---------------------------------------------------------------------------------- the report


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


def _c(value: float) -> str:
    return f"{value:g}"


def format_evaluation(training: Training, corpus: Corpus, saved: dict[str, Any] | None = None) -> str:
    """The nested evaluation as plain text tables (what `advisor model evaluate` prints)."""
    ev = training.evaluation

    def pct(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:5.3f}"

    lines = [f"Nested cross-validation of first-place accuracy (accepted-set match) on {ev.rows} reference workloads",
             f"outer: stratified {ev.folds}-fold, seed {ev.seed}; inner: stratified {ev.inner_folds}-fold on each "
             "outer training part,",
             f"choosing C from {', '.join(_c(c) for c in C_GRID)} and the blend weight w from 0.0 to 1.0; "
             "accuracy is counted on outer test rows only",
             f"corpus sha256 {corpus.sha256[:12]}", ""]
    scorers = (ev.rules, ev.model, ev.blend)
    lines.append(f"{'scorer':<14} {'accuracy':>8} {'correct':>9}  {'95% interval':>12}")
    for name, result in zip(("rules alone", "model alone", "blend"), scorers, strict=True):
        low, high = result.interval
        lines.append(f"{name:<14} {result.accuracy:8.3f} {f'{int(result.correct.sum())}/{ev.rows}':>9}  "
                     f"{f'{low:.3f}-{high:.3f}':>12}")
    lines += ["", "chosen inside each outer fold (C model alone, C blend, w): " + "; ".join(
        f"{i + 1}: {_c(c.C_model)}, {_c(c.C_blend)}, {c.weight:.1f}" for i, c in enumerate(ev.choices)),
        f"blend against rules on the same rows: fixes {ev.fixes}, breaks {ev.breaks} (exact two-sided sign test "
        f"on the rows where they differ: p = {ev.sign_test_p:.3f})"]
    if training.used:
        lines.append(f"decision: the blend's nested accuracy ({ev.blend.accuracy:.3f}) is higher than the rules' "
                     f"({ev.rules.accuracy:.3f}), so recommend and assess use it, with C={_c(training.C)} and "
                     f"w={training.weight:.1f} chosen by the same inner procedure on the whole corpus")
    elif ev.blend_beats_rules:
        lines.append("decision: the blend won the nested evaluation, but the inner procedure on the whole corpus "
                     "chooses w=0, so recommend and assess use the rules alone")
    else:
        lines.append(f"decision: the blend's nested accuracy ({ev.blend.accuracy:.3f}) is not higher than the rules' "
                     f"({ev.rules.accuracy:.3f}), so recommend and assess use the rules alone (w=0)")
    lines += ["", "per runtime: precision = share of its first places that are accepted; "
              "recall = share of rows preferring it that got it first",
              f"{'runtime':<12} " + " ".join(f"{n + ' P':>14} {n + ' R':>14}" for n in ("rules", "model", "blend"))]
    tables = [per_runtime(result, corpus) for result in scorers]
    for runtime in RUNTIMES:
        cells = " ".join(f"{pct(t[runtime][0]):>14} {pct(t[runtime][1]):>14}" for t in tables)
        lines.append(f"{runtime:<12} {cells}")
    labels = [*RUNTIMES, NONE]
    for name, result in zip(("rules alone", "model alone", "blend"), scorers, strict=True):
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
