"""Structured conditions over profile fields, evaluated on a whole frame at once (never `eval`).

A condition is a list of clauses that must all hold, or a mapping with one of `all`, `any` or
`not`. A clause is `{field: F, op: OP, value: V}`; V may be a literal or `{fact: KEY, times: X}`.
Operators: eq, ne, in, not_in, gt, gte, lt, lte, has (a protocol is listed), set, unset.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import KnowledgeBaseError
from advisor.knowledge.base import KnowledgeBase
from advisor.profile.fields import FIELD_BY_NAME, PROTOCOLS

OPS = frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "has", "set", "unset"})


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
    if condition is None:
        return np.ones(n, dtype=bool)
    if isinstance(condition, list):
        mask = np.ones(n, dtype=bool)
        for item in condition:
            mask &= evaluate(item, frame, kb)
        return mask
    if "all" in condition:
        return evaluate(list(condition["all"]), frame, kb)
    if "any" in condition:
        mask = np.zeros(n, dtype=bool)
        for item in condition["any"]:
            mask |= evaluate(item, frame, kb)
        return mask
    if "not" in condition:
        return ~evaluate(condition["not"], frame, kb)
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
        if op == "eq":
            return np.asarray(values == value, dtype=bool)
        if op == "ne":
            return np.asarray(values != value, dtype=bool)
        numbers = values.astype(float)
        if op == "gt":
            return numbers > value
        if op == "gte":
            return numbers >= value
        if op == "lt":
            return numbers < value
        return numbers <= value


def _compare_codes(column: pd.Series, op: str, value: Any) -> np.ndarray:
    """eq/ne/in/not_in on a categorical column, compared on its integer codes."""
    codes = column.cat.codes.to_numpy()
    categories = list(column.cat.categories)
    wanted = [value] if op in ("eq", "ne") else list(value)
    targets = [categories.index(v) for v in wanted if v in categories]
    result = np.isin(codes, targets)
    return ~result if op in ("ne", "not_in") else result
