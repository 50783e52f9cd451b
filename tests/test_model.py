"""Learned calibration: the reference corpus, training, the JSON model file, the blend and similar workloads."""

from __future__ import annotations

import dataclasses
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor import RUNTIMES
from advisor.engine.scoring import first_place
from advisor.learn.blend import apply_blend, rules_only
from advisor.learn.corpus import read_corpus
from advisor.learn.model_file import (
    ModelFileError,
    default_corpus_path,
    default_model_path,
    load_model,
    model_from_params,
    to_json,
    write_model,
)
from advisor.learn.train import (
    DEFAULT_FOLDS,
    DEFAULT_SEED,
    accepted_match,
    fit_pipeline,
    rule_outputs,
    sign_test,
    train,
    wilson_interval,
)
from advisor.profile.fields import FIELDS

REPO = Path(__file__).resolve().parents[1]


def assert_same_parameters(saved: object, fresh: object, where: str = "model") -> None:
    """Equal structure and text; numbers equal to 1e-6 (other numpy/scikit-learn builds may differ in the
    last bits). `trained_with` records library versions and is not compared."""
    if isinstance(saved, dict) and isinstance(fresh, dict):
        keys = set(saved) - {"trained_with"}
        assert keys == set(fresh) - {"trained_with"}, f"{where}: keys differ (retrain: advisor model train --force)"
        for key in keys:
            assert_same_parameters(saved[key], fresh[key], f"{where}.{key}")
    elif isinstance(saved, list) and isinstance(fresh, list):
        assert len(saved) == len(fresh), f"{where}: lengths differ"
        for i, (a, b) in enumerate(zip(saved, fresh, strict=True)):
            assert_same_parameters(a, b, f"{where}[{i}]")
    elif isinstance(saved, float | int) and not isinstance(saved, bool) and isinstance(fresh, float | int):
        assert saved == pytest.approx(fresh, rel=1e-6, abs=1e-9), f"{where}: {saved} != {fresh} (retrain)"
    else:
        assert saved == fresh, f"{where}: {saved!r} != {fresh!r} (retrain: advisor model train --force)"


@pytest.fixture(scope="module")
def corpus():
    return read_corpus()


@pytest.fixture(scope="module")
def trained(corpus):
    """(params, cv) from one training run on the packaged corpus with the default seed."""
    return train(corpus, seed=DEFAULT_SEED, folds=DEFAULT_FOLDS)


# ------------------------------------------------------------------------------------- the corpus


def test_corpus_has_profile_columns_labels_and_enough_rows(corpus):
    assert len(corpus) >= 150
    expected = [spec.name for spec in FIELDS] + ["accepted", "source", "rationale"]
    assert list(corpus.table.columns) == expected


def test_every_row_cites_a_titled_public_source_and_gives_one_sentence(corpus):
    for _, row in corpus.table.iterrows():
        urls = re.findall(r"\((https://[^\s)]+)\)", row["source"])
        assert urls, f"{row['name']}: source must cite a URL in parentheses: {row['source']!r}"
        title = row["source"].split("(https://")[0].strip()
        assert len(title) > 10, f"{row['name']}: source needs a title before the URL"
        assert row["rationale"].strip().endswith("."), row["name"]
        assert 20 < len(row["rationale"]) < 300, row["name"]


def test_labels_respect_hard_limits(corpus):
    """An accepted runtime is never one the engine blocks; rows accepting nothing have no feasible runtime."""
    rules = rule_outputs(corpus)
    for i, accepted in enumerate(corpus.accepted):
        name = corpus.table["name"].iloc[i]
        for runtime in accepted:
            assert rules.feasible[i, RUNTIMES.index(runtime)], f"{name}: accepts {runtime}, which a limit blocks"
        if not accepted:
            assert not rules.feasible[i].any(), f"{name}: accepts nothing but a runtime is feasible"


def test_corpus_covers_every_workload_type_and_runtime(corpus):
    """At least 10 rows of each workload type and of each runtime as accepted first place."""
    spec = next(s for s in FIELDS if s.name == "workload_type")
    types = corpus.frame["workload_type"].value_counts()
    for workload_type in spec.choices:
        assert types.get(workload_type, 0) >= 10, workload_type
    for k, runtime in enumerate(RUNTIMES):
        assert (corpus.preferred == k).sum() >= 10, runtime


@pytest.mark.parametrize(("slice_name", "query"), [
    ("Windows", "os == 'windows'"),
    ("on premises", "hybrid == 'on_prem'"),
    ("edge", "hybrid == 'edge'"),
    ("WebSocket", "proto_websocket"),
    ("GPU inference", "workload_type == 'ml_inference' and gpu > 0"),
    ("per-host daemons", "daemon_per_host"),
    ("backing services (stateful, not a per-host agent)",
     "workload_type == 'stateful_service' and not daemon_per_host"),
])
def test_corpus_has_at_least_ten_rows_of_each_thin_slice(corpus, slice_name, query):
    assert len(corpus.frame.query(query)) >= 10, slice_name


@pytest.mark.parametrize(("field", "limit", "near", "where"), [
    ("max_duration_s", 900, 60, None),
    ("memory_mb", 10240, 512, None),
    ("vcpu", 6, 1, None),
    ("artifact_size_mb", 10240, 512, None),
    ("ephemeral_storage_gb", 10, 1, None),
    ("vcpu", 32, 1, "os == 'linux'"),
    ("memory_mb", 249856, 4096, "os == 'linux'"),
    ("vcpu", 4, 1, "os == 'windows'"),
    ("memory_mb", 30720, 2048, "os == 'windows'"),
    ("fargate_disk_gb", 200, 10, None),
    ("gpu", 8, 8, None),
])
def test_corpus_has_rows_at_just_under_and_just_over_each_limit(corpus, field, limit, near, where):
    """Each hard limit (Lambda, Fargate, Fargate Windows, GPUs per instance) is labelled at, under and over it."""
    frame = corpus.frame.query(where) if where else corpus.frame
    if field == "fargate_disk_gb":  # Fargate's disk holds the scratch space and the image (feasibility.yaml)
        from advisor.knowledge.base import knowledge

        factor = knowledge().number("assume.fargate_image_disk_factor")
        values = (frame["ephemeral_storage_gb"] + frame["artifact_size_mb"] / 1024 * factor).to_numpy(dtype=float)
    else:
        values = frame[field].to_numpy(dtype=float)
    assert (values == limit).any(), f"no row at {field}={limit}"
    assert ((values < limit) & (values >= limit - near)).any(), f"no row just under {field}={limit}"
    assert ((values > limit) & (values <= limit + near)).any(), f"no row just over {field}={limit}"


@pytest.mark.parametrize("flag", ["privileged", "host_networking", "daemon_per_host", "kernel_tuning",
                                  "dedicated_tenancy", "specific_instance_type", "kubernetes_native",
                                  "portability_required", "long_lived_connections"])
def test_corpus_covers_each_capability_flag(corpus, flag):
    assert corpus.frame[flag].sum() >= 2


@pytest.mark.parametrize(("field", "values"), [
    ("persistent_storage", {"shared_fs", "block", "local_nvme"}),
    ("hybrid", {"on_prem", "edge", "multi_cloud"}),
    ("existing_platform", {"lambda", "ecs", "eks", "kubernetes"}),
    ("ops_capacity", {"none", "limited", "platform_team"}),
    ("k8s_experience", {"none", "some", "expert"}),
    ("os", {"windows"}),
])
def test_corpus_covers_storage_hybrid_and_organisational_cases(corpus, field, values):
    assert values <= set(corpus.frame[field])


def test_protocols_other_than_http_are_covered(corpus):
    for protocol in ("grpc", "tcp", "udp", "websocket"):
        assert corpus.frame[f"proto_{protocol}"].sum() >= 1, protocol


def test_bad_corpus_rows_are_reported_with_file_row_field_and_value(tmp_path):
    table = pd.read_csv(default_corpus_path(), dtype=str, keep_default_na=False).head(3)
    table.loc[1, "accepted"] = "lambda;<script>alert(1)</script>"
    table.loc[2, "vcpu"] = "lots"
    table.loc[0, "source"] = ""
    bad = tmp_path / "bad.csv"
    table.to_csv(bad, index=False)
    with pytest.raises(ModelFileError) as error:
        read_corpus(bad)
    message = str(error.value)
    assert str(bad) in message
    assert "row 2: accepted='lambda;<script>alert(1)</script>'" in message
    assert "row 3: vcpu='lots'" in message
    assert "row 1: source=''" in message


# ------------------------------------------------------------------------------------- training


def test_training_is_reproducible(trained):
    """Training the packaged corpus gives models/model.json byte for byte wherever the same numpy and
    scikit-learn versions run (two CLI runs are compared byte for byte in test_model_cli.py)."""
    params, _ = trained
    saved = default_model_path().read_bytes()
    if json.loads(saved)["trained_with"] != params["trained_with"]:
        pytest.skip("models/model.json was trained with another scikit-learn; compared to 1e-6 below instead")
    assert to_json(params).encode("utf-8") == saved, "models/model.json is stale: run `advisor model train --force`"


def test_packaged_model_matches_the_packaged_corpus_and_training(corpus, trained):
    """models/model.json is what `advisor model train` produces today (retrain after editing the corpus)."""
    params, _ = trained
    saved = json.loads(default_model_path().read_text(encoding="utf-8"))
    retrain = "models/model.json is stale: run `advisor model train --force` and commit it"
    assert saved["corpus_sha256"] == corpus.sha256, retrain
    assert_same_parameters(saved, params)


def test_blend_is_used_only_when_its_nested_accuracy_beats_the_rules(trained):
    params, training = trained
    ev = training.evaluation
    assert training.used == (ev.blend_beats_rules and training.choice.weight > 0)
    assert ev.blend_beats_rules == (ev.blend.correct.sum() > ev.rules.correct.sum())
    assert params["blend"]["used"] is training.used
    assert params["blend"]["weight"] == (training.choice.weight if training.used else 0.0)
    assert params["classifier"]["C"] == training.C
    assert params["cv"]["nested"] is True
    for name in ("rules", "model", "blend"):
        result = getattr(ev, name)
        assert params["cv"][f"accuracy_{name}"] == pytest.approx(result.accuracy, abs=1e-6)
        low, high = params["cv"][name]["interval_95"]
        assert low <= result.accuracy <= high
    assert ("higher than the rules'" in params["blend"]["reason"]) is training.used


def test_an_unhelpful_blend_is_switched_off_and_the_model_file_says_so(corpus, trained):
    """When the nested blend does no better than the rules, training writes used=false and w=0."""
    from advisor.learn.train import decide, export_params, labelled_rows

    _, training = trained
    data = labelled_rows(corpus)
    rules_win = dataclasses.replace(training.evaluation, blend=training.evaluation.rules)
    assert not rules_win.blend_beats_rules
    decision = decide(rules_win, data)
    assert not decision.used and decision.weight == 0.0 and decision.choice.C_model == decision.C
    params = export_params(data.fit(decision.C, np.arange(len(data))), decision, corpus)
    assert params["blend"]["used"] is False and params["blend"]["weight"] == 0.0
    assert "not higher than the rules'" in params["blend"]["reason"]
    summary = model_from_params(params).summary()
    assert summary["used"] is False and summary["blend_weight"] == 0.0


def test_nested_choices_never_see_the_outer_test_rows(corpus, monkeypatch):
    """C and w are chosen inside each outer training part: the rows handed to the inner search never
    include that fold's test rows, and every row is tested exactly once."""
    from advisor.learn import train as training_module

    seen: list[np.ndarray] = []
    real = training_module.choose

    def spy(data, rows, *args, **kwargs):
        seen.append(np.asarray(rows).copy())
        return real(data, rows, *args, **kwargs)

    monkeypatch.setattr(training_module, "choose", spy)
    data = training_module.labelled_rows(corpus)
    evaluation = training_module.nested_evaluate(data, folds=3, inner_folds=2, c_grid=(0.3,))
    assert len(seen) == 3 == len(evaluation.test_rows)
    for rows, test in zip(seen, evaluation.test_rows, strict=True):
        assert not set(rows) & set(test)
        assert len(rows) + len(test) == len(corpus)
    assert sorted(np.concatenate(evaluation.test_rows).tolist()) == list(range(len(corpus)))


def test_sign_test():
    assert sign_test(0, 0) == 1.0
    assert sign_test(5, 0) == pytest.approx(2 / 32)
    assert sign_test(0, 5) == sign_test(5, 0)
    assert sign_test(6, 2) == pytest.approx(2 * (1 + 8 + 28) / 256)
    assert sign_test(3, 3) == 1.0


def test_cross_validation_probabilities_are_the_pipelines(corpus):
    """The per-fold shortcut (corpus encoded once) gives exactly what the shipped Pipeline would."""
    from advisor.learn.train import labelled_rows

    data = labelled_rows(corpus)
    train_rows, test_rows = np.arange(0, len(data), 3), np.arange(1, len(data), 3)
    expected = data.fit(1.0, train_rows).predict_proba(data.table.iloc[test_rows])
    np.testing.assert_array_equal(data.probability(1.0, train_rows, test_rows), expected)


def test_wilson_interval():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(236, 239)
    assert 0.96 < low < 236 / 239 < high < 1.0
    low, high = wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(0.7225, abs=1e-3)  # textbook value for 10/10
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(1 - high) and low == pytest.approx(0.2366, abs=1e-4)


def test_accepted_set_match_counts_any_accepted_runtime_and_empty_sets():
    labels = np.array([[True, True, False, False], [False, False, False, False], [False, False, True, False]])
    first = np.array([1, -1, 3])
    assert accepted_match(first, labels).tolist() == [True, True, False]
    assert accepted_match(np.array([0, 0, 2]), labels).tolist() == [True, False, True]


def test_estimators_follow_scikit_learn_conventions(corpus):
    from sklearn.base import clone
    from sklearn.utils.validation import check_is_fitted

    from advisor.learn.estimator import AcceptedRuntimes, WorkloadEncoder, build_pipeline

    pipeline = build_pipeline(C=0.5)
    assert pipeline.get_params()["classify__C"] == 0.5
    assert clone(pipeline).get_params()["classify__C"] == 0.5
    encoder = WorkloadEncoder()
    assert not [k for k in vars(encoder) if k.endswith("_")]  # __init__ stores parameters only
    fitted = fit_pipeline(corpus)
    for step in fitted.named_steps.values():
        check_is_fitted(step)
    assert isinstance(fitted.named_steps["classify"], AcceptedRuntimes)
    assert fitted.named_steps["classify"].coef_.shape == (len(RUNTIMES), len(fitted.named_steps["encode"].mean_))


# ------------------------------------------------------------------------------------- the model file


def test_saved_model_round_trips_and_numpy_matches_scikit_learn(corpus, trained, tmp_path):
    params, _ = trained
    path = write_model(params, tmp_path / "model.json")
    model = load_model(path)
    assert to_json(json.loads(path.read_text(encoding="utf-8"))) == to_json(params)
    rules = rule_outputs(corpus)
    pipeline = fit_pipeline(corpus, C=params["classifier"]["C"], rules=rules)
    from advisor.learn.features import with_rule_columns

    expected = pipeline.predict_proba(with_rule_columns(corpus.frame, rules.axes, rules.cost_fit, rules.score,
                                                        rules.feasible))
    got = model.predict_proba(corpus.frame, rules.axes, rules.cost_fit, rules.score, rules.feasible)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert model.blend_weight == params["blend"]["weight"]
    assert model.summary() == {"used": params["blend"]["used"], "blend_weight": params["blend"]["weight"],
                               "cv_accuracy_rules": round(params["cv"]["accuracy_rules"], 3),
                               "cv_accuracy_blend": round(params["cv"]["accuracy_blend"], 3)}


def test_loading_a_pickle_is_refused(trained, tmp_path):
    params, _ = trained
    path = tmp_path / "model.json"
    path.write_bytes(pickle.dumps(params))
    with pytest.raises(ModelFileError, match="pickle") as error:
        load_model(path)
    assert str(path) in str(error.value)


def test_loading_a_joblib_dump_is_refused(trained, tmp_path):
    import joblib

    params, _ = trained
    path = tmp_path / "model.joblib"
    joblib.dump(params, path)
    with pytest.raises(ModelFileError, match="never"):
        load_model(path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p.update(format="something-else"), "not an advisor model file"),
    (lambda p: p.update(format_version=99), "format_version"),
    (lambda p: p["classifier"]["coef"].pop(), "one row per runtime"),
    (lambda p: p["encoder"]["mean"].pop(), "encoder.mean"),
    (lambda p: p["blend"].update(weight=1.5), "blend.weight"),
    (lambda p: p["encoder"]["categories"].pop("os"), "encoder.categories"),
])
def test_malformed_model_files_are_refused_naming_the_key(trained, change, message):
    params = json.loads(to_json(trained[0]))
    change(params)
    with pytest.raises(ModelFileError, match=re.escape(message)):
        model_from_params(params, source="test.json")


def test_non_json_and_non_finite_files_are_refused(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "advisor-runtime-model", ', encoding="utf-8")
    with pytest.raises(ModelFileError, match="not advisor's JSON model format"):
        load_model(broken)
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "missing.json")


def test_write_is_atomic_and_refuses_invalid_parameters(trained, tmp_path):
    target = tmp_path / "model.json"
    target.write_text("old", encoding="utf-8")
    bad = json.loads(to_json(trained[0]))
    bad["classifier"]["intercept"] = [0.0]
    with pytest.raises(ModelFileError):
        write_model(bad, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    fresh = write_model(trained[0], tmp_path / "new.json")
    assert fresh.stat().st_mode & 0o777 == 0o644  # readable by everyone, like other package data


# ------------------------------------------------------------------------------------- blending


def _hostile_params(trained, favour: int, weight: float = 1.0) -> dict:
    """A model that puts probability ~1 on runtime `favour` for every row, blended at `weight`."""
    params = json.loads(to_json(trained[0]))
    size = len(params["encoder"]["mean"])
    params["classifier"]["coef"] = [[0.0] * size for _ in RUNTIMES]
    params["classifier"]["intercept"] = [30.0 if k == favour else -30.0 for k in range(len(RUNTIMES))]
    params["blend"].update(weight=weight, used=True)
    return params


@pytest.mark.parametrize("favour", range(len(RUNTIMES)))
def test_hard_limits_win_over_any_model(corpus, trained, monkeypatch, favour):
    """Even a model that always wants one runtime at full weight never puts an infeasible runtime first."""
    from advisor.engine.scoring import score_frame
    from advisor.learn import blend

    model = model_from_params(_hostile_params(trained, favour))
    monkeypatch.setattr(blend, "active_model", lambda: model)
    scored = score_frame(corpus.frame, blend=blend.blend_parts)
    first = scored.order[:, 0]
    rows = np.arange(len(first))
    any_feasible = scored.feasible.any(axis=1)
    assert scored.feasible[rows, first][any_feasible].all()
    assert (scored.recommendation[~any_feasible] == -1).all()
    wanted = scored.feasible[:, favour]
    assert (scored.recommendation[wanted] == favour).all()  # where allowed, the model did win


def test_blend_formula_in_score_frame(corpus, trained, monkeypatch):
    from advisor.engine.scoring import score_frame
    from advisor.learn import blend

    model = model_from_params(_hostile_params(trained, 2, weight=0.3))
    plain = score_frame(corpus.frame)  # the engine alone: rules only
    monkeypatch.setattr(blend, "active_model", lambda: model)
    blended = score_frame(corpus.frame, blend=blend.blend_parts)
    probability = model.predict_proba(corpus.frame, plain.axes, plain.cost_fit, plain.score, plain.feasible)
    np.testing.assert_allclose(blended.score, 0.7 * plain.score + 0.3 * probability)
    monkeypatch.setenv("ADVISOR_RULES_ONLY", "1")
    np.testing.assert_allclose(score_frame(corpus.frame, blend=blend.blend_parts).score, plain.score)
    monkeypatch.delenv("ADVISOR_RULES_ONLY")
    with rules_only():
        np.testing.assert_allclose(score_frame(corpus.frame, blend=blend.blend_parts).score, plain.score)


def test_unused_model_leaves_scores_alone(corpus, trained):
    params = json.loads(to_json(trained[0]))
    params["blend"].update(weight=0.0, used=False)
    model = model_from_params(params)
    rules = rule_outputs(corpus)
    out = apply_blend(corpus.frame, rules.axes, rules.cost_fit, rules.score, rules.feasible, model=model)
    assert out is rules.score


def test_first_place_puts_feasible_runtimes_first():
    score = np.array([[0.9, 0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.4]])
    feasible = np.array([[False, True, True, False], [False, False, False, False]])
    assert first_place(score, feasible).tolist() == [2, -1]


# ------------------------------------------------------------------------------------- provider


def test_recommend_reports_model_and_three_similar_workloads():
    from advisor.api import load_profile, recommend

    result = recommend(load_profile(str(REPO / "examples" / "thumbnailer.yaml"))).to_dict()
    model = result["model"]
    assert set(model) == {"used", "blend_weight", "cv_accuracy_rules", "cv_accuracy_blend"}
    saved = json.loads(default_model_path().read_text(encoding="utf-8"))
    assert model["used"] is saved["blend"]["used"]
    assert model["blend_weight"] == saved["blend"]["weight"]
    similar = result["similar"]
    assert len(similar) == 3
    assert [set(item) for item in similar] == [{"name", "accepted", "rationale", "source", "distance"}] * 3
    assert [item["distance"] for item in similar] == sorted(item["distance"] for item in similar)
    reference = read_corpus()
    names = list(reference.table["name"])
    for item in similar:
        assert item["accepted"] == list(reference.accepted[names.index(item["name"])])
    assert similar[0]["distance"] > 0  # the example is not a copy of a reference row


@pytest.mark.parametrize("name", ["ws-trading-dashboard-fargate", "llm-vllm-4gpu-eks", "datadog-agent-ecs-daemon",
                                  "cron-cleanup-30s", "windows-batch-invoice-render"])
def test_a_lightly_changed_reference_row_finds_that_row_first(corpus, name):
    """A reference workload with its memory and request volume nudged by 5% is still nearest to itself."""
    from advisor.learn.similar import similar_workloads

    row = list(corpus.table["name"]).index(name)
    query = corpus.frame.iloc[[row]].copy()
    query["memory_mb"] = query["memory_mb"] * 1.05
    query["requests_per_month"] = query["requests_per_month"] * 0.95
    neighbours = similar_workloads(query)[0]
    assert neighbours[0]["name"] == name
    assert 0 < neighbours[0]["distance"] < neighbours[1]["distance"]


def test_a_corpus_row_is_its_own_nearest_neighbour(corpus):
    from advisor.learn.similar import similar_workloads

    rows = [0, 40, 120]
    found = similar_workloads(corpus.frame.iloc[rows])
    for row, neighbours in zip(rows, found, strict=True):
        assert neighbours[0]["distance"] == 0.0
        assert neighbours[0]["accepted"] == list(corpus.accepted[row])


def test_recommend_does_not_import_scikit_learn():
    code = ("import sys; from advisor.api import load_profile, recommend; "
            f"r = recommend(load_profile({str(REPO / 'examples' / 'nightly-etl.yaml')!r})); "
            "assert r.extra['similar'] and 'model' in r.extra; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'joblib')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_hostile_corpus_text_is_escaped_in_markdown_and_table_output(tmp_path, monkeypatch):
    """Rationale and source text reach Markdown and terminal output escaped, never as markup."""
    from advisor.api import load_profile, recommend
    from advisor.cli.table import to_table
    from advisor.learn import similar
    from advisor.outputs.formats import to_markdown

    table = pd.read_csv(default_corpus_path(), dtype=str, keep_default_na=False)
    hostile = "<script>alert(1)</script> | [red]boom[/red] **bold**."
    table["rationale"] = hostile
    path = tmp_path / "hostile.csv"
    table.to_csv(path, index=False)
    monkeypatch.setattr(similar, "packaged_corpus", lambda: read_corpus(path))
    similar._index.cache_clear()
    try:
        result = recommend(load_profile(str(REPO / "examples" / "thumbnailer.yaml")))
        assert result.extra["similar"][0]["rationale"] == hostile
        markdown = to_markdown(result)
        assert "<script>" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt; \\| [red]" in markdown
        text = to_table(result, width=200)
        assert "[red]boom[/red]" in text and "<script>alert(1)</script>" in text  # shown literally, not as markup
    finally:
        similar._index.cache_clear()
