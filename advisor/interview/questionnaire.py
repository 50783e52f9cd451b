"""Loading a questionnaire from YAML and checking it (`advisor questionnaire lint`): every value a choice
maps to is validated with `advisor.profile.fields.parse_field` on load, so a questionnaire that loads can
only produce valid profile values."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from advisor.errors import QuestionnaireError
from advisor.interview.conditions import _check_condition, _word, describe_condition
from advisor.interview.mapping import choice_summary, fields_for, normalise_answer
from advisor.interview.schema import (
    _FACT,
    _ID,
    AXIS_KEYS,
    BUNDLED,
    CHOICE_KEYS,
    PRIORITY_SCALE,
    QUESTION_KEYS,
    SECTION_KEYS,
    TOP_KEYS,
    TYPE_WORDS,
    TYPES,
    Axis,
    Choice,
    Problem,
    Question,
    Questionnaire,
    Section,
)
from advisor.profile.fields import (
    FIELD_BY_NAME,
    PRIORITY_FIELDS,
    FieldSpec,
    is_missing,
    parse_field,
)

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
