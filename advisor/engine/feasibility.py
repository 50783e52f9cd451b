"""Feasibility: hard limits become blockers, soft concerns become cautions (models/feasibility.yaml).

Every check runs over the whole frame at once and yields a boolean mask per rule; the details of a
blocker (limit, value, message, source) are only worked out for the rows that are explained.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor import RUNTIMES
from advisor.engine.sizing import fargate_fit, fargate_size_key, fargate_sizes
from advisor.errors import KnowledgeBaseError
from advisor.knowledge.base import KnowledgeBase, format_fact, knowledge, rules
from advisor.knowledge.conditions import evaluate, validate
from advisor.profile.fields import FIELD_BY_NAME
from advisor.profile.units import format_count, format_duration, format_size_mb

CHECKS = frozenset({"max", "forbidden", "allowed", "all_allowed", "subset", "fargate_size"})
BLOCKER_PLACEHOLDERS = frozenset({"value", "limit", "os", "vcpu", "memory", "largest", "base", "added"})


@dataclass(frozen=True)
class Blocker:
    """A hard limit the profile breaks on one runtime (DESIGN.md output contract)."""

    constraint: str
    limit: Any
    value: Any
    message: str
    source: str
    see_also: tuple[str, ...] = ()
    """Citations of the alternatives the message names (present in JSON only when there are some)."""

    def to_dict(self) -> dict[str, Any]:
        out = {"constraint": self.constraint, "limit": self.limit, "value": self.value,
               "message": self.message, "source": self.source}
        if self.see_also:
            out["see_also"] = list(self.see_also)
        return out


@dataclass(frozen=True)
class BlockerRule:
    constraint: str
    runtime: str
    check: str
    field: str
    fact: str
    message: str
    field_scale: float = 1.0
    ignore: tuple[str, ...] = ()
    when: Any = None
    add_field: str = ""
    """`max` only: a second field added to the first before the comparison (an image on the same disk)."""
    add_scale: float = 1.0
    add_times: str = ""
    """Fact key of a multiplier applied to `add_field` (an assumption), or empty."""
    see_also: tuple[str, ...] = ()
    """Fact keys of the alternatives the message names; their citations go out with the blocker."""


@dataclass(frozen=True)
class CautionRule:
    id: str
    runtime: str
    when: Any
    message: str


def format_value(field: str, value: Any) -> str:
    """A profile value in words, in the unit its field is written in."""
    spec = FIELD_BY_NAME.get(field)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not set"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "none"
    if spec is None or isinstance(value, str | bool):
        return str(value)
    if spec.unit == "duration_s":
        return format_duration(float(value))
    if spec.unit == "duration_ms":
        return format_duration(float(value) / 1000.0)
    if spec.unit == "size_mb":
        return format_size_mb(float(value))
    if spec.unit == "size_gb":
        return format_size_mb(float(value) * 1024.0)
    if spec.unit == "count":
        return format_count(float(value))
    return f"{float(value):g}"


@functools.cache
def compiled_rules() -> tuple[tuple[BlockerRule, ...], tuple[CautionRule, ...]]:
    """Load and validate models/feasibility.yaml against the profile fields and the facts."""
    kb = knowledge()
    data = rules("feasibility.yaml")
    blockers: list[BlockerRule] = []
    for index, entry in enumerate(data.get("blockers") or []):
        where = f"models/feasibility.yaml: blockers[{index}]"
        check = entry.get("check")
        if check not in CHECKS or entry.get("runtime") not in RUNTIMES or not entry.get("message"):
            raise KnowledgeBaseError(f"{where}: needs a known check, runtime and message, got {entry!r}")
        if check != "fargate_size":
            if entry.get("field") not in FIELD_BY_NAME:
                raise KnowledgeBaseError(f"{where}: unknown field {entry.get('field')!r}")
            kb.fact(entry["fact"])
        validate(entry.get("when"), where, kb)
        add = entry.get("add") or {}
        if add:
            if check != "max" or not isinstance(add, dict) or add.get("field") not in FIELD_BY_NAME:
                raise KnowledgeBaseError(f"{where}: 'add' needs a max check and a known field, got {add!r}")
            if add.get("times"):
                kb.number(str(add["times"]))
        see_also = tuple(str(key) for key in entry.get("see_also") or ())
        for key in see_also:
            kb.fact(key)
        if check == "subset" and FIELD_BY_NAME[entry["field"]].kind != "capabilities":
            raise KnowledgeBaseError(f"{where}: a subset check needs a list field, got {entry['field']!r}")
        rule = BlockerRule(
            constraint=str(entry["constraint"]), runtime=entry["runtime"], check=check,
            field=entry.get("field", ""), fact=entry.get("fact", ""), message=str(entry["message"]),
            field_scale=float(entry.get("field_scale", 1.0)), ignore=tuple(entry.get("ignore") or ()),
            when=entry.get("when"), add_field=str(add.get("field", "")), add_scale=float(add.get("scale", 1.0)),
            add_times=str(add.get("times", "")), see_also=see_also,
        )
        _check_placeholders(rule.message, where, kb, set(BLOCKER_PLACEHOLDERS))
        blockers.append(rule)
    cautions: list[CautionRule] = []
    for index, entry in enumerate(data.get("cautions") or []):
        where = f"models/feasibility.yaml: cautions[{index}]"
        if entry.get("runtime") not in RUNTIMES or not entry.get("message") or not entry.get("id"):
            raise KnowledgeBaseError(f"{where}: needs id, runtime and message")
        validate(entry.get("when"), where, kb)
        cautions.append(CautionRule(str(entry["id"]), entry["runtime"], entry.get("when"), str(entry["message"])))
        _check_placeholders(entry["message"], where, kb, {f"value_{name}" for name in FIELD_BY_NAME})
    return tuple(blockers), tuple(cautions)


def _check_placeholders(message: str, where: str, kb: KnowledgeBase, allowed: set[str]) -> None:
    from advisor.knowledge.base import PLACEHOLDER

    for key in PLACEHOLDER.findall(message):
        if key not in allowed:
            try:
                kb.fact(key)
            except KnowledgeBaseError:
                raise KnowledgeBaseError(f"{where}: message uses unknown placeholder {{{key}}}") from None


def _fargate_blocked(frame: pd.DataFrame, kb: KnowledgeBase) -> np.ndarray:
    size_vcpu, _ = fargate_fit(kb, frame["vcpu"].to_numpy(dtype=float),
                               frame["memory_mb"].to_numpy(dtype=float) / 1024.0,
                               (frame["os"] == "windows").to_numpy())
    return np.isnan(size_vcpu)


def blocker_masks(frame: pd.DataFrame) -> tuple[tuple[BlockerRule, ...], np.ndarray]:
    """The blocker rules and a (rules, rows) mask of where each one blocks."""
    kb = knowledge()
    blocker_rules, _ = compiled_rules()
    masks = np.zeros((len(blocker_rules), len(frame)), dtype=bool)
    for index, rule in enumerate(blocker_rules):
        masks[index] = _blocked(rule, frame, kb) & evaluate(rule.when, frame, kb)
    return blocker_rules, masks


def _blocked(rule: BlockerRule, frame: pd.DataFrame, kb: KnowledgeBase) -> np.ndarray:
    if rule.check == "fargate_size":
        return _fargate_blocked(frame, kb)
    limit = kb.value(rule.fact)
    if rule.check == "max":
        return _max_values(rule, frame, kb) > float(limit) + 1e-9
    if rule.check == "forbidden":
        column = frame[rule.field]
        wanted = column.to_numpy(dtype=bool) if column.dtype == bool else column.to_numpy(dtype=float) > 0
        return wanted & (not bool(limit))
    if rule.check == "allowed":
        column = frame[rule.field]
        return (~column.isin(list(limit)) & ~column.isin(list(rule.ignore))).to_numpy()
    if rule.check == "subset":
        # A list column holds few distinct lists: decide each distinct one once, then spread by code.
        codes, uniques = pd.factorize(frame[rule.field])
        allowed = set(limit)
        outside = np.array([bool(set(items) - allowed) for items in uniques] + [False], dtype=bool)
        return outside[codes]
    # all_allowed: protocols
    from advisor.profile.fields import PROTOCOLS

    blocked = np.zeros(len(frame), dtype=bool)
    for protocol in PROTOCOLS:
        if protocol not in limit:
            blocked |= frame[f"proto_{protocol}"].to_numpy(dtype=bool)
    return blocked


def _max_values(rule: BlockerRule, frame: pd.DataFrame, kb: KnowledgeBase) -> np.ndarray:
    """The number a `max` check compares: the field, scaled, plus the added field if the rule has one."""
    values = frame[rule.field].to_numpy(dtype=float) * rule.field_scale
    if rule.add_field:
        times = kb.number(rule.add_times) if rule.add_times else 1.0
        values = values + frame[rule.add_field].to_numpy(dtype=float) * rule.add_scale * times
    return values


def feasible_matrix(rules_: tuple[BlockerRule, ...], masks: np.ndarray, n: int) -> np.ndarray:
    """(rows, 4) booleans: no blocker for that runtime."""
    feasible = np.ones((n, len(RUNTIMES)), dtype=bool)
    for index, rule in enumerate(rules_):
        feasible[:, RUNTIMES.index(rule.runtime)] &= ~masks[index]
    return feasible


def blocker_names(rules_: tuple[BlockerRule, ...], masks: np.ndarray, runtime: str) -> np.ndarray:
    """Per row, the `;`-separated constraint names that block `runtime` (for CSV output)."""
    n = masks.shape[1]
    names = np.full(n, "", dtype=object)
    for index, rule in enumerate(rules_):
        if rule.runtime != runtime or not masks[index].any():
            continue
        hit = masks[index]
        names[hit] = np.where(names[hit] == "", rule.constraint, names[hit] + ";" + rule.constraint)
    return names


def describe_blocker(rule: BlockerRule, row: pd.Series, kb: KnowledgeBase) -> Blocker:
    """The full blocker object for one row: limit and value in the field's unit, message, source."""
    if rule.check == "fargate_size":
        windows = row["os"] == "windows"
        cpus, mems = fargate_sizes(kb, windows)
        largest_cpu = float(cpus.max())
        largest_mem = float(mems[cpus == largest_cpu].max())
        source_fact = kb.fact(fargate_size_key(windows))
        message = kb.fill(rule.message, {
            "os": str(row["os"]), "vcpu": f"{float(row['vcpu']):g}",
            "memory": format_size_mb(float(row["memory_mb"])),
            "largest": f"{largest_cpu:g} vCPU with {largest_mem:g} GB",
        })
        return Blocker(rule.constraint, {"vcpu": largest_cpu, "memory_mb": largest_mem * 1024},
                       {"vcpu": _plain(row["vcpu"]), "memory_mb": _plain(row["memory_mb"])},
                       message, source_fact.citation)
    fact = kb.fact(rule.fact)
    value = _plain(row[rule.field])
    extra: dict[str, str] = {}
    if rule.check == "max":
        limit: Any = _plain(float(fact.value) / rule.field_scale)
        limit_text = format_value(rule.field, limit)
        if rule.add_field:
            extra = {"base": format_value(rule.field, value),
                     "added": format_value(rule.add_field, _plain(row[rule.add_field]))}
            total = float(_max_values(rule, row.to_frame().T, kb)[0]) / rule.field_scale
            value = _plain(round(total, 6))
    elif rule.check == "forbidden":
        limit, limit_text = False, format_fact(fact)
    else:
        limit, limit_text = list(fact.value), format_fact(fact)
        if rule.check in ("all_allowed", "subset"):
            value = [p for p in value if p not in fact.value]
    message = kb.fill(rule.message, {"value": format_value(rule.field, value), "limit": limit_text, **extra})
    see_also = tuple(kb.fact(key).citation for key in rule.see_also)
    return Blocker(rule.constraint, limit, value, message, fact.citation, see_also)


def _plain(value: Any) -> Any:
    """numpy scalars and tuples as plain JSON-friendly values; whole floats as ints."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def caution_masks(frame: pd.DataFrame) -> tuple[tuple[CautionRule, ...], np.ndarray]:
    """The caution rules and a (rules, rows) mask of where each applies."""
    kb = knowledge()
    _, caution_rules = compiled_rules()
    masks = np.zeros((len(caution_rules), len(frame)), dtype=bool)
    for index, rule in enumerate(caution_rules):
        masks[index] = evaluate(rule.when, frame, kb)
    return caution_rules, masks


def describe_caution(rule: CautionRule, row: pd.Series, kb: KnowledgeBase) -> str:
    values = {f"value_{name}": format_value(name, _plain(row[name])) for name in FIELD_BY_NAME}
    return kb.fill(rule.message, values)
