"""The interactive interview: asks a questionnaire's questions in a terminal and records the answers.

The engine (`Interview`) knows the questionnaire's semantics: which question comes next, conditions,
going back, "I don't know", help, validation. A `Prompter` only draws prompts and reads replies; there
are two, in `advisor.cli.prompts` (the terminal belongs to the CLI): arrow keys, and numbered choices with
typed input. The engine never touches the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from advisor.errors import InterviewInterrupted
from advisor.interview.answers import AnswerSet, walk
from advisor.interview.mapping import choice_summary, default_answer, fields_for, normalise_answer
from advisor.interview.questionnaire import render_text
from advisor.interview.schema import Option, Question, Questionnaire
from advisor.profile.fields import FIELD_BY_NAME

BACK_WORDS = frozenset({"<", "back", "b"})
HELP_WORDS = frozenset({"?", "help"})
DONT_KNOW_WORDS = frozenset({"idk", "i don't know", "i dont know", "don't know", "dont know", "unknown"})
BACK_LABEL = "← Back"
DONT_KNOW_LABEL = "I don't know"


@dataclass(frozen=True)
class Reply:
    """What the person did at a prompt: answer (with `value`), back, dont_know or help."""

    kind: str
    value: Any = None



class Prompter(Protocol):
    """Draws prompts and reads replies; raises KeyboardInterrupt or EOFError when the person stops."""

    def heading(self, title: str, position: str) -> None: ...

    def say(self, text: str, style: str = "") -> None: ...

    def select(self, message: str, options: Sequence[Option], default: Any, can_back: bool,
               can_dont_know: bool, dont_know_label: str = DONT_KNOW_LABEL) -> Reply: ...

    def checkbox(self, message: str, options: Sequence[Option], defaults: Sequence[Any], can_back: bool,
                 can_dont_know: bool) -> Reply: ...

    def text(self, message: str, default: str, hint: str, can_back: bool, can_dont_know: bool) -> Reply: ...

    def confirm(self, message: str, default: bool) -> bool: ...

    def path(self, message: str, default: str) -> str: ...


def interpret_text(raw: str, can_back: bool, can_dont_know: bool) -> Reply:
    """The typed commands every text prompt understands: ? help, < or back, idk; Enter alone is "blank"
    (the engine turns it into the question's default or "I don't know")."""
    word = raw.strip().lower().replace("’", "'")
    if not word:
        return Reply("blank")
    if word in HELP_WORDS:
        return Reply("help")
    if can_back and word in BACK_WORDS:
        return Reply("back")
    if can_dont_know and word in DONT_KNOW_WORDS:
        return Reply("dont_know")
    return Reply("answer", raw.strip())


def text_hint(hint: str, can_back: bool, can_dont_know: bool, default: str = "") -> str:
    """The line under a typed question: the unit, what Enter does, and the typed commands."""
    parts = [hint] if hint else []
    if default:
        parts.append(f"Enter keeps {default}")
    elif can_dont_know:
        parts.append(f"Enter: {DONT_KNOW_LABEL}")
    parts.append("? help")
    if can_back:
        parts.append("< back")
    if can_dont_know and default:
        parts.append("idk if you don't know")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- the engine


class Interview:
    """Asks the questions of `questionnaire` that `answer_set` does not answer yet, in order."""

    def __init__(self, questionnaire: Questionnaire, answer_set: AnswerSet, prompter: Prompter) -> None:
        self.questionnaire = questionnaire
        self.answer_set = answer_set
        self.prompter = prompter
        self.questions = questionnaire.questions

    def run(self) -> AnswerSet:
        """Ask until every active question is answered; raises InterviewInterrupted on Ctrl-C with what was answered."""
        try:
            self._loop()
        except (KeyboardInterrupt, EOFError):
            self._prune()
            raise InterviewInterrupted(self.answer_set) from None
        self._prune()
        self.answer_set.complete = True
        return self.answer_set

    def _loop(self) -> None:
        history: list[int] = []  # indices asked in this session, to go back through
        asked: set[str] = set()  # answered in this session: asked again when the person walks forward
        index = -1
        last_section = ""
        while True:
            state = walk(self.questionnaire, self.answer_set, interactive=True)
            nxt = next((j for j in range(index + 1, len(self.questions))
                        if state.status[self.questions[j].id] not in ("inactive", "pending", "prefilled")
                        and (state.status[self.questions[j].id] in ("unanswered", "invalid")
                             or self.questions[j].id in asked)),
                       None)
            if nxt is None:
                return
            question = self.questions[nxt]
            counted = [q for q in self.questions if state.status[q.id] not in ("inactive", "prefilled")]
            number = 1 + sum(1 for q in counted if self.questions.index(q) < nxt)
            if question.section != last_section:
                section = next(s for s in self.questionnaire.sections if s.id == question.section)
                self.prompter.say("")
                self.prompter.say(section.title + (f": {section.intro}" if section.intro else ""), "section")
                last_section = question.section
            self.prompter.heading(question.section_title, f"question {number} of {len(counted)}")
            known = [f"{k}={_shown_value(self.answer_set.prefill[k])}" for k in question.fields
                     if k in self.answer_set.prefill]
            if known:
                self.prompter.say(f"Already known: {', '.join(known)}; this answer sets only the rest.", "help")
            reply = self.ask(question, can_back=bool(history))
            if reply.kind == "back":
                index = history.pop() - 1
                last_section = ""
                continue
            if reply.kind == "dont_know":
                self.answer_set.mark_dont_know(question.id)
            else:
                self.answer_set.answer(question.id, reply.value)
            asked.add(question.id)
            history.append(nxt)
            index = nxt

    def _prune(self) -> None:
        """Drop answers to questions whose condition no longer holds (the person went back and changed)."""
        state = walk(self.questionnaire, self.answer_set, interactive=True)
        for qid in list(self.answer_set.answers):
            if state.status.get(qid) == "inactive":
                del self.answer_set.answers[qid]
        self.answer_set.dont_know = [q for q in self.answer_set.dont_know if state.status.get(q) != "inactive"]

    def current(self, question: Question) -> Any:
        if question.id in self.answer_set.answers:
            try:
                return normalise_answer(question, self.answer_set.answers[question.id])
            except ValueError:
                return default_answer(question)
        return default_answer(question)

    def ask(self, question: Question, can_back: bool) -> Reply:
        """Ask one question until it gets a valid answer, back or "I don't know"."""
        if question.type == "priorities":
            return self._ask_priorities(question, can_back)
        can_dk = question.dont_know
        current = self.current(question)
        while True:
            reply = self._prompt(question, current, can_back, can_dk)
            if reply.kind == "help":
                self.prompter.say(help_text(question), "help")
                continue
            if reply.kind in ("back", "dont_know"):
                return reply
            if reply.kind == "blank":  # Enter alone: the default (or earlier answer), else "I don't know"
                if current is not None and current != "":
                    reply = Reply("answer", current)
                elif can_dk:
                    return Reply("dont_know")
                else:
                    self.prompter.say("✗ This question needs an answer (it has no default). Please type one.",
                                      "error")
                    continue
            try:
                answer = normalise_answer(question, reply.value)
                fields_for(question, answer)
            except ValueError as exc:
                self.prompter.say(f"✗ {_shown(reply.value)} is not a valid answer: {exc}. Please try again.", "error")
                continue
            return Reply("answer", answer)

    def _prompt(self, question: Question, current: Any, can_back: bool, can_dk: bool) -> Reply:
        message = question.text
        if question.type in ("single", "yesno"):
            options = [Option(c.value, c.label, render_text(c.help)) for c in question.choices]
            return self.prompter.select(message, options, current, can_back, can_dk)
        if question.type == "multi":
            options = [Option(c.value, c.label, render_text(c.help)) for c in question.choices]
            return self.prompter.checkbox(message, options, list(current or []), can_back, can_dk)
        default = "" if current is None else str(current)
        return self.prompter.text(message, default, question.unit, can_back, can_dk)

    def _ask_priorities(self, question: Question, can_back: bool) -> Reply:
        current = dict(self.current(question) or {})
        self.prompter.say(question.text, "question")
        options = [Option(level, label) for level, label in enumerate(question.scale)]
        position = 0
        while position < len(question.axes):
            axis = question.axes[position]
            message = f"{axis.label} ({position + 1} of {len(question.axes)})"
            preselected = current.get(axis.field, FIELD_BY_NAME[axis.field].default)
            reply = self.prompter.select(message, options, preselected, can_back or position > 0,
                                         question.dont_know, "I don't know (weigh everything the same)")
            if reply.kind == "blank":
                reply = Reply("answer", preselected)
            if reply.kind == "help":
                self.prompter.say(help_text(question), "help")
                continue
            if reply.kind == "dont_know":
                return reply
            if reply.kind == "back":
                if position == 0:
                    return reply
                position -= 1
                continue
            current[axis.field] = int(reply.value)
            position += 1
        return Reply("answer", normalise_answer(question, current))


def _shown_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "that selection" if value else "no selection"
    return repr(value)


def help_text(question: Question) -> str:
    """The "why we ask" text with what each choice means."""
    lines = [f"Why we ask: {render_text(question.help)}"]
    for choice in question.choices:
        if choice.help:
            lines.append(f"  - {choice.label}: {render_text(choice.help)}")
    for axis in question.axes:
        lines.append(f"  - {axis.label}" + (f": {render_text(axis.help)}" if axis.help else ""))
    if question.type in ("single", "multi") and not any(c.help for c in question.choices):
        lines.append("  Each choice sets: " + "; ".join(f"{c.label} -> {choice_summary(c)}" for c in question.choices))
    if question.unit:
        lines.append(f"  Answer as {question.unit}.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- prompters
