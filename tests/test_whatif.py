"""What would change the answer: the counterfactual search over single changes (advisor.engine.whatif)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor import RUNTIMES
from advisor.api import EXTRA_PROVIDERS, load_profile, recommend, what_would_change
from advisor.engine.whatif import MAX_REDUCTION, candidate_changes
from advisor.knowledge.base import knowledge
from advisor.profile.fields import WorkloadProfile

REPO = Path(__file__).resolve().parents[1]


def _example_profiles() -> list[Path]:
    """The bundled example profiles (examples/ also holds other YAML, such as CSV column mappings)."""
    import yaml

    from advisor.profile.fields import FIELD_BY_NAME

    paths = sorted((REPO / "examples").glob("*.yaml"))
    return [p for p in paths if set(yaml.safe_load(p.read_text(encoding="utf-8")) or {}) <= set(FIELD_BY_NAME)]


EXAMPLES = _example_profiles()
THUMBNAILER = str(REPO / "examples" / "thumbnailer.yaml")


def _apply(profile: WorkloadProfile, item: dict) -> WorkloadProfile:
    """The profile with an item's change (and what it implies) made through the validating path."""
    return profile.replace(**{item["field"]: item["to"], **item.get("implies", {})})


def test_finds_the_known_flip_just_over_lambdas_timeout() -> None:
    timeout = knowledge().number("lambda.timeout_s")
    profile = load_profile(THUMBNAILER, [f"max_duration_s={timeout + 60:g}"])
    current = recommend(profile)
    assert current.recommendation != "lambda"
    assert any(b.constraint == "max_duration_s" for b in current.result("lambda").blockers)

    changes = what_would_change(profile, current)

    first = changes[0]
    assert first["field"] == "max_duration_s"
    assert first["from"] == timeout + 60
    assert first["to"] == timeout  # exactly the limit, and a value AT the limit is feasible
    assert first["new_recommendation"] == "lambda"
    assert "AWS Lambda would lead" in first["message"]
    assert "15 min" in first["message"] and "16 min" in first["message"]
    assert recommend(_apply(profile, first)).recommendation == "lambda"


def test_a_memory_limit_flip_lands_exactly_on_the_limit() -> None:
    limit = knowledge().number("lambda.memory_max_mb")
    profile = load_profile(THUMBNAILER, [f"memory_mb={limit + 200:g}"])
    changes = what_would_change(profile)
    memory = [c for c in changes if c["field"] == "memory_mb"]
    assert memory and memory[0]["to"] == limit and memory[0]["new_recommendation"] == "lambda"


def test_cutting_the_longest_run_also_caps_the_mean_run() -> None:
    timeout = knowledge().number("lambda.timeout_s")
    profile = load_profile(THUMBNAILER, [f"max_duration_s={timeout + 100:g}",
                                         f"avg_duration_ms={(timeout + 50) * 1000:g}",
                                         "requests_per_month=2000", "peak_concurrency=2"])
    item = next(c for c in what_would_change(profile) if c["field"] == "max_duration_s")
    assert item["implies"] == {"avg_duration_ms": timeout * 1000}
    assert recommend(_apply(profile, item)).recommendation == item["new_recommendation"]


def test_no_single_change_flips_a_workload_only_eks_can_run() -> None:
    # Kubernetes operators on premises: only EKS can run it, and neither need is a change a team makes.
    profile = load_profile(None, ["name=operator", "kubernetes_native=true", "hybrid=on_prem",
                                  "k8s_experience=expert", "ops_capacity=platform_team"])
    current = recommend(profile)
    assert current.recommendation == "eks"
    assert [r.runtime for r in current.ranking if r.feasible] == ["eks"]
    assert what_would_change(profile, current) == []
    assert current.extra["what_would_change"] == []


def test_nothing_is_offered_when_nothing_is_feasible_and_nothing_plausible_helps() -> None:
    # More GPUs in one task than the largest GPU instance has: nothing runs it, and GPU count is a
    # physical need the search never changes, so nothing may be claimed.
    gpus = max(knowledge().number("ecs_ec2.max_gpu_per_task"), knowledge().number("eks.max_gpu_per_task"))
    profile = load_profile(None, ["name=impossible", f"gpu={gpus * 2:g}", "workload_type=ml_training"])
    current = recommend(profile)
    assert current.recommendation is None
    assert what_would_change(profile, current) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_claim_holds_when_the_change_is_made(example: Path) -> None:
    """Nothing misleading: each item, applied on its own, really gives the stated first place."""
    profile = load_profile(str(example))
    current = recommend(profile)
    changes = current.extra["what_would_change"]
    assert changes == what_would_change(profile, current)
    sizes = []
    for item in changes:
        assert set(item) >= {"field", "from", "to", "new_recommendation", "message"}
        assert item["new_recommendation"] in RUNTIMES
        assert item["new_recommendation"] != current.recommendation
        assert item["from"] != item["to"]
        assert recommend(_apply(profile, item)).recommendation == item["new_recommendation"], item
        sizes.append(item["field"])
    assert len(sizes) == len(set(zip(sizes, [c["new_recommendation"] for c in changes], strict=True)))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_only_changes_a_team_could_make_are_tried(example: Path) -> None:
    profile = load_profile(str(example))
    for change in candidate_changes(profile):
        assert change.field not in {"name", "description", "workload_type", "os", "gpu", "language", "hybrid"} \
            or (change.field == "hybrid" and profile.hybrid == "multi_cloud" and change.to == "aws_only")
        before = getattr(profile, change.field)
        if change.field in MAX_REDUCTION:
            assert change.to < before, "resources are only ever reduced"
            assert before / change.to <= MAX_REDUCTION[change.field]
        if change.field == "k8s_experience":
            assert ("none", "some", "expert").index(change.to) > ("none", "some", "expert").index(before)
        if change.field == "containerized":
            assert change.to is True
        if change.field in ("privileged", "host_networking", "kernel_tuning"):
            assert change.to is False and not profile.daemon_per_host


def test_a_resource_far_over_every_limit_is_not_offered() -> None:
    timeout = knowledge().number("lambda.timeout_s")
    far = timeout * (MAX_REDUCTION["max_duration_s"] + 1)
    profile = load_profile(THUMBNAILER, [f"max_duration_s={far:g}"])
    assert not [c for c in candidate_changes(profile) if c.field == "max_duration_s"]
    assert not [c for c in what_would_change(profile) if c["field"] == "max_duration_s"]


def test_changes_come_smallest_first() -> None:
    from advisor.engine.whatif import candidate_changes as candidates

    profile = load_profile(str(REPO / "examples" / "legacy-dotnet-api.yaml"))
    changes = what_would_change(profile, limit=50)
    assert len(changes) >= 2
    size = {(c.field, str(c.to)): c.size for c in candidates(profile)}
    ordered = [size[(item["field"], str(item["to"]))] for item in changes]
    assert ordered == sorted(ordered)


def test_the_provider_is_registered_and_shown_in_every_text_format(runner) -> None:
    from advisor.cli.app import app

    assert "advisor.engine.whatif:provider" in EXTRA_PROVIDERS
    profile_args = [THUMBNAILER, "--set", "max_duration_s=16min"]
    result = runner.invoke(app, ["recommend", *profile_args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["what_would_change"][0]["field"] == "max_duration_s"
    table = runner.invoke(app, ["recommend", *profile_args, "--format", "table"])
    assert "What would change the answer" in table.stdout
    assert "If the longest run finished within 15 min" in " ".join(table.stdout.split())
    markdown = runner.invoke(app, ["recommend", *profile_args, "--format", "markdown"])
    assert "## What would change the answer" in markdown.stdout


def recommend_without_extras(profile: WorkloadProfile):
    from advisor.api import score_profiles
    from advisor.engine.explain import explain_row

    return explain_row(score_profiles([profile]), 0)
