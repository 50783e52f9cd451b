"""Conditions on earlier answers: structured data (never `eval`), checked on load and evaluated with
three-valued logic while the interview runs (an unanswered question leaves a condition pending)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from advisor.interview.mapping import _match_choice, _yes_no, normalise_answer
from advisor.interview.schema import OP_WORDS, OPS, Problem, Question, Questionnaire
from advisor.knowledge.conditions import COMPARISONS, combine
from advisor.profile.fields import (
    FIELD_BY_NAME,
    parse_field,
)

# ----------------------------------------------------------------------------- conditions


def _check_condition(cond: Any, qid: str, seen: Mapping[str, Question], earlier: set[str], all_ids: list[str],
                     problems: list[Problem]) -> None:
    """A condition may only refer to questions asked before this one, with values they can have."""
    if isinstance(cond, list):
        if not cond:
            problems.append(Problem("condition: an empty list", qid))
        for item in cond:
            _check_condition(item, qid, seen, earlier, all_ids, problems)
        return
    if not isinstance(cond, dict):
        problems.append(Problem(f"condition must be a mapping or a list of them, got {cond!r}", qid))
        return
    for group in ("all", "any"):
        if group in cond:
            if len(cond) != 1 or not isinstance(cond[group], list) or not cond[group]:
                problems.append(Problem(f"condition: '{group}' takes a non-empty list and nothing beside it", qid))
                return
            for item in cond[group]:
                _check_condition(item, qid, seen, earlier, all_ids, problems)
            return
    if "not" in cond:
        if len(cond) != 1:
            problems.append(Problem("condition: 'not' takes one condition and nothing beside it", qid))
            return
        _check_condition(cond["not"], qid, seen, earlier, all_ids, problems)
        return
    ref = cond.get("question")
    ops = [k for k in cond if k != "question"]
    if ref is None:
        problems.append(Problem(f"condition {cond!r} needs 'question' (an earlier question's id) or all/any/not",
                                qid))
        return
    ref = str(ref)
    if ref == qid:
        problems.append(Problem("condition refers to the question itself", qid))
        return
    if ref not in seen:
        if ref in earlier:
            return  # that question has problems of its own, reported where it is
        if ref in all_ids:
            problems.append(Problem(f"condition refers to question {ref!r}, which comes later; a condition can "
                                    "only use answers given before", qid))
        else:
            close = difflib.get_close_matches(ref, all_ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(f"condition refers to missing question {ref!r}{hint}", qid))
        return
    if len(ops) != 1 or ops[0] not in OPS:
        problems.append(Problem(f"condition on {ref!r} needs exactly one operator of {', '.join(OPS)}, "
                                f"got {', '.join(map(str, ops)) or 'none'}", qid))
        return
    op, value = ops[0], cond[ops[0]]
    target = seen[ref]
    try:
        _check_operand(target, op, value)
    except ValueError as exc:
        problems.append(Problem(f"condition on {ref!r}: {exc}", qid))


def _check_operand(target: Question, op: str, value: Any) -> None:
    if op == "answered":
        if not isinstance(value, bool):
            raise ValueError("'answered' takes true or false")
        return
    if target.type == "priorities":
        raise ValueError("only 'answered' applies to a priorities question")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ValueError(f"'{op}' takes a non-empty list")
        for item in value:
            condition_value(target, item)
        return
    if op == "includes":
        if target.type != "multi":
            raise ValueError("'includes' applies to multi questions only")
        condition_value(target, value)
        return
    if op in ("gt", "gte", "lt", "lte") and target.type != "number":
        raise ValueError(f"'{op}' applies to number questions only")
    condition_value(target, value, multi_item=False)


def condition_value(question: Question, raw: Any, multi_item: bool = True) -> Any:
    """The comparable form of a value in a condition on `question` (a choice value, a bool, a number)."""
    if question.type == "single" or (question.type == "multi" and multi_item):
        return _match_choice(question, raw)
    if question.type == "multi":
        return tuple(normalise_answer(question, raw))
    if question.type == "yesno":
        return _yes_no(raw)
    if question.type == "number":
        assert question.field is not None
        return parse_field(FIELD_BY_NAME[question.field], raw)
    return str(raw).strip()


def answer_value(question: Question, answer: Any) -> Any:
    """The comparable form of a recorded answer (numbers parsed into the field's unit)."""
    if question.type == "number":
        assert question.field is not None
        return parse_field(FIELD_BY_NAME[question.field], answer)
    if question.type == "multi":
        return tuple(answer)
    return answer


UNANSWERED = object()
"""Marks a question with no answer yet; DONT_KNOW marks one answered "I don't know"."""
DONT_KNOW = object()


def holds(cond: Any, lookup: Callable[[str], Any], pending: Callable[[str], bool] = lambda _q: False) -> bool | None:
    """Evaluate a condition. `lookup(id)` gives a question's comparable answer, UNANSWERED or DONT_KNOW.

    A clause on a question that has no usable answer is false (except `answered: false`). With
    `pending`, a clause on a question still to come is unknown (None), which all/any/not carry through:
    the interview uses that to count the questions that may still be asked.
    """
    always: bool | None = True
    return combine(cond, lambda clause: _clause(clause, lookup, pending), always, _all, _any,
                   lambda inner: None if inner is None else not inner)


def _clause(cond: Mapping[str, Any], lookup: Callable[[str], Any], pending: Callable[[str], bool]) -> bool | None:
    ref = str(cond["question"])
    if pending(ref):
        return None
    op = next(k for k in cond if k != "question")
    value = lookup(ref)
    if op == "answered":
        return (value is not UNANSWERED and value is not DONT_KNOW) == bool(cond[op])
    if value is UNANSWERED or value is DONT_KNOW:
        return False
    expected = cond[op]
    return _compare(op, value, expected)


def _all(results: list[bool | None]) -> bool | None:
    items = list(results)
    if any(r is False for r in items):
        return False
    return None if any(r is None for r in items) else True


def _any(results: list[bool | None]) -> bool | None:
    items = list(results)
    if any(r is True for r in items):
        return True
    return None if any(r is None for r in items) else False


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a).lower() == str(b).lower()
    return bool(a == b)


def _compare(op: str, value: Any, expected: Any) -> bool:
    if op == "eq":
        return _same(value, expected)
    if op == "ne":
        return not _same(value, expected)
    if op == "in":
        return any(_same(value, e) for e in expected)
    if op == "not_in":
        return not any(_same(value, e) for e in expected)
    if op == "includes":
        return any(_same(v, expected) for v in value)
    return bool(COMPARISONS[op](float(value), float(expected)))


def prepared_condition(question: Question, questionnaire: Questionnaire) -> Any:
    """The condition with values parsed into comparable form (`15min` -> 900) for `holds`."""
    return _prepare(question.when, questionnaire.by_id)


def _prepare(cond: Any, by_id: Mapping[str, Question]) -> Any:
    if cond is None:
        return None
    if isinstance(cond, list):
        return [_prepare(c, by_id) for c in cond]
    for group in ("all", "any"):
        if group in cond:
            return {group: [_prepare(c, by_id) for c in cond[group]]}
    if "not" in cond:
        return {"not": _prepare(cond["not"], by_id)}
    ref = str(cond["question"])
    op = next(k for k in cond if k != "question")
    target = by_id[ref]
    value = cond[op]
    if op == "answered":
        prepared: Any = bool(value)
    elif op in ("in", "not_in"):
        prepared = [condition_value(target, v) for v in value]
    elif op == "includes":
        prepared = condition_value(target, value)
    else:
        prepared = condition_value(target, value, multi_item=False)
    return {"question": ref, op: prepared}


def describe_condition(cond: Any) -> str:
    """The condition in words, for `advisor questionnaire show`."""
    if cond is None:
        return ""
    if isinstance(cond, list):
        return " and ".join(describe_condition(c) for c in cond)
    if "all" in cond:
        return "(" + " and ".join(describe_condition(c) for c in cond["all"]) + ")"
    if "any" in cond:
        return "(" + " or ".join(describe_condition(c) for c in cond["any"]) + ")"
    if "not" in cond:
        return f"not {describe_condition(cond['not'])}"
    op = next(k for k in cond if k != "question")
    value = cond[op]
    if op == "answered":
        return f"{cond['question']} is {'answered' if value else 'not answered'}"
    shown = ", ".join(map(_word, value)) if isinstance(value, list) else _word(value)
    return f"{cond['question']} {OP_WORDS[op]} {shown}"


def _word(value: Any) -> str:
    """A value as a person reads it: yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_word(v) for v in value)
    return str(value)
