"""Answers files: what someone answered in an interview, and how answers become a workload profile.

An answers file is YAML keyed by question id. It records the questionnaire's id and version, which
questions were answered "I don't know", and any profile fields given up front (`--profile`,
`--from`). The same answers always map to the same profile: `resolve` walks the questions in order,
applies each answer's fields over the prefilled ones and hands the mapping to `build_profile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor import files
from advisor.errors import AnswersError, UsageError
from advisor.interview.conditions import DONT_KNOW, UNANSWERED, answer_value, holds, prepared_condition
from advisor.interview.mapping import answered_by, fields_for, infer_answer, normalise_answer
from advisor.interview.schema import Question, Questionnaire
from advisor.profile.fields import FIELD_BY_NAME, FIELD_NAMES, WorkloadProfile, build_profile, parse_field

SCHEMA_VERSION = 1
FILE_KEYS = ("schema_version", "questionnaire", "questionnaire_version", "complete", "answers", "dont_know",
             "prefill", "skip_fields")


@dataclass
class AnswerSet:
    """The state of one interview: answers by question id, "I don't know"s, and prefilled profile fields.

    `skip_fields` are the fields already known up front; questions that set only those are not asked.
    It defaults to the prefilled fields.
    """

    questionnaire: str
    questionnaire_version: int
    answers: dict[str, Any] = field(default_factory=dict)
    dont_know: list[str] = field(default_factory=list)
    prefill: dict[str, Any] = field(default_factory=dict)
    skip_fields: list[str] | None = None
    complete: bool = False

    @property
    def known_fields(self) -> set[str]:
        return set(self.prefill) if self.skip_fields is None else set(self.skip_fields) | set(self.prefill)

    def answer(self, question_id: str, value: Any) -> None:
        self.answers[question_id] = value
        if question_id in self.dont_know:
            self.dont_know.remove(question_id)

    def mark_dont_know(self, question_id: str) -> None:
        self.answers.pop(question_id, None)
        if question_id not in self.dont_know:
            self.dont_know.append(question_id)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "questionnaire": self.questionnaire,
            "questionnaire_version": self.questionnaire_version,
            "complete": self.complete,
            "answers": {k: _plain(v) for k, v in self.answers.items()},
            "dont_know": list(self.dont_know),
        }
        if self.prefill:
            data["prefill"] = {k: _plain(v) for k, v in self.prefill.items()}
        if self.skip_fields is not None:
            data["skip_fields"] = sorted(self.skip_fields)
        return data

    def to_yaml(self) -> str:
        import yaml

        header = (f"# Answers to the advisor interview {self.questionnaire!r} (version {self.questionnaire_version}).\n"
                  "# Run again without prompts: advisor interview --answers THIS_FILE\n")
        return header + yaml.safe_dump(self.to_data(), sort_keys=False, allow_unicode=True, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def new_answer_set(questionnaire: Questionnaire, prefill: Mapping[str, Any] | None = None,
                   skip_fields: list[str] | None = None) -> AnswerSet:
    return AnswerSet(questionnaire.id, questionnaire.version, prefill=dict(prefill or {}), skip_fields=skip_fields)


def read_answers(path: str | Path) -> AnswerSet:
    """Read an answers file (safe YAML); a malformed one is a usage error naming the file and key."""
    from advisor.files import read_yaml_file

    return answers_from_data(read_yaml_file(path, "answers file"), str(path))


def answers_from_data(data: Any, label: str) -> AnswerSet:
    if not isinstance(data, dict):
        raise UsageError(f"{label}: an answers file is a mapping with 'questionnaire' and 'answers'")
    unknown = [str(k) for k in data if k not in FILE_KEYS]
    if unknown:
        raise UsageError(f"{label}: unknown key(s) {', '.join(unknown)}; an answers file has {', '.join(FILE_KEYS)}")
    questionnaire = data.get("questionnaire")
    if not isinstance(questionnaire, str) or not questionnaire:
        raise UsageError(f"{label}: 'questionnaire' must name the questionnaire (for example quick or default)")
    version = data.get("questionnaire_version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise UsageError(f"{label}: 'questionnaire_version' must be a whole number, got {version!r}")
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        raise UsageError(f"{label}: 'answers' must be a mapping of question id: answer")
    dont_know = data.get("dont_know") or []
    if not isinstance(dont_know, list) or not all(isinstance(x, str) for x in dont_know):
        raise UsageError(f"{label}: 'dont_know' must be a list of question ids")
    prefill = data.get("prefill") or {}
    if not isinstance(prefill, dict):
        raise UsageError(f"{label}: 'prefill' must be a mapping of profile field: value")
    skip = data.get("skip_fields")
    if skip is not None and (not isinstance(skip, list) or not all(isinstance(x, str) for x in skip)):
        raise UsageError(f"{label}: 'skip_fields' must be a list of profile field names")
    for name in list(prefill) + list(skip or []):
        if name not in FIELD_BY_NAME:
            raise UsageError(f"{label}: prefill names unknown profile field {name!r}")
    return AnswerSet(questionnaire, version, {str(k): v for k, v in answers.items()}, list(dont_know),
                     {str(k): v for k, v in prefill.items()}, list(skip) if skip is not None else None,
                     bool(data.get("complete", False)))


def write_answers(path: Path, answer_set: AnswerSet, force: bool = False) -> Path:
    files.write_new_text(path, answer_set.to_yaml(), force, "answers file")
    return path


# ----------------------------------------------------------------------------- answers -> profile


@dataclass(frozen=True)
class AnswerProblem:
    """One answer that could not be used: which question, what was given, and what happened instead."""

    question: str
    value: Any
    message: str
    kind: str  # invalid | missing | unknown

    def __str__(self) -> str:
        shown = "" if self.kind == "missing" else f"={self.value!r}"
        return f"{self.question}{shown}: {self.message}"



@dataclass(frozen=True)
class Walk:
    """The questions in order with their state, the profile mapping so far and any problems.

    status per question id: answered, dont_know, prefilled (the profile given up front answers it),
    unanswered, inactive (its condition does not hold), pending (its condition depends on a question
    still to be asked), invalid, missing (a required question with no answer).
    """

    status: dict[str, str]
    mapping: dict[str, Any]
    problems: tuple[AnswerProblem, ...]
    fatal: tuple[AnswerProblem, ...]


def walk(questionnaire: Questionnaire, answer_set: AnswerSet, interactive: bool = False) -> Walk:
    """Walk the questions in order, evaluating each condition on the answers before it.

    In `interactive` mode unanswered questions are still to be asked, so a condition that depends on
    one is pending, and missing required answers are not problems yet.
    """
    status: dict[str, str] = {}
    comparable: dict[str, Any] = {}
    mapping: dict[str, Any] = dict(answer_set.prefill)
    problems: list[AnswerProblem] = []
    fatal: list[AnswerProblem] = []
    known = _known_values(answer_set)

    def lookup(ref: str) -> Any:
        return comparable.get(ref, UNANSWERED)

    def pending(ref: str) -> bool:
        return interactive and status.get(ref) in ("unanswered", "pending")

    for question in questionnaire.questions:
        active = holds(prepared_condition(question, questionnaire), lookup, pending)
        qid = question.id
        if active is False:
            status[qid] = "inactive"
            continue
        if active is None:
            status[qid] = "pending"
            continue
        if qid in answer_set.dont_know:
            if question.required or not question.dont_know:
                problem = AnswerProblem(qid, "I don't know", "this question cannot be answered \"I don't know\"",
                                        "invalid")
                _fallback(question, problem, problems, fatal, mapping, comparable, status, answer_set.prefill)
                continue
            status[qid] = "dont_know"
            comparable[qid] = DONT_KNOW
            continue
        if qid not in answer_set.answers:
            if answered_by(question, known):
                status[qid] = "prefilled"
                inferred = infer_answer(question, known)
                if inferred is not None:
                    comparable[qid] = _comparable(question, inferred)
                continue
            if question.required and not interactive:
                problem = AnswerProblem(qid, None, "a required answer is missing", "missing")
                _fallback(question, problem, problems, fatal, mapping, comparable, status, answer_set.prefill)
                continue
            status[qid] = "unanswered"
            continue
        raw = answer_set.answers[qid]
        try:
            answer = normalise_answer(question, raw)
            # fields given up front (profile, descriptor) are exact; an answer fills in only the rest
            mapping.update({k: v for k, v in fields_for(question, answer).items() if k not in answer_set.prefill})
        except ValueError as exc:
            _fallback(question, AnswerProblem(qid, raw, str(exc), "invalid"), problems, fatal, mapping,
                      comparable, status, answer_set.prefill)
            continue
        status[qid] = "answered"
        comparable[qid] = _comparable(question, answer)

    for qid, raw in answer_set.answers.items():
        if qid not in status:
            problems.append(AnswerProblem(qid, raw, "no such question in this questionnaire; ignored", "unknown"))
    for qid in answer_set.dont_know:
        if qid not in status:
            problems.append(AnswerProblem(qid, "I don't know", "no such question in this questionnaire; ignored",
                                          "unknown"))
    return Walk(status, mapping, tuple(problems), tuple(fatal))


def _comparable(question: Question, answer: Any) -> Any:
    try:
        return answer_value(question, answer)
    except ValueError:
        return UNANSWERED


def _known_values(answer_set: AnswerSet) -> dict[str, Any]:
    known: dict[str, Any] = {}
    for name in answer_set.known_fields:
        default = FIELD_BY_NAME[name].default
        known[name] = list(default) if isinstance(default, tuple) else default
    known.update(answer_set.prefill)
    return known


def _fallback(question: Question, problem: AnswerProblem, problems: list[AnswerProblem], fatal: list[AnswerProblem],
              mapping: dict[str, Any], comparable: dict[str, Any], status: dict[str, str],
              prefill: Mapping[str, Any]) -> None:
    """Use the question's default for an unusable answer; without one a required question is fatal."""
    status[question.id] = problem.kind
    if question.default is not None:
        mapping.update({k: v for k, v in fields_for(question, question.default).items() if k not in prefill})
        comparable[question.id] = _comparable(question, question.default)
        problems.append(AnswerProblem(problem.question, problem.value,
                                      f"{problem.message}; used the default {question.default!r}", problem.kind))
    elif question.required:
        fatal.append(problem)
    else:
        problems.append(AnswerProblem(problem.question, problem.value,
                                      f"{problem.message}; left {', '.join(question.fields)} to the profile default",
                                      problem.kind))


@dataclass(frozen=True)
class Resolution:
    """Answers turned into a profile, with every answer that could not be used."""

    profile: WorkloadProfile
    problems: tuple[AnswerProblem, ...]
    status: dict[str, str]


def resolve(questionnaire: Questionnaire, answer_set: AnswerSet, source: str = "answers") -> Resolution:
    """Map answers to a validated profile. Unusable answers fall back to defaults and are listed in
    `problems`; a required answer with no default to fall back on raises ProfileError (exit 2)."""
    result = walk(questionnaire, answer_set)
    if result.fatal:
        raise AnswersError(source, [*result.fatal, *result.problems])
    mapping = {k: v for k, v in result.mapping.items() if k in FIELD_NAMES}
    profile = build_profile(mapping, source=source)
    return Resolution(profile, result.problems, result.status)


def prefill_from_profile(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The fields a profile file sets, validated and in canonical form (to prefill an interview)."""
    profile = build_profile(data, source=source)
    given = {name for name in FIELD_NAMES if name not in profile.assumed_defaults}
    values = profile.to_dict()
    return {name: values[name] for name in FIELD_NAMES if name in given}


def canonical(name: str, value: Any) -> Any:
    """One field's value in canonical form (for tests and prefill data)."""
    return parse_field(FIELD_BY_NAME[name], value)
