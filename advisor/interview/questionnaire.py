"""Questionnaires as data: the model of an interview, loading it from YAML, and checking it.

A questionnaire is a YAML file (`questionnaires/*.yaml`, or any path) with sections of questions.
Each question has an id, text, a "why we ask" help text, a type, and says which profile fields it
sets. Conditions on earlier answers are structured data, evaluated here without `eval`. Every value a
choice maps to is validated with `advisor.profile.fields.parse_field` on load, so a questionnaire that loads
can only produce valid profile values. docs/interview.md describes the format.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from advisor.errors import UsageError
from advisor.profile.fields import (
    FALSE_WORDS,
    FIELD_BY_NAME,
    PRIORITY_FIELDS,
    TRUE_WORDS,
    FieldSpec,
    is_missing,
    parse_field,
)

BUNDLED = ("default", "quick")
"""Questionnaires shipped as package data (advisor.questionnaires)."""

TYPES = ("single", "multi", "yesno", "number", "text", "priorities")
"""Question types: single choice, multiple choice, yes/no, number with unit, free text, priorities."""

TYPE_WORDS = {"single": "single choice", "multi": "multiple choice", "yesno": "yes/no",
              "number": "number with unit", "text": "free text", "priorities": "priorities (0-5 each)"}

OPS = ("eq", "ne", "in", "not_in", "includes", "gt", "gte", "lt", "lte", "answered")
"""Condition operators; a clause is {question: ID, OP: VALUE} with exactly one operator."""

OP_WORDS = {"eq": "is", "ne": "is not", "in": "is one of", "not_in": "is none of", "includes": "includes",
            "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "answered": "answered"}

PRIORITY_SCALE = ("0 - does not matter", "1 - hardly matters", "2 - matters a little", "3 - matters",
                  "4 - matters a lot", "5 - matters most")
"""Default labels of the 0-5 priority scale; a priorities question may override them with `scale`."""

TOP_KEYS = ("id", "version", "title", "description", "sections")
SECTION_KEYS = ("id", "title", "intro", "questions")
QUESTION_KEYS = ("id", "text", "help", "type", "field", "choices", "default", "when", "required",
                 "dont_know", "unit", "if_yes", "if_no", "axes", "scale")
CHOICE_KEYS = ("value", "label", "help", "sets")
AXIS_KEYS = ("field", "label", "help")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FACT = re.compile(r"\{fact:([A-Za-z0-9_.\-]+)\}")


class QuestionnaireError(UsageError):
    """Raised when a questionnaire file cannot be read or does not validate; lists every problem."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the questionnaire:\n{lines}")


@dataclass(frozen=True)
class Problem:
    """One lint finding: which question (or section, or the file itself) and what is wrong."""

    message: str
    question: str | None = None
    section: str | None = None

    def __str__(self) -> str:
        if self.question is not None:
            return f"question {self.question!r}: {self.message}"
        if self.section is not None:
            return f"section {self.section!r}: {self.message}"
        return self.message


@dataclass(frozen=True)
class Choice:
    """One option of a choice question: the value recorded in answers files, a label, and what it sets."""

    value: Any
    label: str
    help: str = ""
    sets: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Axis:
    """One priority a priorities question sets (a priority_* field), with the words shown for it."""

    field: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class Question:
    """One question: what is asked, why, how it is answered and which profile fields the answer sets."""

    id: str
    text: str
    help: str
    type: str
    section: str
    section_title: str
    field: str | None = None
    choices: tuple[Choice, ...] = ()
    default: Any = None
    when: Any = None
    required: bool = False
    dont_know: bool = True
    unit: str = ""
    axes: tuple[Axis, ...] = ()
    scale: tuple[str, ...] = PRIORITY_SCALE

    @property
    def fields(self) -> tuple[str, ...]:
        """Every profile field an answer to this question can set, in a stable order."""
        names: list[str] = []
        if self.field:
            names.append(self.field)
        for choice in self.choices:
            names.extend(choice.sets)
        names.extend(axis.field for axis in self.axes)
        return tuple(dict.fromkeys(names))

    def choice(self, value: Any) -> Choice:
        return next(c for c in self.choices if c.value == value)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire. `name` is how to ask for it again: a bundled id or the file's path."""

    id: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]
    name: str
    source: str

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @property
    def bundled(self) -> bool:
        return self.name in BUNDLED


# ----------------------------------------------------------------------------- loading


def bundled_path(name: str) -> Any:
    """The package-data file of a bundled questionnaire (a Traversable)."""
    from importlib.resources import files

    return files("advisor.questionnaires").joinpath(f"{name}.yaml")


def load_questionnaire(which: str | Path | None = None) -> Questionnaire:
    """Load a bundled questionnaire by id (`default`, `quick`) or a file by path; raises QuestionnaireError."""
    which = "default" if which is None else which
    if isinstance(which, str) and which in BUNDLED:
        text = bundled_path(which).read_text(encoding="utf-8")
        questionnaire, problems = parse_questionnaire_text(text, source=f"questionnaires/{which}.yaml", name=which)
    else:
        path = Path(which)
        questionnaire, problems = parse_questionnaire_text(_read(path), source=str(path), name=str(path))
    if problems or questionnaire is None:
        raise QuestionnaireError(f"questionnaires/{which}.yaml" if which in BUNDLED else str(which), problems)
    return questionnaire


def lint_file(path: str | Path) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in a questionnaire file (an empty list when it is sound)."""
    path = Path(path)
    return parse_questionnaire_text(_read(path), source=str(path), name=str(path), check_facts=True)


def _read(path: Path) -> str:
    from advisor.files import read_input_text

    return read_input_text(path)


def parse_questionnaire_text(text: str, source: str, name: str,
                             check_facts: bool = False) -> tuple[Questionnaire | None, list[Problem]]:
    """Parse YAML text (safe loading only) and check it; returns the questionnaire only when there is no problem."""
    from advisor.errors import InputSyntaxError
    from advisor.files import load_user_data

    try:
        data = load_user_data(text, source, "yaml")
    except InputSyntaxError as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        return None, [Problem(f"{where}{exc.problem}")]
    return parse_questionnaire(data, source=source, name=name, check_facts=check_facts)


def parse_questionnaire(data: Any, source: str, name: str,
                        check_facts: bool = False) -> tuple[Questionnaire | None, list[Problem]]:
    """Check a loaded mapping against every rule and build the model; all problems are collected.

    `check_facts` also checks the {fact:KEY} quotes in help texts against the knowledge base (lint
    does; loading for an interview does not, to start fast: an unknown fact is shown as written).
    """
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return None, [Problem(f"a questionnaire must be a mapping with {', '.join(TOP_KEYS)}, "
                              f"got {type(data).__name__}")]
    _unknown_keys(data, TOP_KEYS, "the questionnaire", problems, None, None)
    qid = data.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        problems.append(Problem(f"'id' must be a lowercase identifier like 'quick', got {qid!r}"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(Problem(f"'version' must be a whole number >= 1, got {version!r}"))
    title = data.get("title", qid)
    sections_raw = data.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        problems.append(Problem("'sections' must be a non-empty list of sections"))
        return None, problems

    sections: list[Section] = []
    seen_questions: dict[str, Question] = {}
    seen_sections: set[str] = set()
    all_ids = _all_question_ids(sections_raw)
    earlier: set[str] = set()
    for s_index, raw_section in enumerate(sections_raw, start=1):
        if not isinstance(raw_section, dict):
            problems.append(Problem(f"section {s_index} must be a mapping with id, title and questions"))
            continue
        sid = raw_section.get("id")
        label = str(sid) if sid is not None else f"#{s_index}"
        if not isinstance(sid, str) or not _ID.match(sid):
            problems.append(Problem(f"'id' must be a lowercase identifier, got {sid!r}", section=label))
        elif sid in seen_sections:
            problems.append(Problem("duplicate section id", section=label))
        seen_sections.add(label)
        _unknown_keys(raw_section, SECTION_KEYS, "a section", problems, None, label)
        stitle = raw_section.get("title")
        if not isinstance(stitle, str) or not stitle.strip():
            problems.append(Problem("'title' must be non-empty text", section=label))
            stitle = label
        raw_questions = raw_section.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            problems.append(Problem("'questions' must be a non-empty list", section=label))
            continue
        built: list[Question] = []
        for q_index, raw_question in enumerate(raw_questions, start=1):
            question = _parse_question(raw_question, q_index, label, stitle, seen_questions, earlier, all_ids,
                                       problems, check_facts)
            if isinstance(raw_question, dict) and "id" in raw_question:
                earlier.add(str(raw_question["id"]))
            if question is not None:
                built.append(question)
                seen_questions.setdefault(question.id, question)
        sections.append(Section(label, stitle.strip(), str(raw_section.get("intro") or "").strip(), tuple(built)))

    if seen_questions and not any("name" in q.fields for q in seen_questions.values()):
        problems.append(Problem("no question sets the profile field 'name', which every profile needs"))
    if problems:
        return None, problems
    assert isinstance(version, int)
    return Questionnaire(str(qid), version, str(title or qid).strip(), str(data.get("description") or "").strip(),
                         tuple(sections), name=name, source=source), []


def _all_question_ids(sections: list[Any]) -> list[str]:
    ids: list[str] = []
    for section in sections:
        if isinstance(section, dict) and isinstance(section.get("questions"), list):
            ids.extend(str(q["id"]) for q in section["questions"] if isinstance(q, dict) and "id" in q)
    return ids


def _unknown_keys(raw: Mapping[str, Any], allowed: Sequence[str], what: str, problems: list[Problem],
                  question: str | None, section: str | None) -> None:
    for key in raw:
        if isinstance(key, bool):
            problems.append(Problem(f"key {key!r} in {what}: YAML reads an unquoted yes/no/on/off key as true/false; "
                                    "write if_yes / if_no", question, section))
            continue
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(f"unknown key {key!r} in {what}{hint}; allowed: {', '.join(allowed)}",
                                    question, section))


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _field_hint(name: str) -> str:
    close = difflib.get_close_matches(str(name), list(FIELD_BY_NAME), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_sets(sets: Any, where: str, qid: str, problems: list[Problem]) -> dict[str, Any]:
    """Validate a {field: value} mapping; values become canonical (`2h` -> 7200)."""
    out: dict[str, Any] = {}
    if not isinstance(sets, dict):
        problems.append(Problem(f"{where}: 'sets' must be a mapping of profile field: value, got {sets!r}", qid))
        return out
    for name, raw in sets.items():
        spec = FIELD_BY_NAME.get(str(name))
        if spec is None:
            problems.append(Problem(f"{where} sets unknown profile field {name!r}{_field_hint(str(name))}", qid))
            continue
        if is_missing(raw) and not spec.nullable:
            problems.append(Problem(f"{where} sets {name} to an empty value", qid))
            continue
        if is_missing(raw):
            out[spec.name] = None
            continue
        try:
            out[spec.name] = parse_field(spec, raw)
        except ValueError as exc:
            problems.append(Problem(f"{where} maps to an invalid value {name}={raw!r}: {exc}", qid))
    return out


def _parse_question(raw: Any, index: int, section: str, section_title: str, seen: dict[str, Question],
                    earlier: set[str], all_ids: list[str], problems: list[Problem],
                    check_facts: bool = False) -> Question | None:
    if not isinstance(raw, dict):
        problems.append(Problem(f"question {index} must be a mapping with id, text, help and type", section=section))
        return None
    qid = raw.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        problems.append(Problem(f"question {index}: 'id' must be a lowercase identifier (a-z, 0-9, _), "
                                f"got {qid!r}", section=section))
        return None
    before = len(problems)
    if qid in seen:
        problems.append(Problem(f"duplicate question id (also in section {seen[qid].section!r})", qid))
    _unknown_keys(raw, QUESTION_KEYS, "a question", problems, qid, None)
    text, help_text = raw.get("text"), raw.get("help")
    if not isinstance(text, str) or not text.strip():
        problems.append(Problem("'text' (the question as asked) must be non-empty text", qid))
    if not isinstance(help_text, str) or not help_text.strip():
        problems.append(Problem("'help' (why we ask) must be non-empty text", qid))
    qtype = raw.get("type")
    if qtype not in TYPES:
        close = difflib.get_close_matches(str(qtype), TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(Problem(f"unknown type {qtype!r}{hint}; use one of {', '.join(TYPES)}", qid))
        return None
    required = raw.get("required", False)
    dont_know = raw.get("dont_know", not required)
    for key, value in (("required", required), ("dont_know", dont_know)):
        if not isinstance(value, bool):
            problems.append(Problem(f"{key!r} must be true or false, got {value!r}", qid))
    if required is True and dont_know is True:
        problems.append(Problem("a required question cannot offer \"I don't know\" (dont_know: true)", qid))

    spec: FieldSpec | None = None
    field_name = raw.get("field")
    if field_name is not None:
        spec = FIELD_BY_NAME.get(str(field_name))
        if spec is None:
            problems.append(Problem(f"unknown profile field {field_name!r}{_field_hint(str(field_name))}", qid))

    choices: list[Choice] = []
    axes: list[Axis] = []
    scale = PRIORITY_SCALE
    if qtype in ("single", "multi"):
        choices = _parse_choices(raw, qid, qtype, spec, problems)
    elif "choices" in raw:
        problems.append(Problem(f"a {qtype} question takes no 'choices'", qid))
    if qtype == "yesno":
        choices = _parse_yesno(raw, qid, spec, field_name, problems)
    elif "if_yes" in raw or "if_no" in raw:
        problems.append(Problem("'if_yes' and 'if_no' mappings belong to yesno questions only", qid))
    if qtype in ("number", "text"):
        kinds = ("number", "integer") if qtype == "number" else ("string",)
        if field_name is None:
            problems.append(Problem(f"a {qtype} question needs a 'field' to set", qid))
        elif spec is not None and spec.kind not in kinds:
            instead = "a choice question" if spec.kind in ("enum", "bool", "protocols") else "a number question"
            problems.append(Problem(f"a {qtype} question cannot set {spec.name} ({_article(spec.kind)} field); "
                                    f"use {instead}", qid))
    if qtype == "priorities":
        if field_name is not None:
            problems.append(Problem("a priorities question sets its fields through 'axes', not 'field'", qid))
        axes = _parse_axes(raw.get("axes"), qid, problems)
        raw_scale = raw.get("scale")
        if raw_scale is not None:
            if (not isinstance(raw_scale, list) or len(raw_scale) != 6
                    or not all(isinstance(s, str) and s.strip() for s in raw_scale)):
                problems.append(Problem("'scale' must be a list of six labels, for 0 to 5", qid))
            else:
                scale = tuple(s.strip() for s in raw_scale)
    elif "axes" in raw or "scale" in raw:
        problems.append(Problem("'axes' and 'scale' belong to priorities questions only", qid))

    for text_value in [help_text, *(c.help for c in choices), *(a.help for a in axes)] if check_facts else []:
        _check_facts(text_value, qid, problems)
    if len(problems) > before:
        return None
    question = Question(
        id=qid, text=str(text).strip(), help=str(help_text).strip(), type=qtype, section=section,
        section_title=section_title, field=spec.name if spec else None, choices=tuple(choices),
        default=None, when=None, required=bool(required), dont_know=bool(dont_know),
        unit=str(raw.get("unit") or "").strip(), axes=tuple(axes), scale=scale)
    default = raw.get("default")
    if default is not None:
        try:
            default = normalise_answer(question, default)
            fields_for(question, default)
        except ValueError as exc:
            problems.append(Problem(f"default {raw.get('default')!r} is not a valid answer: {exc}", qid))
    when = raw.get("when")
    if when is not None:
        _check_condition(when, qid, seen, earlier, all_ids, problems)
    if len(problems) > before:
        return None
    return replace(question, default=default, when=when)


def _check_facts(text: Any, qid: str, problems: list[Problem]) -> None:
    """Help texts quote AWS limits as {fact:KEY} from the knowledge base, never as typed numbers."""
    if not isinstance(text, str) or "{fact:" not in text:
        return
    from advisor.knowledge.base import knowledge

    facts = knowledge().facts
    for key in _FACT.findall(text):
        if key not in facts:
            close = difflib.get_close_matches(key, list(facts), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(f"help text quotes unknown knowledge-base fact {key!r}{hint}", qid))


def render_text(text: str) -> str:
    """A help text with its {fact:KEY} placeholders replaced by the facts' values ('900 s')."""
    if "{fact:" not in text:
        return text
    from advisor.knowledge.base import format_fact, knowledge

    facts = knowledge().facts
    return _FACT.sub(lambda m: format_fact(facts[m.group(1)]) if m.group(1) in facts else m.group(0), text)


def _parse_choices(raw: Mapping[str, Any], qid: str, qtype: str, spec: FieldSpec | None,
                   problems: list[Problem]) -> list[Choice]:
    items = raw.get("choices")
    if not isinstance(items, list) or not items:
        problems.append(Problem(f"a {qtype} question needs a non-empty list of 'choices'", qid))
        return []
    if qtype == "multi" and spec is not None and spec.kind != "protocols":
        problems.append(Problem(f"a multi question can only collect a list field ('protocols') in 'field', "
                                f"not {spec.name}; give each choice a 'sets' mapping instead", qid))
        spec = None
    choices: list[Choice] = []
    seen_values: set[str] = set()
    for index, item in enumerate(items, start=1):
        if isinstance(item, str | int | float | bool) and spec is not None:
            item = {"value": item, "label": str(item)}
        if not isinstance(item, dict):
            problems.append(Problem(f"choice {index} must be a mapping with value and label", qid))
            continue
        _unknown_keys(item, CHOICE_KEYS, f"choice {index}", problems, qid, None)
        value, label = item.get("value"), item.get("label")
        where = f"choice {value!r}" if value is not None else f"choice {index}"
        if value is None or isinstance(value, dict | list):
            problems.append(Problem(f"choice {index} needs a scalar 'value' (what answers files record)", qid))
            continue
        if str(value).lower() in seen_values:
            problems.append(Problem(f"duplicate choice value {value!r}", qid))
        seen_values.add(str(value).lower())
        if not isinstance(label, str) or not label.strip():
            problems.append(Problem(f"{where} needs a non-empty 'label'", qid))
            label = str(value)
        if "sets" in item:
            sets = _check_sets(item["sets"], where, qid, problems)
        elif spec is not None:
            if qtype == "multi":
                sets = _check_sets({spec.name: [value]}, where, qid, problems)
            else:
                sets = _check_sets({spec.name: value}, where, qid, problems)
        else:
            problems.append(Problem(f"{where} sets nothing: give the question a 'field' or the choice a 'sets' "
                                    "mapping ('sets: {}' if it truly sets nothing)", qid))
            sets = {}
        choices.append(Choice(value, label.strip(), str(item.get("help") or "").strip(), sets))
    return choices


def _parse_yesno(raw: Mapping[str, Any], qid: str, spec: FieldSpec | None, field_name: Any,
                 problems: list[Problem]) -> list[Choice]:
    if spec is not None and spec.kind != "bool":
        problems.append(Problem(f"a yesno question's 'field' must be a true/false field; {spec.name} is "
                                f"{_article(spec.kind)} field: drop 'field' and give 'if_yes' and 'if_no' mappings",
                                qid))
        return []
    if field_name is None and ("if_yes" not in raw or "if_no" not in raw):
        problems.append(Problem("a yesno question needs a true/false 'field' or both 'if_yes' and 'if_no' mappings",
                                qid))
        return []
    yes = _check_sets(raw["if_yes"], "answer yes", qid, problems) if "if_yes" in raw else {}
    no = _check_sets(raw["if_no"], "answer no", qid, problems) if "if_no" in raw else {}
    if spec is not None and spec.kind == "bool":
        yes = {spec.name: True, **yes}
        no = {spec.name: False, **no}
    return [Choice(True, "Yes", "", yes), Choice(False, "No", "", no)]


def _parse_axes(raw: Any, qid: str, problems: list[Problem]) -> list[Axis]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(f"a priorities question needs 'axes': a list of {{field, label}} for "
                                f"{', '.join(PRIORITY_FIELDS)}", qid))
        return []
    axes: list[Axis] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(f"axis {index} must be a mapping with field and label", qid))
            continue
        _unknown_keys(item, AXIS_KEYS, f"axis {index}", problems, qid, None)
        name = item.get("field")
        if name not in PRIORITY_FIELDS:
            hint = _field_hint(str(name)) if str(name) not in FIELD_BY_NAME else ""
            problems.append(Problem(f"axis {index}: {name!r} is not a priority field{hint}; "
                                    f"use one of {', '.join(PRIORITY_FIELDS)}", qid))
            continue
        if any(a.field == name for a in axes):
            problems.append(Problem(f"axis {index}: {name} is listed twice", qid))
            continue
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(Problem(f"axis {index} ({name}) needs a non-empty 'label'", qid))
            continue
        axes.append(Axis(str(name), label.strip(), str(item.get("help") or "").strip()))
    return axes


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
    if cond is None:
        return True
    if isinstance(cond, list):
        return _all(holds(c, lookup, pending) for c in cond)
    if "all" in cond:
        return _all(holds(c, lookup, pending) for c in cond["all"])
    if "any" in cond:
        results = [holds(c, lookup, pending) for c in cond["any"]]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if "not" in cond:
        inner = holds(cond["not"], lookup, pending)
        return None if inner is None else not inner
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


def _all(results: Iterable[bool | None]) -> bool | None:
    items = list(results)
    if any(r is False for r in items):
        return False
    return None if any(r is None for r in items) else True


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
    number = float(value)
    if op == "gt":
        return number > float(expected)
    if op == "gte":
        return number >= float(expected)
    if op == "lt":
        return number < float(expected)
    return number <= float(expected)


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


def describe(questionnaire: Questionnaire) -> str:
    """A questionnaire as readable text (`advisor questionnaire show`)."""
    lines = [f"{questionnaire.title} ({questionnaire.id}, version {questionnaire.version}): "
             f"{len(questionnaire.questions)} questions in {len(questionnaire.sections)} sections"]
    if questionnaire.description:
        lines.append(questionnaire.description)
    number = 0
    for s_index, section in enumerate(questionnaire.sections, start=1):
        lines += ["", f"{s_index}. {section.title}"]
        if section.intro:
            lines.append(f"   {section.intro}")
        for question in section.questions:
            number += 1
            flags = [TYPE_WORDS[question.type]]
            if question.required:
                flags.append("required")
            if question.field:
                flags.append(f"sets {question.field}")
            lines.append(f"  Q{number} [{question.id}] {question.text}  ({'; '.join(flags)})")
            if question.when is not None:
                lines.append(f"      asked only if {describe_condition(question.when)}")
            if question.unit:
                lines.append(f"      answer as: {question.unit}")
            for choice in question.choices:
                lines.append(f"      - {choice.label} [{_word(choice.value)}] -> {choice_summary(choice)}")
            for axis in question.axes:
                lines.append(f"      - {axis.label} -> {axis.field} (0-5)")
            if question.default is not None:
                lines.append(f"      default: {_word(question.default) if question.default != [] else 'none'}")
            lines.append(f"      why we ask: {question.help}")
    return "\n".join(lines) + "\n"
