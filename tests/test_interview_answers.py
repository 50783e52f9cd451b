"""Answers files and the interview engine without a terminal: --answers, --save, --profile, resume, back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.cli.app import app
from advisor.cli.prompts import PlainPrompter
from advisor.errors import InterviewInterrupted
from advisor.files import safe_file_name as safe_stem
from advisor.interview.answers import AnswerSet, new_answer_set, read_answers, resolve, walk, write_answers
from advisor.interview.questionnaire import load_questionnaire
from advisor.interview.session import Interview, Option, Reply

REPO = Path(__file__).resolve().parents[1]

QUICK_ANSWERS = {
    "questionnaire": "quick",
    "questionnaire_version": 1,
    "answers": {
        "name": "nightly-etl",
        "workload_type": "batch_job",
        "containerized": True,
        "duration": "two_hours",
        "size": "medium",
        "traffic": "rare",
        "special_needs": [],
        "team": "developers",
        "where": "aws_only",
        "priorities": {"priority_simplicity": 4, "priority_flexibility": 2, "priority_agility": 3,
                       "priority_hybridity": 0, "priority_cost": 4},
    },
}

# The profile those answers must map to, written out by hand from the questionnaire's choices.
EXPECTED_PROFILE = {
    "name": "nightly-etl", "workload_type": "batch_job", "containerized": True,
    "max_duration_s": "2h", "avg_duration_ms": "90min", "vcpu": 4, "memory_mb": "8GB", "gpu": 0,
    "traffic_pattern": "sporadic", "requests_per_month": 100, "peak_concurrency": 1,
    "privileged": False, "host_networking": False, "daemon_per_host": False, "kernel_tuning": False,
    "os": "linux", "protocols": ["http"], "long_lived_connections": False, "persistent_storage": "none",
    "kubernetes_native": False,
    "ops_capacity": "limited", "k8s_experience": "none", "existing_platform": "none",
    "hybrid": "aws_only",
    "priority_simplicity": 4, "priority_flexibility": 2, "priority_agility": 3, "priority_hybridity": 0,
    "priority_cost": 4,
}


def _write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_same_answers_give_the_same_profile_as_recommend(runner, isolated: Path) -> None:
    answers = _write(isolated / "answers.yaml", QUICK_ANSWERS)
    profile = _write(isolated / "expected.yaml", EXPECTED_PROFILE)
    interview = runner.invoke(app, ["interview", "--answers", str(answers), "--format", "json"])
    assert interview.exit_code == 0, interview.output
    recommend = runner.invoke(app, ["recommend", str(profile), "--format", "json"])
    assert recommend.exit_code == 0, recommend.output
    assert json.loads(interview.stdout) == json.loads(recommend.stdout)

    # and the profile the library maps the answers to gives the same JSON as well
    mapped = resolve(load_questionnaire("quick"), read_answers(answers)).profile
    given = {k: v for k, v in mapped.to_dict().items() if k not in mapped.assumed_defaults}
    _write(isolated / "mapped.yaml", given)
    again = runner.invoke(app, ["recommend", "mapped.yaml", "--format", "json"])
    assert json.loads(again.stdout) == json.loads(interview.stdout)
    rerun = runner.invoke(app, ["interview", "--answers", str(answers), "--format", "json"])
    assert rerun.stdout == interview.stdout


def test_invalid_answers_are_listed_defaults_used_and_exit_3(runner, isolated: Path) -> None:
    data = json.loads(json.dumps(QUICK_ANSWERS))
    data["answers"]["workload_type"] = "batchjob"
    data["answers"]["size"] = "enormous"
    data["answers"]["nonsense"] = 1
    answers = _write(isolated / "answers.yaml", data)
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--format", "json"])
    assert result.exit_code == 3
    assert "3 answer(s) could not be used" in result.stderr
    assert "workload_type='batchjob': 'batchjob' is not one of the choices (did you mean 'batch_job'?)" \
        in result.stderr
    assert "used the default 'http_api'" in result.stderr
    assert "nonsense=1: no such question" in result.stderr
    out = json.loads(result.stdout)  # the recommendation is still written
    assert out["name"] == "nightly-etl"


def test_missing_required_answer_without_default_is_a_usage_error(runner, isolated: Path) -> None:
    data = json.loads(json.dumps(QUICK_ANSWERS))
    del data["answers"]["name"]
    answers = _write(isolated / "answers.yaml", data)
    result = runner.invoke(app, ["interview", "--answers", str(answers)])
    assert result.exit_code == 2
    assert "name: a required answer is missing" in result.stderr


def test_missing_optional_answers_take_profile_defaults_quietly(runner, isolated: Path) -> None:
    answers = _write(isolated / "a.yaml", {"questionnaire": "quick", "answers": {"name": "tiny"},
                                            "dont_know": ["traffic"]})
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "traffic_pattern" in out["assumed_defaults"]


def test_no_terminal_and_no_answers_exits_2_pointing_to_answers(runner, isolated: Path) -> None:
    result = runner.invoke(app, ["interview"], input="")
    assert result.exit_code == 2
    assert "--answers FILE" in result.stderr
    assert "stdin is not one" in result.stderr


def test_bad_option_combinations(runner, isolated: Path) -> None:
    answers = _write(isolated / "a.yaml", QUICK_ANSWERS)
    assert runner.invoke(app, ["interview", "--answers", str(answers), "--resume", str(answers)]).exit_code == 2
    assert runner.invoke(app, ["interview", "--service", "web", "--answers", str(answers)]).exit_code == 2
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--questionnaire", "default"])
    assert result.exit_code == 2
    assert "the answers are for questionnaire 'quick', not 'default'" in result.stderr
    result = runner.invoke(app, ["interview", "--answers", "nope.yaml"])
    assert result.exit_code == 2 and "nope.yaml: no such file" in result.stderr
    (isolated / "bad.yaml").write_text("answers: [1, 2]\n")
    result = runner.invoke(app, ["interview", "--answers", "bad.yaml"])
    assert result.exit_code == 2 and "bad.yaml: 'questionnaire' must name the questionnaire" in result.stderr
    (isolated / "evil.yaml").write_text("!!python/object/apply:os.system ['echo pwned']\n")
    result = runner.invoke(app, ["interview", "--answers", "evil.yaml"])
    assert result.exit_code == 2 and "not valid YAML" in result.stderr


def test_save_writes_an_answers_file_that_round_trips_hostile_text(runner, isolated: Path) -> None:
    data = json.loads(json.dumps(QUICK_ANSWERS))
    hostile = "x\n- evil: [1\n\"quoted\" ../../etc/passwd <script>"
    data["answers"]["name"] = hostile[:120]
    answers = _write(isolated / "a.yaml", data)
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--save", "saved.yaml",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    saved = read_answers(isolated / "saved.yaml")
    assert saved.answers["name"] == hostile[:120].strip()
    assert saved.questionnaire == "quick" and saved.questionnaire_version == 1
    again = runner.invoke(app, ["interview", "--answers", "saved.yaml", "--format", "json"])
    assert json.loads(again.stdout) == json.loads(result.stdout)
    # never overwritten without --force
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--save", "saved.yaml"])
    assert result.exit_code == 2 and "the file exists" in result.stderr
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--save", "saved.yaml", "--force",
                                 "--format", "json"])
    assert result.exit_code == 0
    assert not [p for p in isolated.iterdir() if p.name.endswith(".tmp")]


def test_safe_stem_keeps_hostile_names_inside_the_folder() -> None:
    assert safe_stem("../../etc/passwd") == "etc-passwd"
    assert safe_stem("a b<script>alert(1)</script>") == "a-b-script-alert-1-script"
    assert safe_stem("...") == "workload"
    assert "/" not in safe_stem("x/" * 100) and len(safe_stem("x" * 500)) <= 63


def test_report_json_is_written_atomically_and_not_overwritten(runner, isolated: Path) -> None:
    answers = _write(isolated / "a.yaml", QUICK_ANSWERS)
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--report", "rec.json", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads((isolated / "rec.json").read_text()) == json.loads(result.stdout)
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--report", "rec.json"])
    assert result.exit_code == 2


def test_profile_prefills_and_answers_fill_in_the_rest(runner, isolated: Path) -> None:
    _write(isolated / "p.yaml", {"name": "from-profile", "workload_type": "queue_worker", "gpu": 2,
                                 "memory_mb": "3GB"})
    answers = _write(isolated / "a.yaml", {"questionnaire": "quick", "answers": {"traffic": "steady",
                                                                              "size": "medium"}})
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--profile", "p.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    mapped = resolve(load_questionnaire("quick"), AnswerSet("quick", 1, {"traffic": "steady", "size": "medium"},
                                                           prefill={"name": "from-profile",
                                                                    "workload_type": "queue_worker",
                                                                    "gpu": 2, "memory_mb": 3072}))
    # the profile's exact values win over the answer's bucket; the answer fills in vcpu
    assert mapped.profile.gpu == 2 and mapped.profile.memory_mb == 3072 and mapped.profile.vcpu == 4
    assert mapped.profile.traffic_pattern == "steady"
    out = json.loads(result.stdout)
    assert out["name"] == "from-profile"
    assert "workload_type" not in out["assumed_defaults"] and "gpu" not in out["assumed_defaults"]
    bad = _write(isolated / "bad.yaml", {"name": "x", "memory_mb": "lots"})
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--profile", str(bad)])
    assert result.exit_code == 2 and "memory_mb='lots'" in result.stderr


# ----------------------------------------------------------------------------- the engine, scripted


class Scripted:
    """A prompter that replies from a script and records what it was asked."""

    def __init__(self, replies: Sequence[Any]) -> None:
        self.replies = list(replies)
        self.asked: list[str] = []
        self.headings: list[str] = []
        self.said: list[str] = []

    def _next(self, message: str) -> Reply:
        self.asked.append(message)
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply if isinstance(reply, Reply) else Reply("answer", reply)

    def heading(self, title: str, position: str) -> None:
        self.headings.append(f"{title} · {position}")

    def say(self, text: str, style: str = "") -> None:
        self.said.append(text)

    def select(self, message: str, options: Sequence[Option], default: Any, can_back: bool, can_dont_know: bool,
               dont_know_label: str = "") -> Reply:
        return self._next(message)

    def checkbox(self, message: str, options: Sequence[Option], defaults: Sequence[Any], can_back: bool,
                 can_dont_know: bool) -> Reply:
        return self._next(message)

    def text(self, message: str, default: str, hint: str, can_back: bool, can_dont_know: bool) -> Reply:
        return self._next(message)

    def confirm(self, message: str, default: bool) -> bool:
        return default

    def path(self, message: str, default: str) -> str:
        return default


QUICK_SCRIPT = ["svc", "batch_job", True, "two_hours", "medium", "rare", [], "developers", "aws_only",
                4, 2, 3, 0, 4]


def test_engine_walks_quick_and_shows_position() -> None:
    quick = load_questionnaire("quick")
    prompter = Scripted(QUICK_SCRIPT)
    answers = Interview(quick, new_answer_set(quick), prompter).run()
    assert answers.complete
    assert prompter.headings[0] == "Your application · question 1 of 10"
    assert prompter.headings[-1] == "What matters most · question 10 of 10"
    assert resolve(quick, answers).profile.max_duration_s == 7200


def test_engine_help_back_dont_know_and_invalid() -> None:
    default = load_questionnaire("default")
    prompter = Scripted(["svc", Reply("help"), "", Reply("back"), "renamed", Reply("dont_know"), "batch_job",
                         "go", False, "lots", "80MB"])
    answers = new_answer_set(default)
    with pytest.raises(InterviewInterrupted) as stop:
        prompter.replies.append(KeyboardInterrupt())
        Interview(default, answers, prompter).run()
    saved = stop.value.answer_set
    assert saved.answers["name"] == "renamed"
    assert saved.dont_know == ["description"]
    assert saved.answers["artifact_size"] == "80MB"
    assert any(s.startswith("Why we ask: Shown in reports") for s in prompter.said)
    assert any("'lots' is not a valid answer" in s for s in prompter.said)
    assert not saved.complete


def test_engine_conditions_skip_and_back_prunes() -> None:
    default = load_questionnaire("default")
    answers = AnswerSet("default", 1, {q.id: None for q in ()})
    # answer everything up to needs_gpu from a file, then go interactive
    answers.answers.update({"name": "g", "description": "d", "workload_type": "ml_training", "language": "python",
                            "containerized": True, "artifact_size": "2GB", "windows": False,
                            "duration": "many_hours", "avg_duration": "3h", "vcpu": 8, "memory": "32GB"})
    prompter = Scripted([True, Reply("back"), False, "any", KeyboardInterrupt()])
    with pytest.raises(InterviewInterrupted) as stop:
        Interview(default, answers, prompter).run()
    assert prompter.asked[:4] == ["Does it need a GPU?", "How many GPUs does one task need?",
                                  "Does it need a GPU?", "Which CPU architecture can it run on?"]
    assert "gpu_count" not in stop.value.answer_set.answers
    # the resumed interview counts questions from where it stopped
    assert prompter.headings[0] == "Running it · question 12 of 33"


def test_resume_asks_only_what_is_unanswered() -> None:
    quick = load_questionnaire("quick")
    partial = AnswerSet("quick", 1, {"name": "svc", "workload_type": "batch_job", "containerized": True})
    prompter = Scripted(QUICK_SCRIPT[3:])
    Interview(quick, partial, prompter).run()
    assert prompter.asked[0].startswith("How long does the longest")
    assert len(prompter.asked) == 7 + 4  # seven questions, the priorities ask five axes


def test_resume_asks_again_an_answer_that_is_not_valid() -> None:
    quick = load_questionnaire("quick")
    partial = AnswerSet("quick", 1, {"name": "svc", "workload_type": "batchjob", "containerized": True})
    prompter = Scripted(["batch_job", KeyboardInterrupt()])
    with pytest.raises(InterviewInterrupted) as stop:
        Interview(quick, partial, prompter).run()
    assert prompter.asked[0] == "What does it mostly do?"  # the invalid answer, asked again
    assert prompter.asked[1].startswith("How long does the longest")  # then what is unanswered
    assert stop.value.answer_set.answers["workload_type"] == "batch_job"


def test_profile_prefill_skips_questions_it_answers() -> None:
    quick = load_questionnaire("quick")
    answers = new_answer_set(quick, prefill={"name": "p", "workload_type": "http_api", "containerized": True,
                                             "traffic_pattern": "steady", "requests_per_month": 1000,
                                             "peak_concurrency": 5, "hybrid": "aws_only"})
    prompter = Scripted(QUICK_SCRIPT[3:6] + QUICK_SCRIPT[6:8] + QUICK_SCRIPT[9:])
    Interview(quick, answers, prompter).run()
    asked = " | ".join(prompter.asked)
    assert "What is the workload called" not in asked and "How busy is it" not in asked
    assert prompter.headings[0] == "Running it · question 1 of 5"


def test_walk_reports_statuses() -> None:
    quick = load_questionnaire("quick")
    state = walk(quick, AnswerSet("quick", 1, {"name": "x"}, dont_know=["traffic"]), interactive=True)
    assert state.status["name"] == "answered" and state.status["traffic"] == "dont_know"
    assert state.status["size"] == "unanswered"


def test_plain_prompter_numbers_and_commands() -> None:
    lines = iter(["", "9", "2", "?", "<", "0", "1,3", "x", "none", "y"])
    out: list[str] = []
    prompter = PlainPrompter(read=lambda prompt: next(lines), write=out.append)
    options = [Option("a", "Alpha"), Option("b", "Beta"), Option("c", "Gamma")]
    assert prompter.select("Pick", options, "b", True, True) == Reply("answer", "b")
    assert prompter.select("Pick", options, None, True, True) == Reply("answer", "b")  # 9 re-asked, then 2
    assert any("'9' is not one of the choices" in line for line in out)
    assert prompter.select("Pick", options, None, True, True) == Reply("help")
    assert prompter.select("Pick", options, None, True, True) == Reply("back")
    assert prompter.select("Pick", options, None, True, True) == Reply("dont_know")
    assert prompter.checkbox("Pick", options, [], True, True) == Reply("answer", ["a", "c"])
    assert prompter.checkbox("Pick", options, ["a"], True, True) == Reply("answer", [])  # x re-asked
    assert prompter.confirm("Sure?", False) is True


def test_write_answers_never_overwrites_without_force(isolated: Path) -> None:
    from advisor.errors import OutputExistsError

    answers = AnswerSet("quick", 1, {"name": "x"})
    write_answers(isolated / "a.yaml", answers)
    with pytest.raises(OutputExistsError):
        write_answers(isolated / "a.yaml", answers)
    write_answers(isolated / "a.yaml", answers, force=True)
    assert read_answers(isolated / "a.yaml").answers == {"name": "x"}


DESCRIPTOR = REPO / "tests" / "data" / "descriptors" / "ecs" / "web-taskdef.json"


def test_from_descriptor_prefills_and_asks_only_unknown_fields(runner, isolated: Path) -> None:
    assert DESCRIPTOR.exists(), f"{DESCRIPTOR}: the importers' test data belongs to this checkout"
    from advisor.cli.interview import _prefill

    quick = load_questionnaire("quick")
    answer_set = new_answer_set(quick)
    _prefill(answer_set, None, DESCRIPTOR, None)
    assert answer_set.prefill["name"] == "storefront-web"
    prompter = Scripted(QUICK_SCRIPT[3:])
    Interview(quick, answer_set, prompter).run()
    asked = " | ".join(prompter.asked)
    # the task definition tells the name, the kind of work and that it is containerised
    assert "What is the workload called" not in asked and "What does it mostly do" not in asked
    assert "Does it already ship as a container image" not in asked
    assert any("Already known: vcpu=1, memory_mb=2048" in s for s in prompter.said)
    profile = resolve(quick, answer_set).profile
    assert (profile.vcpu, profile.memory_mb, profile.arch) == (1, 2048, "arm64")  # not the answer's bucket

    answers = _write(isolated / "a.yaml", answer_set.to_data())
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--format", "json"])
    assert result.exit_code == 0, result.output
    direct = runner.invoke(app, ["interview", "--from", str(DESCRIPTOR), "--answers", str(answers),
                                 "--format", "json"])
    assert direct.exit_code == 0, direct.output
    assert json.loads(direct.stdout) == json.loads(result.stdout)


class EnterOnly(Scripted):
    """Types a name, then presses Enter (a blank reply) at every other prompt."""

    def __init__(self, name: str) -> None:
        super().__init__([])
        self.name = name

    def _next(self, message: str) -> Reply:
        self.asked.append(message)
        return Reply("answer", self.name) if len(self.asked) == 1 else Reply("blank")


@pytest.mark.parametrize("which", ["default", "quick"])
def test_enter_takes_the_default_or_i_dont_know(which: str) -> None:
    chosen = load_questionnaire(which)
    prompter = EnterOnly("enter-only")
    answers = Interview(chosen, new_answer_set(chosen), prompter).run()
    assert answers.complete and not any(s.startswith("✗") for s in prompter.said), prompter.said
    no_default = {q.id for q in chosen.questions if q.id != "name" and q.type in ("text", "number", "single")
                  and q.default is None}
    assert set(answers.dont_know) == no_default & {*answers.dont_know, *answers.answers}
    if which == "default":
        assert answers.dont_know == ["description", "latency"]
        assert answers.answers["vcpu"] == 1 and answers.answers["workload_type"] == "http_api"
    assert not resolve(chosen, answers).problems


def test_enter_on_a_required_question_asks_again() -> None:
    quick = load_questionnaire("quick")
    prompter = Scripted([Reply("blank"), "named-at-last", KeyboardInterrupt()])
    with pytest.raises(InterviewInterrupted) as stop:
        Interview(quick, new_answer_set(quick), prompter).run()
    assert any("needs an answer" in s for s in prompter.said)
    assert stop.value.answer_set.answers["name"] == "named-at-last"


def test_plain_prompts_say_what_enter_does() -> None:
    shown: list[str] = []
    prompter = PlainPrompter(read=lambda prompt: shown.append(prompt) or "", write=shown.append)
    assert prompter.text("In one sentence?", "", "", can_back=True, can_dont_know=True) == Reply("blank")
    assert "> [I don't know] " in shown and any("Enter: I don't know" in s for s in shown)
    assert prompter.text("Memory?", "1GB", "a size", can_back=True, can_dont_know=True) == Reply("answer", "1GB")
    assert any("Enter keeps 1GB" in s for s in shown)
    options = [Option("a", "A"), Option("b", "B")]
    shown.clear()
    assert prompter.select("Which?", options, None, can_back=False, can_dont_know=True) == Reply("dont_know")
    assert "  0) I don't know  (default)" in shown and shown[-1].endswith("[0]: ")
    assert prompter.select("Which?", options, "b", can_back=False, can_dont_know=True) == Reply("answer", "b")
