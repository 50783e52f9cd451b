"""The real interview in a pseudo-terminal (pexpect): arrow keys, back, help, invalid input, Ctrl-C and
resume, and the plain numbered mode. Output is matched after stripping terminal escape codes."""

from __future__ import annotations

import os
import re
import shlex
import sys
import time
from pathlib import Path

import pexpect
import pytest
import yaml

from advisor import RUNTIME_LABELS
from advisor.interview.answers import read_answers, resolve
from advisor.interview.questionnaire import load_questionnaire

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
UP, DOWN, ENTER, CTRL_C, CTRL_U = "\x1b[A", "\x1b[B", "\r", "\x03", "\x15"
TIMEOUT = 20


class Term:
    """`python -m advisor interview ...` in a pseudo-terminal, read as plain text."""

    def __init__(self, args: list[str], cwd: Path, term: str = "xterm") -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        env.update(TERM=term, COLUMNS="100", LINES="40", PROMPT_TOOLKIT_NO_CPR="1", PYTHONUNBUFFERED="1")
        self.child = pexpect.spawn(sys.executable, ["-m", "advisor", "interview", *args], cwd=str(cwd), env=env,
                                   dimensions=(40, 100), encoding="utf-8", codec_errors="replace")
        self.raw = ""
        self.pos = 0

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw).replace("\r", "")

    def _read(self) -> bool:
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=0.1)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def expect(self, words: str, timeout: float = TIMEOUT) -> None:
        """Wait until `words` appear after the last match (plain text, escapes removed)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.text.find(words, self.pos)
            if found >= 0:
                self.pos = found + len(words)
                return
            alive = self._read()
            if not alive or time.monotonic() > deadline:
                found = self.text.find(words, self.pos)
                if found >= 0:
                    self.pos = found + len(words)
                    return
                pytest.fail(f"did not see {words!r} within {timeout}s; screen so far:\n{self.text[-3000:]}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def answer(self, words: str, keys: str) -> None:
        """Wait for a prompt, then press keys."""
        self.expect(words)
        time.sleep(0.05)
        self.send(keys)

    def finish(self, timeout: float = TIMEOUT) -> int:
        """Decline any remaining offer (report, starter config) and return the exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._read():
                break
            tail = self.text[self.pos:]
            offer = re.search(r"\?\s*(Save the recommendation as JSON|Write a decision report|Write a starter "
                              r"configuration)[^\n]*\(y/N\)", tail)
            if offer:
                self.pos += offer.end()
                self.send("n")
        else:
            pytest.fail(f"the interview did not end; screen so far:\n{self.text[-3000:]}")
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -(self.child.signalstatus or 0))


def _priorities(term: Term, first: str = "") -> None:
    term.answer("Simplicity: little to operate (1 of 5)", first + ENTER)
    for n in range(2, 6):
        term.answer(f"({n} of 5)", ENTER)


def test_full_run_with_arrow_keys(isolated: Path) -> None:
    term = Term(["--questionnaire", "quick"], isolated)
    term.answer("Your application · question 1 of 10", "")
    term.answer("What is the workload called?", "nightly-etl" + ENTER)
    term.answer("question 2 of 10", "")
    term.answer("Keeps state itself", DOWN * 4 + ENTER)  # http_api -> batch_job
    term.answer("question 3 of 10", UP + ENTER)  # No -> Yes
    term.answer("Running it · question 4 of 10", "")
    term.answer("Many hours", DOWN * 4 + ENTER)  # up to half a minute -> about 2 hours
    term.answer("question 5 of 10", "")
    term.answer("A GPU (with 4 vCPUs, 16 GB)", DOWN + ENTER)  # small -> medium
    term.answer("question 6 of 10", "")
    term.answer("Sudden spikes (launches, floods of events)", UP * 2 + ENTER)  # daytime -> rare
    term.answer("question 7 of 10", "")
    term.answer("The Kubernetes API", ENTER)  # none of them
    term.answer("Team and platform · question 8 of 10", "")
    term.answer("A platform team that runs Kubernetes", ENTER)
    term.answer("question 9 of 10", "")
    term.answer("Also in other clouds", ENTER)
    term.answer("What matters most · question 10 of 10", "")
    _priorities(term, first=DOWN)  # simplicity 3 -> 4
    term.expect("nightly-etl: run it on ")
    term.expect("Save your answers (to run again with --answers)?")
    term.send(ENTER)
    term.answer("Answers file:", ENTER)
    status = term.finish()
    assert status == 0, term.text[-2000:]
    saved = read_answers(isolated / "nightly-etl-answers.yaml")
    assert saved.complete
    assert saved.answers["workload_type"] == "batch_job"
    assert saved.answers["containerized"] is True
    assert saved.answers["duration"] == "two_hours"
    assert saved.answers["size"] == "medium" and saved.answers["traffic"] == "rare"
    assert saved.answers["special_needs"] == []
    assert saved.answers["priorities"]["priority_simplicity"] == 4
    # the table shown is the recommendation for exactly those answers
    from advisor.api import recommend

    expected = recommend(resolve(load_questionnaire("quick"), saved).profile)
    assert f"nightly-etl: run it on {RUNTIME_LABELS[expected.recommendation]}" in term.text
    assert "Assumed defaults:" in term.text


def test_back_changes_the_previous_answer(isolated: Path) -> None:
    term = Term(["--questionnaire", "quick"], isolated)
    term.answer("What is the workload called?", "api" + ENTER)
    term.answer("Keeps state itself", DOWN + ENTER)  # web_app
    term.answer("question 3 of 10", "")
    term.answer("← Back", DOWN * 2 + ENTER)  # No -> I don't know -> ← Back
    term.answer("question 2 of 10", "")
    term.answer("Keeps state itself", DOWN + ENTER)  # from web_app (the earlier answer) to event_handler
    term.answer("question 3 of 10", "")
    term.answer("← Back", ENTER)  # No
    term.answer("question 4 of 10", "")
    term.answer("Many hours", CTRL_C)
    assert term.finish() == 130
    saved = read_answers(isolated / "advisor-answers.yaml")
    assert saved.answers["workload_type"] == "event_handler"
    assert saved.answers["containerized"] is False


def test_question_mark_shows_why_we_ask(isolated: Path) -> None:
    term = Term(["--questionnaire", "quick"], isolated)
    term.answer("What is the workload called?", "?" + ENTER)
    term.expect("Why we ask: A short name for this workload")
    term.answer("What is the workload called?", "svc" + ENTER)
    term.answer("Keeps state itself", "?")
    term.expect("Why we ask: The kind of work decides which services fit naturally")
    term.answer("Keeps state itself", ENTER)  # the list is asked again
    term.answer("question 3 of 10", CTRL_C)
    assert term.finish() == 130
    assert read_answers(isolated / "advisor-answers.yaml").answers == {"name": "svc", "workload_type": "http_api"}


def test_invalid_number_is_asked_again(isolated: Path) -> None:
    (isolated / "p.yaml").write_text(yaml.safe_dump({
        "name": "prefilled", "description": "from a profile", "workload_type": "http_api", "language": "go",
        "containerized": True}), encoding="utf-8")
    term = Term(["--profile", "p.yaml"], isolated)
    term.answer("Your application · question 1 of", "")
    term.answer("How big is what you deploy", CTRL_U + "lots" + ENTER)
    term.expect("✗ 'lots' is not a valid answer: 'lots' is not a number with an optional unit. Please try again.")
    term.answer("How big is what you deploy", CTRL_U + "4 bananas" + ENTER)
    term.expect("unknown size unit 'bananas'")
    term.answer("How big is what you deploy", CTRL_U + "1.5GB" + ENTER)
    term.answer("Does it need Windows?", CTRL_C)
    assert term.finish() == 130
    saved = read_answers(isolated / "advisor-answers.yaml")
    assert saved.answers == {"artifact_size": "1.5GB"}
    assert saved.prefill["name"] == "prefilled"


def test_ctrl_c_saves_and_resume_finishes_the_same_interview(isolated: Path) -> None:
    term = Term(["--questionnaire", "quick"], isolated)
    term.answer("What is the workload called?", "resumable" + ENTER)
    term.answer("Keeps state itself", DOWN * 2 + ENTER)  # event_handler
    term.answer("question 3 of 10", ENTER)
    term.answer("question 4 of 10", "")
    term.answer("Many hours", CTRL_C)
    term.expect("Saved 3 answer(s) to advisor-answers.yaml")
    term.expect("To carry on where you left off, run:")
    assert term.finish() == 130
    command = re.search(r"^\s*(advisor interview .*)$", term.text, re.M)
    assert command is not None
    args = shlex.split(command.group(1))
    assert args == ["advisor", "interview", "--questionnaire", "quick", "--resume", "advisor-answers.yaml"]
    partial = read_answers(isolated / "advisor-answers.yaml")
    assert not partial.complete and partial.answers["workload_type"] == "event_handler"

    again = Term(args[2:], isolated)
    again.expect("continuing from advisor-answers.yaml")
    again.expect("Running it")
    for n in range(4, 10):
        again.answer(f"question {n} of 10", "")
        again.answer("I don't know", ENTER)  # the last line of each list: accept the preselected answer
    _priorities(again)
    again.expect("resumable: run it on")
    assert again.finish() == 0
    assert "question 3 of 10" not in again.text
    done = read_answers(isolated / "advisor-answers.yaml")
    assert done.complete
    assert done.answers["name"] == "resumable" and done.answers["workload_type"] == "event_handler"
    assert set(done.answers) == {q.id for q in load_questionnaire("quick").questions}


def test_plain_mode_on_a_dumb_terminal(isolated: Path) -> None:
    term = Term(["--questionnaire", "quick"], isolated, term="dumb")
    term.answer("[Your application] question 1 of 10", "")
    term.answer("> ", "plain-svc\r")
    term.answer("Choose 1-10, ? for help [1]: ", "abc\r")
    term.answer("✗ 'abc' is not one of the choices", "")
    term.answer("Choose 1-10, ? for help [1]: ", "5\r")  # batch_job
    term.answer("Choose 1-2, ? for help [2]: ", "<\r")  # back
    term.answer("[Your application] question 2 of 10", "")
    term.answer("5) Runs batch jobs (ETL, reports, rendering)  (default)", "")
    term.answer("Choose 1-10, ? for help [5]: ", "\r")
    term.answer("Choose 1-2, ? for help [2]: ", "1\r")
    term.answer("[Running it] question 4 of 10", "")
    term.answer("Choose 1-7, ? for help [2]: ", "?\r")
    term.expect("Why we ask: Lambda stops any invocation after")
    term.answer("Choose 1-7, ? for help [2]: ", "6\r")
    for prompt in ("Choose 1-5, ? for help [2]: ", "Choose 1-5, ? for help [3]: ",
                   "Numbers separated by commas, or none; ? for help [none]: ",
                   "Choose 1-4, ? for help [2]: ", "Choose 1-4, ? for help [1]: "):
        term.answer(prompt, "\r")
    term.answer("Simplicity: little to operate (1 of 5)", "")
    term.answer("Choose 0-5, ? for help [3]: ", "5\r")
    for _ in range(4):
        term.answer("Choose 0-5, ? for help [3]: ", "\r")
    term.expect("plain-svc: run it on")
    term.answer("Save your answers (to run again with --answers)? [Y/n] ", "y\r")
    term.answer("Answers file: [plain-svc-answers.yaml] ", "\r")
    deadline = time.monotonic() + TIMEOUT
    while term._read() and time.monotonic() < deadline:
        if re.search(r"\[y/N\] $", term.text[term.pos:]):
            term.pos = len(term.text)
            term.send("\r")
    assert term.finish() == 0
    saved = read_answers(isolated / "plain-svc-answers.yaml")
    assert saved.answers["workload_type"] == "batch_job" and saved.answers["duration"] == "two_hours"
    assert saved.answers["priorities"]["priority_simplicity"] == 5


def test_plain_flag_on_a_capable_terminal(isolated: Path) -> None:
    term = Term(["--questionnaire", "quick", "--plain"], isolated)
    term.answer("> ", "x\r")
    term.answer("Choose 1-10, ? for help [1]: ", CTRL_C)
    term.expect("advisor interview --questionnaire quick --resume advisor-answers.yaml --plain")
    assert term.finish() == 130


def _press_enter_until_done(term: Term, timeout: float = 150) -> int:
    """Press Enter whenever the screen has been still for a moment, until the interview exits; fail at the
    first complaint (an answer refused), which is what used to loop forever."""
    deadline = time.monotonic() + timeout
    seen = len(term.raw)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        alive = term._read()
        complaint = re.search(r"✗[^\n]*", term.text[term.pos:])
        if complaint:
            pytest.fail(f"Enter was refused: {complaint.group(0)}\n{term.text[-2500:]}")
        if not alive:
            term.child.close()
            return int(term.child.exitstatus if term.child.exitstatus is not None else -1)
        if len(term.raw) != seen:
            seen, quiet_since = len(term.raw), time.monotonic()
        elif time.monotonic() - quiet_since > 0.15:
            term.send(ENTER)
            quiet_since = time.monotonic()
    pytest.fail(f"the interview did not end; screen so far:\n{term.text[-3000:]}")


@pytest.mark.parametrize("questionnaire", ["default", "quick"])
@pytest.mark.parametrize("plain", [False, True], ids=["arrow-keys", "plain"])
def test_enter_at_every_question_after_the_name_finishes(isolated: Path, questionnaire: str, plain: bool) -> None:
    """Enter takes each question's default or, where there is none, "I don't know"; the interview ends with a
    recommendation and the saved answers say which were "I don't know"."""
    term = Term(["--questionnaire", questionnaire, *(["--plain"] if plain else [])], isolated)
    term.answer("What is the workload called?", "enter-only" + ENTER)
    status = _press_enter_until_done(term)
    assert status == 0, term.text[-2500:]
    assert "enter-only: run it on " in term.text, term.text[-2500:]
    saved = read_answers(isolated / "enter-only-answers.yaml")  # Enter on "Save your answers?" means yes
    assert saved.complete
    chosen = load_questionnaire(questionnaire)
    resolution = resolve(chosen, saved)
    assert not resolution.problems
    expected_dont_know = {q.id for q in chosen.questions if q.id != "name" and q.default is None
                          and q.type in ("text", "number", "single") and q.dont_know
                          and q.id in {*saved.answers, *saved.dont_know}}
    assert set(saved.dont_know) == expected_dont_know
    if questionnaire == "default":
        assert {"description", "latency"} <= set(saved.dont_know)
        assert "Enter: I don't know" in term.text  # the prompt says what Enter does
