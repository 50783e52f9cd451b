"""Terminal prompters for the interview: arrow-key lists (questionary on prompt_toolkit) and plain
numbered prompts. The interview session (`advisor.interview.session`) drives them through `Prompter`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from advisor.interview.session import (
    BACK_LABEL,
    DONT_KNOW_LABEL,
    Option,
    Prompter,
    Reply,
    interpret_text,
    text_hint,
)


def can_use_arrow_keys(stdin: Any = None, stdout: Any = None) -> bool:
    """True where a full-screen prompt can work: both ends are terminals and TERM is not dumb."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    term = os.environ.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return False
    try:
        return bool(stdin.isatty() and stdout.isatty())
    except (AttributeError, ValueError):
        return False


class PlainPrompter:
    """Numbered choices and typed answers, one line at a time: works on any terminal."""

    def __init__(self, read: Callable[[str], str] = input, write: Callable[[str], None] | None = None) -> None:
        self._read = read
        self._write = write or (lambda text: print(text, flush=True))

    def heading(self, title: str, position: str) -> None:
        self._write(f"\n[{title}] {position}")

    def say(self, text: str, style: str = "") -> None:
        if style == "section":
            self._write(f"== {text} ==")
        else:
            self._write(text)

    def select(self, message: str, options: Sequence[Option], default: Any, can_back: bool,
               can_dont_know: bool, dont_know_label: str = DONT_KNOW_LABEL) -> Reply:
        # A 0-5 scale is typed as its own numbers; other lists are numbered from 1, with 0 for "I don't know".
        scale = all(isinstance(o.value, int) and not isinstance(o.value, bool) for o in options)
        keys = [str(o.value) if scale else str(i) for i, o in enumerate(options, start=1)]
        dont_know_key = "idk" if scale else "0"
        default_key = next((k for k, o in zip(keys, options, strict=True) if o.value == default), None)
        if default_key is None and can_dont_know:
            default_key = dont_know_key  # no default: Enter means "I don't know", and the prompt says so
        self._write(message)
        for key, option in zip(keys, options, strict=True):
            mark = "  (default)" if key == default_key else ""
            self._write(f"  {key}) {option.label}{mark}")
        if can_dont_know:
            mark = "  (default)" if dont_know_key == default_key else ""
            self._write(f"  {dont_know_key}) {dont_know_label}{mark}")
        if can_back:
            self._write(f"  <) {BACK_LABEL}")
        prompt = f"Choose {keys[0]}-{keys[-1]}, ? for help" + (f" [{default_key}]" if default_key else "") + ": "
        while True:
            raw = self._read(prompt)
            text = raw.strip()
            if text == "" and default_key == dont_know_key:
                return Reply("dont_know")
            if text == "" and default_key is not None:
                return Reply("answer", options[keys.index(default_key)].value)
            if text == dont_know_key and can_dont_know:
                return Reply("dont_know")
            reply = interpret_text(raw, can_back, can_dont_know)
            if reply.kind != "answer":
                return reply
            if text in keys:
                return Reply("answer", options[keys.index(text)].value)
            match = [o for o in options if text.lower() in (str(o.value).lower(), o.label.lower())]
            if match:
                return Reply("answer", match[0].value)
            self._write(f"✗ {text!r} is not one of the choices: type a number from {keys[0]} to {keys[-1]}.")

    def checkbox(self, message: str, options: Sequence[Option], defaults: Sequence[Any], can_back: bool,
                 can_dont_know: bool) -> Reply:
        self._write(message)
        for i, option in enumerate(options, start=1):
            mark = " [x]" if option.value in defaults else " [ ]"
            self._write(f" {mark} {i}) {option.label}")
        if can_dont_know:
            self._write(f"      0) {DONT_KNOW_LABEL}")
        if can_back:
            self._write(f"      <) {BACK_LABEL}")
        chosen = ",".join(str(i) for i, o in enumerate(options, start=1) if o.value in defaults) or "none"
        prompt = f"Numbers separated by commas, or none; ? for help [{chosen}]: "
        while True:
            raw = self._read(prompt)
            text = raw.strip()
            if text == "":
                return Reply("answer", list(defaults))
            if text == "0" and can_dont_know:
                return Reply("dont_know")
            reply = interpret_text(raw, can_back, can_dont_know)
            if reply.kind != "answer":
                return reply
            if text.lower() in ("none", "-"):
                return Reply("answer", [])
            picked: list[Any] = []
            bad = []
            for part in text.replace(";", ",").replace(" ", ",").split(","):
                if not part:
                    continue
                if part.isdigit() and 1 <= int(part) <= len(options):
                    picked.append(options[int(part) - 1].value)
                else:
                    bad.append(part)
            if not bad:
                return Reply("answer", picked)
            self._write(f"✗ {', '.join(bad)}: not a choice; type numbers from 1 to {len(options)}, "
                        "separated by commas, or none.")

    def text(self, message: str, default: str, hint: str, can_back: bool, can_dont_know: bool) -> Reply:
        self._write(message)
        self._write(f"  ({text_hint(hint, can_back, can_dont_know, default)})")
        shown = default or (DONT_KNOW_LABEL if can_dont_know else "")
        raw = self._read(f"> [{shown}] " if shown else "> ")
        if raw.strip() == "" and default:
            return Reply("answer", default)
        return interpret_text(raw, can_back, can_dont_know)

    def confirm(self, message: str, default: bool) -> bool:
        suffix = "[Y/n]" if default else "[y/N]"
        while True:
            raw = self._read(f"{message} {suffix} ").strip().lower()
            if raw == "":
                return default
            if raw in ("y", "yes"):
                return True
            if raw in ("n", "no"):
                return False
            self._write("✗ Please answer y or n.")

    def path(self, message: str, default: str) -> str:
        raw = self._read(f"{message} [{default}] ").strip()
        return raw or default


HELP_RESULT = "__advisor_help__"
BACK_RESULT = "__advisor_back__"
DONT_KNOW_RESULT = "__advisor_dont_know__"


class QuestionaryPrompter:
    """Arrow-key lists and line editing (questionary on prompt_toolkit) for real terminals."""

    def __init__(self, color: bool = True) -> None:
        import questionary

        self.q = questionary
        self.color = color

    def _styled(self, text: str, style: str) -> str:
        if not self.color:
            return text
        import typer

        styles: dict[str, dict[str, Any]] = {
            "section": {"fg": "cyan", "bold": True}, "heading": {"fg": "bright_black"},
            "help": {"fg": "yellow"}, "error": {"fg": "red", "bold": True}, "question": {"bold": True},
        }
        return typer.style(text, **styles.get(style, {}))

    def heading(self, title: str, position: str) -> None:
        print(self._styled(f"-- {title} · {position}", "heading"), flush=True)

    def say(self, text: str, style: str = "") -> None:
        print(self._styled(text, style), flush=True)

    def _with_keys(self, question: Any, back_key: bool) -> Any:
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

        bindings = KeyBindings()

        @bindings.add("?", eager=True)
        def _help(event: Any) -> None:
            event.app.exit(result=HELP_RESULT)

        if back_key:
            @bindings.add("<", eager=True)
            def _back(event: Any) -> None:
                event.app.exit(result=BACK_RESULT)

        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings, bindings])
        return question

    def _extras(self, can_back: bool, can_dont_know: bool, dont_know_label: str) -> list[Any]:
        extras: list[Any] = []
        if can_back or can_dont_know:
            extras.append(self.q.Separator())
        if can_dont_know:
            extras.append(self.q.Choice(dont_know_label, value=DONT_KNOW_RESULT))
        if can_back:
            extras.append(self.q.Choice(BACK_LABEL, value=BACK_RESULT))
        return extras

    @staticmethod
    def _reply(result: Any, options: Sequence[Option]) -> Reply:
        if result == HELP_RESULT:
            return Reply("help")
        if result == BACK_RESULT:
            return Reply("back")
        if result == DONT_KNOW_RESULT:
            return Reply("dont_know")
        return Reply("answer", options[int(result)].value)

    def select(self, message: str, options: Sequence[Option], default: Any, can_back: bool,
               can_dont_know: bool, dont_know_label: str = DONT_KNOW_LABEL) -> Reply:
        choices = [self.q.Choice(o.label, value=str(i), description=o.help or None) for i, o in enumerate(options)]
        default_choice = next((c for c, o in zip(choices, options, strict=True) if o.value == default), None)
        extras = self._extras(can_back, can_dont_know, dont_know_label)
        instruction = "(↑↓ and Enter; ? for help)"
        if default_choice is None and can_dont_know:  # no default: the cursor starts on "I don't know"
            default_choice = next(c for c in extras if getattr(c, "value", None) == DONT_KNOW_RESULT)
            instruction = f"(↑↓ and Enter; Enter alone: {dont_know_label}; ? for help)"
        question = self.q.select(message, choices=[*choices, *extras], default=default_choice, use_jk_keys=False,
                                 instruction=instruction)
        result = self._with_keys(question, back_key=can_back).unsafe_ask()
        return self._reply(result, options)

    def checkbox(self, message: str, options: Sequence[Option], defaults: Sequence[Any], can_back: bool,
                 can_dont_know: bool) -> Reply:
        choices = [self.q.Choice(o.label, value=str(i), checked=o.value in defaults, description=o.help or None)
                   for i, o in enumerate(options)]
        question = self.q.checkbox(message, choices=[*choices, *self._extras(can_back, can_dont_know,
                                                                             DONT_KNOW_LABEL)],
                                   use_jk_keys=False,
                                   instruction="(↑↓ move, Space ticks, Enter confirms; ? for help"
                                               + (", < back)" if can_back else ")"))
        result = self._with_keys(question, back_key=can_back).unsafe_ask()
        if result in (HELP_RESULT, BACK_RESULT):
            return self._reply(result, options)
        picked = list(result or [])
        if BACK_RESULT in picked:
            return Reply("back")
        if DONT_KNOW_RESULT in picked:
            return Reply("dont_know")
        return Reply("answer", [options[int(i)].value for i in picked])

    def text(self, message: str, default: str, hint: str, can_back: bool, can_dont_know: bool) -> Reply:
        question = self.q.text(message, default=default,
                               instruction=f"({text_hint(hint, can_back, can_dont_know, default)})")
        raw = question.unsafe_ask()
        return interpret_text(str(raw or ""), can_back, can_dont_know)

    def confirm(self, message: str, default: bool) -> bool:
        return bool(self.q.confirm(message, default=default).unsafe_ask())

    def path(self, message: str, default: str) -> str:
        raw = self.q.text(message, default=default).unsafe_ask()
        return str(raw or "").strip() or default


def make_prompter(plain: bool, color: bool = True) -> Prompter:
    """Arrow keys where the terminal can do them, otherwise (or with --plain) numbered prompts."""
    if not plain and can_use_arrow_keys():
        try:
            return QuestionaryPrompter(color=color)
        except ImportError:
            pass
    return PlainPrompter()
