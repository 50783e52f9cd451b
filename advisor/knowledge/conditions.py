"""The condition language of advisor's data files, evaluated without `eval`.

One shape serves every condition: a condition is a list of clauses that must all hold, or a mapping
with one of `all`, `any` or `not`, nested freely; `combine` walks that tree for any kind of truth
value. The comparison operators (`COMPARISONS`: eq, ne, in, not_in, gt, gte, lt, lte) mean the same
everywhere. Two kinds of clause use them:

- rules in models/ test profile fields on a whole frame at once (`evaluate`): `{field: F, op: OP,
  value: V}`, where V may be `{fact: KEY, times: X}`, plus `has` (a protocol is listed), `set`, `unset`;
- questionnaires test earlier answers (`advisor.interview.conditions`): `{question: ID, OP: V}`, plus
  `includes` and `answered`, in three-valued logic (a question still to come is unknown).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from advisor.errors import KnowledgeBaseError
from advisor.knowledge.base import KnowledgeBase
from advisor.profile.fields import FIELD_BY_NAME, PROTOCOLS

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
    "in": lambda value, options: value in options, "not_in": lambda value, options: value not in options,
}
"""The comparison operators every condition shares (scalars; `evaluate` applies them to whole columns)."""
OPS = frozenset({*COMPARISONS, "has", "set", "unset"})
GROUPS = ("all", "any", "not")
T = TypeVar("T")


def combine(condition: Any, leaf: Callable[[Mapping[str, Any]], T], true: T, all_of: Callable[[list[T]], T],
            any_of: Callable[[list[T]], T], negate: Callable[[T], T]) -> T:
    """Walk a condition tree: None is `true`, a list or `all` is `all_of`, `any` is `any_of`, `not` is
    `negate`, and anything else is a clause for `leaf`. The truth values may be booleans, arrays of
    them, or three-valued (None for unknown)."""
    if condition is None:
        return true
    if isinstance(condition, list):
        return all_of([combine(c, leaf, true, all_of, any_of, negate) for c in condition])
    if "all" in condition:
        return all_of([combine(c, leaf, true, all_of, any_of, negate) for c in condition["all"]])
    if "any" in condition:
        return any_of([combine(c, leaf, true, all_of, any_of, negate) for c in condition["any"]])
    if "not" in condition:
        return negate(combine(condition["not"], leaf, true, all_of, any_of, negate))
    return leaf(condition)


def validate(condition: Any, where: str, kb: KnowledgeBase) -> None:
    """Check a condition's shape, field names, operators and fact references; errors name `where`."""
    if condition is None:
        return
    if isinstance(condition, list):
        for item in condition:
            validate(item, where, kb)
        return
    if not isinstance(condition, dict):
        raise KnowledgeBaseError(f"{where}: a condition must be a list or mapping, got {condition!r}")
    for group in ("all", "any"):
        if group in condition:
            validate(condition[group], where, kb)
            return
    if "not" in condition:
        validate(condition["not"], where, kb)
        return
    field, op = condition.get("field"), condition.get("op")
    if field not in FIELD_BY_NAME:
        raise KnowledgeBaseError(f"{where}: unknown profile field {field!r}")
    if op not in OPS:
        raise KnowledgeBaseError(f"{where}: unknown operator {op!r} (use one of {', '.join(sorted(OPS))})")
    if op == "has" and (field != "protocols" or condition.get("value") not in PROTOCOLS):
        raise KnowledgeBaseError(f"{where}: 'has' takes field protocols and one of {', '.join(PROTOCOLS)}")
    if op not in ("set", "unset", "has"):
        resolve(condition.get("value"), where, kb)


def resolve(value: Any, where: str, kb: KnowledgeBase) -> Any:
    """A literal, or a fact's value (`{fact: key, times: x}`)."""
    if isinstance(value, dict):
        if "fact" not in value:
            raise KnowledgeBaseError(f"{where}: a value mapping needs 'fact', got {value!r}")
        fact_value = kb.value(str(value["fact"]))
        if "times" in value:
            return float(fact_value) * float(value["times"])
        return fact_value
    return value


def evaluate(condition: Any, frame: pd.DataFrame, kb: KnowledgeBase) -> np.ndarray:
    """A boolean array, one entry per row of `frame`: where the condition holds."""
    n = len(frame)
    return combine(condition, lambda clause: _clause(clause, frame, kb), np.ones(n, dtype=bool),
                   lambda masks: np.logical_and.reduce(masks, initial=True) if masks else np.ones(n, dtype=bool),
                   lambda masks: np.logical_or.reduce(masks, initial=False) if masks else np.zeros(n, dtype=bool),
                   np.logical_not)


def _clause(condition: Mapping[str, Any], frame: pd.DataFrame, kb: KnowledgeBase) -> np.ndarray:
    field, op = condition["field"], condition["op"]
    if op == "has":
        return frame[f"proto_{condition['value']}"].to_numpy(dtype=bool)
    column = frame[field]
    if op == "set":
        return column.notna().to_numpy()
    if op == "unset":
        return column.isna().to_numpy()
    value = resolve(condition.get("value"), "condition", kb)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _compare_codes(column, op, value)
    values = column.to_numpy()
    if op in ("in", "not_in"):
        result = np.isin(values, list(value))
        return ~result if op == "not_in" else result
    with np.errstate(invalid="ignore"):
        operands = values if op in ("eq", "ne") else values.astype(float)
        return np.asarray(COMPARISONS[op](operands, value), dtype=bool)


def _compare_codes(column: pd.Series, op: str, value: Any) -> np.ndarray:
    """eq/ne/in/not_in on a categorical column, compared on its integer codes."""
    codes = column.cat.codes.to_numpy()
    categories = list(column.cat.categories)
    wanted = [value] if op in ("eq", "ne") else list(value)
    targets = [categories.index(v) for v in wanted if v in categories]
    result = np.isin(codes, targets)
    return ~result if op in ("ne", "not_in") else result
