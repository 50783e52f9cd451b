"""Questionnaires as data: the bundled ones, every lint rule (one broken file each), conditions, answers."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from advisor.cli.app import app
from advisor.interview.conditions import DONT_KNOW, UNANSWERED, holds, prepared_condition
from advisor.interview.mapping import fields_for, normalise_answer
from advisor.interview.questionnaire import lint_file, load_questionnaire, parse_questionnaire
from advisor.interview.schema import BUNDLED
from advisor.profile.fields import FIELD_BY_NAME, PRIORITY_FIELDS, build_profile

BROKEN = Path(__file__).resolve().parent / "data" / "questionnaires"

# One broken questionnaire per lint rule: file -> (question id or None, words the problem must contain).
LINT_CASES = {
    "unknown_field.yaml": ("memory", "unknown profile field 'memory_gb' (did you mean 'memory_mb'?)"),
    "unknown_field_in_sets.yaml": ("duration", "sets unknown profile field 'max_duration'"),
    "condition_later.yaml": ("memory", "refers to question 'kind', which comes later"),
    "condition_missing.yaml": ("memory", "refers to missing question 'knd' (did you mean 'kind'?)"),
    "invalid_choice_value.yaml": ("team", "maps to an invalid value ops_capacity='devops_guild'"),
    "invalid_sets_value.yaml": ("duration", "maps to an invalid value max_duration_s='forever'"),
    "duplicate_id.yaml": ("kind", "duplicate question id"),
    "bad_type.yaml": ("memory", "unknown type 'dropdown'"),
    "missing_help.yaml": ("memory", "'help' (why we ask) must be non-empty"),
    "bad_condition_operator.yaml": ("memory", "needs exactly one operator"),
    "condition_value_not_a_choice.yaml": ("memory", "'lambda_function' is not one of the choices"),
    "condition_expression.yaml": ("memory", "condition must be a mapping"),
    "bad_default.yaml": ("kind2", "default 'web_app' is not a valid answer"),
    "number_on_enum_field.yaml": ("memory", "cannot set traffic_pattern (an enum field)"),
    "priorities_bad_axis.yaml": ("priorities", "'memory_mb' is not a priority field"),
    "yesno_unquoted_keys.yaml": ("windows", "YAML reads an unquoted yes/no/on/off key as true/false"),
    "yesno_non_bool_field.yaml": ("windows", "'field' must be a true/false field"),
    "no_name_question.yaml": (None, "no question sets the profile field 'name'"),
    "unknown_key.yaml": ("memory", "unknown key 'defualt' in a question (did you mean 'default'?)"),
    "not_yaml.yaml": (None, "not valid YAML"),
    "duplicate_choice.yaml": ("traffic", "duplicate choice value 'steady'"),
    "required_dont_know.yaml": ("memory", "a required question cannot offer"),
    "unknown_fact.yaml": ("memory", "unknown knowledge-base fact 'lambda.memory_max'"),
}


def test_every_broken_file_has_a_case() -> None:
    files = {p.name for p in BROKEN.glob("*.yaml")} - {"valid.yaml"}
    assert files == set(LINT_CASES)


@pytest.mark.parametrize("name", sorted(LINT_CASES))
def test_lint_rule(name: str) -> None:
    question, words = LINT_CASES[name]
    questionnaire, problems = lint_file(BROKEN / name)
    assert questionnaire is None
    matching = [p for p in problems if words in p.message]
    assert matching, [str(p) for p in problems]
    assert all(p.question == question for p in matching)
    if question is not None:
        assert f"question {question!r}: " in str(matching[0])


@pytest.mark.parametrize("name", sorted(LINT_CASES))
def test_lint_command_names_the_question_and_exits_2(runner, name: str) -> None:
    question, words = LINT_CASES[name]
    result = runner.invoke(app, ["questionnaire", "lint", str(BROKEN / name)])
    assert result.exit_code == 2, result.output
    assert words in result.stdout
    if question is not None:
        assert f"question {question!r}" in result.stdout


def test_a_sound_questionnaire_lints_clean(runner) -> None:
    result = runner.invoke(app, ["questionnaire", "lint", str(BROKEN / "valid.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok (sample version 1, 4 questions in 1 section)" in result.stdout


@pytest.mark.parametrize("which", BUNDLED)
def test_bundled_questionnaires_lint_clean(runner, which: str) -> None:
    result = runner.invoke(app, ["questionnaire", "lint", which])
    assert result.exit_code == 0, result.output


def test_loading_a_broken_file_is_a_usage_error(runner, isolated: Path) -> None:
    result = runner.invoke(app, ["interview", "--questionnaire", str(BROKEN / "condition_later.yaml"),
                                 "--answers", "missing.yaml"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["questionnaire", "show", str(BROKEN / "condition_later.yaml")])
    assert result.exit_code == 2
    assert "question 'memory': condition refers to question 'kind', which comes later" in result.stderr


def test_quick_is_short_and_default_follows_how_teams_think() -> None:
    quick = load_questionnaire("quick")
    assert len(quick.questions) <= 10
    default = load_questionnaire("default")
    titles = [s.title for s in default.sections]
    assert titles == ["Your application", "Running it", "Networking", "Storage", "Security and compliance",
                      "Scaling and traffic", "Team and platform", "Where it must run", "What matters most"]
    running = {f for q in default.sections[1].questions for f in q.fields}
    assert {"max_duration_s", "vcpu", "memory_mb", "gpu"} <= running
    for questionnaire in (quick, default):
        types = {q.type for q in questionnaire.questions}
        assert "priorities" in types
        priorities = next(q for q in questionnaire.questions if q.type == "priorities")
        assert {a.field for a in priorities.axes} == set(PRIORITY_FIELDS)
        assert all(q.help for q in questionnaire.questions)


def test_default_uses_every_question_type() -> None:
    default = load_questionnaire("default")
    assert {q.type for q in default.questions} == {"single", "multi", "yesno", "number", "text", "priorities"}
    assert any(q.when is not None for q in default.questions)


def _answers_to_try(question):
    """Every single answer a question offers (all choices, all subsets up to pairs for multi, scale ends)."""
    if question.type in ("single", "yesno"):
        return [c.value for c in question.choices]
    if question.type == "multi":
        values = [c.value for c in question.choices]
        return [[], values, *([v] for v in values), *(list(p) for p in itertools.combinations(values, 2))]
    if question.type == "priorities":
        return [{a.field: level for a in question.axes} for level in (0, 5)]
    return [question.default] if question.default is not None else []


@pytest.mark.parametrize("which", BUNDLED)
def test_every_choice_maps_to_valid_profile_values(which: str) -> None:
    """Walk every choice of both bundled questionnaires into a real profile."""
    questionnaire = load_questionnaire(which)
    walked = 0
    for question in questionnaire.questions:
        for answer in _answers_to_try(question):
            try:
                fields = fields_for(question, normalise_answer(question, answer))
            except ValueError as exc:
                if question.field == "protocols" and answer == []:
                    assert "at least one protocol" in str(exc)
                    continue
                raise
            assert set(fields) <= set(FIELD_BY_NAME), question.id
            profile = build_profile({"name": "walk", **fields}, source=f"{which}:{question.id}")
            for name, value in fields.items():
                got = getattr(profile, name)
                assert (list(got) if isinstance(got, tuple) else got) == (
                    list(value) if isinstance(value, tuple) else value), (question.id, name)
            walked += 1
    assert walked > (20 if which == "quick" else 80)


def test_choice_mappings_set_several_fields_in_canonical_units() -> None:
    quick = load_questionnaire("quick")
    duration = quick.by_id["duration"]
    assert fields_for(duration, "two_hours") == {"max_duration_s": 7200, "avg_duration_ms": 5_400_000}
    size = quick.by_id["size"]
    assert fields_for(size, "gpu") == {"gpu": 1, "vcpu": 4, "memory_mb": 16384}


def test_answers_accept_labels_and_human_units() -> None:
    quick = load_questionnaire("quick")
    assert normalise_answer(quick.by_id["duration"], "About 2 hours") == "two_hours"
    assert normalise_answer(quick.by_id["duration"], "2h") == "two_hours"  # matched by the value it sets
    assert normalise_answer(quick.by_id["containerized"], "yes") is True
    default = load_questionnaire("default")
    memory = default.by_id["memory"]
    assert normalise_answer(memory, "512MB") == "512MB"
    assert fields_for(memory, "1.5GiB") == {"memory_mb": 1536}
    assert fields_for(default.by_id["avg_duration"], "3s") == {"avg_duration_ms": 3000}
    with pytest.raises(ValueError, match="is not a number with an optional unit"):
        normalise_answer(memory, "lots of it")
    with pytest.raises(ValueError, match="unknown size unit"):
        normalise_answer(memory, "4 bananas")
    with pytest.raises(ValueError, match="must be greater than 0"):
        normalise_answer(memory, "0")
    priorities = default.by_id["priorities"]
    assert normalise_answer(priorities, {"simplicity": 5, "flexibility": 1, "agility": 4, "hybridity": 0,
                                         "cost": 3})["priority_simplicity"] == 5
    with pytest.raises(ValueError, match="must be at most 5"):
        normalise_answer(priorities, dict.fromkeys(PRIORITY_FIELDS, 9))


def test_multi_choice_sets_unchosen_fields_to_their_defaults() -> None:
    quick = load_questionnaire("quick")
    needs = quick.by_id["special_needs"]
    fields = fields_for(needs, ["privileged", "long_connections", "tcp_udp"])
    assert fields["privileged"] is True and fields["host_networking"] is False
    assert fields["protocols"] == ("http", "tcp", "udp", "websocket")
    assert fields_for(needs, [])["os"] == "linux"


def test_conditions_are_data_evaluated_without_eval() -> None:
    default = load_questionnaire("default")
    gpu_count = default.by_id["gpu_count"]
    condition = prepared_condition(gpu_count, default)
    assert holds(condition, {"needs_gpu": True}.get) is True
    assert holds(condition, {"needs_gpu": False}.get) is False
    assert holds(condition, lambda q: DONT_KNOW) is False
    assert holds(condition, lambda q: UNANSWERED) is False
    assert holds(condition, lambda q: UNANSWERED, pending=lambda q: True) is None
    latency = prepared_condition(default.by_id["latency"], default)
    assert holds(latency, {"workload_type": "web_app"}.get) is True
    assert holds(latency, {"workload_type": "batch_job"}.get) is False


def test_condition_operators() -> None:
    data = yaml.safe_load((BROKEN / "valid.yaml").read_text())
    extra = [
        {"id": "memo", "text": "Memory?", "help": "h", "type": "number", "field": "ephemeral_storage_gb"},
        {"id": "big", "text": "Big?", "help": "h", "type": "yesno", "field": "privileged",
         "when": {"all": [{"question": "memo", "gt": "2GB"}, {"not": {"question": "kind", "in": ["http_api"]}},
                          {"any": [{"question": "name", "answered": True}, {"question": "kind", "eq": "x"}]}]}},
    ]
    data["sections"][0]["questions"] += extra
    data["sections"][0]["questions"][-1]["when"]["all"][2]["any"][1] = {"question": "kind", "eq": "batch_job"}
    questionnaire, problems = parse_questionnaire(data, source="t", name="t")
    assert not problems, problems
    assert questionnaire is not None
    condition = prepared_condition(questionnaire.by_id["big"], questionnaire)
    answers = {"memo": 3.0, "kind": "batch_job", "name": "x"}
    assert holds(condition, lambda q: answers.get(q, UNANSWERED)) is True
    answers["memo"] = 1.0
    assert holds(condition, lambda q: answers.get(q, UNANSWERED)) is False


def test_show_prints_readable_text_with_facts_filled_in(runner) -> None:
    result = runner.invoke(app, ["questionnaire", "show", "quick"])
    assert result.exit_code == 0, result.output
    assert "Quick interview (quick, version 1): 10 questions" in result.stdout
    assert "About 2 hours [two_hours] -> max_duration_s=7200, avg_duration_ms=5400000" in result.stdout
    assert "{fact:" not in result.stdout
    from advisor.knowledge.base import format_fact, knowledge

    timeout = format_fact(knowledge().facts["lambda.timeout_s"])
    assert f"Lambda stops any invocation after {timeout}" in result.stdout
    default = runner.invoke(app, ["questionnaire", "show"])
    assert "asked only if needs_gpu is yes" in default.stdout
