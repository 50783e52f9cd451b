"""The model of a questionnaire: sections, questions, choices and the words shown for them.

A questionnaire is a YAML file (`questionnaires/*.yaml`, or any path) with sections of questions. Each
question has an id, text, a "why we ask" help text, a type, and says which profile fields it sets.
docs/interview.md describes the format."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
class Option:
    """One selectable option: the value recorded in answers files, a label and a help text."""

    value: Any
    label: str
    help: str = ""


@dataclass(frozen=True)
class Choice(Option):
    """One option of a choice question, and the profile fields choosing it sets."""

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
