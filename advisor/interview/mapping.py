"""From answers to profile fields: normalising what was typed or chosen, defaults, inferring answers a
profile already gives, and the text form of a questionnaire (`advisor questionnaire show`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from advisor.interview.schema import Choice, Question
from advisor.profile.fields import (
    FALSE_WORDS,
    FIELD_BY_NAME,
    TRUE_WORDS,
    is_missing,
    parse_field,
)

# ----------------------------------------------------------------------------- answers


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"{raw!r} is not yes or no")


def _match_choice(question: Question, raw: Any) -> Any:
    """A choice's value from its value or its label (any case)."""
    if isinstance(raw, bool) and question.type == "yesno":
        return raw
    text = str(raw).strip().lower()
    for choice in question.choices:
        if str(choice.value).lower() == text:
            return choice.value
    for choice in question.choices:
        if choice.label.lower() == text:
            return choice.value
    by_field = _match_by_field(question, raw)
    if by_field is not None:
        return by_field
    values = [str(c.value) for c in question.choices]
    close = difflib.get_close_matches(text, values, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"{raw!r} is not one of the choices{hint}: {', '.join(values)}")


def _match_by_field(question: Question, raw: Any) -> Any:
    """The choice whose main field value equals `raw` in that field's units (`2h` -> max_duration_s 7200)."""
    if question.type != "single" or not question.choices:
        return None
    main = next(iter(question.choices[0].sets), None)
    if main is None or not all(main in c.sets for c in question.choices):
        return None
    try:
        wanted = parse_field(FIELD_BY_NAME[main], raw)
    except ValueError:
        return None
    matches = [c.value for c in question.choices if c.sets[main] == wanted]
    return matches[0] if len(matches) == 1 else None


def normalise_answer(question: Question, raw: Any) -> Any:
    """Turn a raw answer (typed, or read from an answers file) into its recorded form; ValueError if invalid.

    single: the choice value; multi: a list of choice values; yesno: true/false; number: the text as
    typed (validated with the field's units); text: the stripped text; priorities: {field: 0-5}.
    """
    qtype = question.type
    if qtype == "single":
        return _match_choice(question, raw)
    if qtype == "yesno":
        return _yes_no(raw)
    if qtype == "multi":
        if raw is None:
            items: list[Any] = []
        elif isinstance(raw, list | tuple):
            items = list(raw)
        else:
            items = [s for s in re.split(r"[;,]", str(raw)) if s.strip()]
        picked = {_match_choice(question, item) for item in items}
        return [c.value for c in question.choices if c.value in picked]
    if qtype == "priorities":
        return _priorities(question, raw)
    assert question.field is not None
    spec = FIELD_BY_NAME[question.field]
    if is_missing(raw):
        raise ValueError("an answer is needed" + (f" ({question.unit})" if question.unit else ""))
    if isinstance(raw, bool):
        raise ValueError(f"expected {'a number' if qtype == 'number' else 'text'}, got {raw!r}")
    if qtype == "number":
        parse_field(spec, raw)
        return raw.strip() if isinstance(raw, str) else raw
    parse_field(spec, raw)
    return str(raw).strip()


def _priorities(question: Question, raw: Any) -> dict[str, int]:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = {a.field: raw for a in question.axes}
    if not isinstance(raw, dict):
        raise ValueError(f"priorities are a mapping of {', '.join(a.field for a in question.axes)} to 0-5")
    wanted = {a.field: a for a in question.axes}
    out: dict[str, int] = {}
    for key, value in raw.items():
        name = str(key) if str(key).startswith("priority_") else f"priority_{key}"
        if name not in wanted:
            raise ValueError(f"{key!r} is not one of this question's priorities: {', '.join(wanted)}")
        try:
            out[name] = parse_field(FIELD_BY_NAME[name], value)
        except ValueError as exc:
            raise ValueError(f"{name}={value!r}: {exc}") from None
    missing = [name for name in wanted if name not in out]
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return {name: out[name] for name in wanted}


def fields_for(question: Question, answer: Any) -> dict[str, Any]:
    """The profile fields (canonical values) an answer sets; ValueError if the combination is invalid.

    For a multi question, list fields of the chosen choices are joined, and a field that only
    unchosen choices set takes its profile default (the user said it does not apply).
    """
    qtype = question.type
    if qtype in ("single", "yesno"):
        return dict(question.choice(answer).sets)
    if qtype == "priorities":
        return dict(answer)
    if qtype == "multi":
        chosen = [question.choice(v) for v in answer]
        out: dict[str, Any] = {}
        for choice in chosen:
            for name, value in choice.sets.items():
                if isinstance(value, tuple) and isinstance(out.get(name), tuple):
                    out[name] = tuple(dict.fromkeys(out[name] + value))
                else:
                    out[name] = value
        for name in question.fields:
            if name not in out:
                default = FIELD_BY_NAME[name].default
                out[name] = None if default is None and FIELD_BY_NAME[name].nullable else default
        for name, value in list(out.items()):
            if value is not None:
                out[name] = parse_field(FIELD_BY_NAME[name], list(value) if isinstance(value, tuple) else value)
        return out
    assert question.field is not None
    return {question.field: parse_field(FIELD_BY_NAME[question.field], answer)}


def default_answer(question: Question) -> Any:
    """What the interview preselects when there is no earlier answer."""
    if question.default is not None:
        return question.default
    if question.type == "priorities":
        return {a.field: FIELD_BY_NAME[a.field].default for a in question.axes}
    if question.type == "multi":
        return []
    return None


def infer_answer(question: Question, known: Mapping[str, Any]) -> Any:
    """The answer that would give the profile values in `known` (from a profile or descriptor), or None.

    Used to evaluate conditions on questions that were skipped because the profile already answers them.
    """
    try:
        values = {name: parse_field(FIELD_BY_NAME[name], known[name]) for name in question.fields
                  if known.get(name) is not None}
    except ValueError:
        return None
    if question.type in ("single", "yesno"):
        for choice in question.choices:
            if all(k in values and values[k] == v for k, v in choice.sets.items()):
                return choice.value
        return None
    if any(name not in known for name in question.fields):
        return None
    if question.type == "multi":
        picked = [c.value for c in question.choices if all(
            (set(v) <= set(values.get(k) or ())) if isinstance(v, tuple) else values.get(k) == v
            for k, v in c.sets.items())]
        return picked
    if question.type == "priorities":
        return {a.field: values[a.field] for a in question.axes}
    assert question.field is not None
    return values.get(question.field)


def answered_by(question: Question, known: Mapping[str, Any]) -> bool:
    """True when fields given up front settle this question: all its fields are known, or (for a
    choice question) the known fields pin down one choice, e.g. language=go for a language question
    whose .NET Framework choice also sets os."""
    if not question.fields:
        return False
    if all(name in known for name in question.fields):
        return True
    if question.type not in ("single", "yesno"):
        return False
    try:
        values = {k: parse_field(FIELD_BY_NAME[k], v) for k, v in known.items() if v is not None}
    except ValueError:
        return False
    return any(choice.sets and all(k in values and values[k] == v for k, v in choice.sets.items())
               for choice in question.choices)


def choice_summary(choice: Choice) -> str:
    """`field=value, ...` of what a choice sets, for `questionnaire show` and help texts."""
    parts = []
    for name, value in choice.sets.items():
        if isinstance(value, tuple):
            shown = ";".join(value)
        else:
            shown = str(value).lower() if isinstance(value, bool) or value is None else str(value)
        parts.append(f"{name}={shown}")
    return ", ".join(parts) or "(sets nothing)"
