"""Learned calibration: the reference corpus, training, the JSON model file, the blend and similar workloads."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor import RUNTIMES
from advisor.learn.blend import apply_blend, rules_only
from advisor.learn.corpus import read_corpus
from advisor.learn.features import first_place
from advisor.learn.model_file import (
    ModelFileError,
    default_corpus_path,
    default_model_path,
    load_model,
    model_from_params,
    to_json,
    write_model,
)
from advisor.learn.train import DEFAULT_FOLDS, DEFAULT_SEED, accepted_match, fit_pipeline, rule_outputs, train
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
    types = set(corpus.frame["workload_type"])
    spec = next(s for s in FIELDS if s.name == "workload_type")
    assert types == set(spec.choices)
    for k, runtime in enumerate(RUNTIMES):
        assert (corpus.preferred == k).sum() >= 20, runtime


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


def test_training_is_reproducible(corpus, trained):
    params, _ = trained
    again, _ = train(corpus, seed=DEFAULT_SEED, folds=DEFAULT_FOLDS)
    assert to_json(again) == to_json(params)


def test_packaged_model_matches_the_packaged_corpus_and_training(corpus, trained):
    """models/model.json is what `advisor model train` produces today (retrain after editing the corpus)."""
    params, _ = trained
    saved = json.loads(default_model_path().read_text(encoding="utf-8"))
    retrain = "models/model.json is stale: run `advisor model train --force` and commit it"
    assert saved["corpus_sha256"] == corpus.sha256, retrain
    assert_same_parameters(saved, params)


def test_blend_is_used_only_when_cross_validation_says_so(trained):
    params, cv = trained
    by_weight = cv.accuracy_by_weight
    assert set(by_weight) == {round(0.1 * i, 1) for i in range(11)}
    assert by_weight[0.0] == pytest.approx(cv.rules.accuracy)
    if cv.used:
        assert cv.weight > 0 and cv.blend.accuracy >= cv.rules.accuracy
        assert cv.weight == min(w for w, a in by_weight.items() if a == max(by_weight.values()))
    else:
        assert cv.weight == 0 and cv.blend.accuracy == cv.rules.accuracy
    assert params["blend"]["used"] is cv.used and params["blend"]["weight"] == cv.weight
    assert params["cv"]["accuracy_blend"] == pytest.approx(cv.blend.accuracy, abs=1e-6)


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
    pipeline = fit_pipeline(corpus, rules=rules)
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


def test_blend_costs_little_on_a_large_frame(trained, monkeypatch):
    """score_frame with the blend on stays within 1.5x of the rules alone (20,000 generated profiles)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from bench_recommend import synthetic_frame
    finally:
        sys.path.pop(0)
    from advisor.engine.scoring import score_frame
    from advisor.learn import blend

    frame = synthetic_frame(20_000)
    model = model_from_params(_hostile_params(trained, 1, weight=0.5))
    score_frame(frame.head(50))

    def best_of(runs: int, blended: bool) -> float:
        """Least CPU time of `runs` (CPU, not wall time, so other processes on the machine do not count)."""
        times = []
        for _ in range(runs):
            with monkeypatch.context() as patch:
                patch.setattr(blend, "active_model", lambda: model if blended else None)
                start = time.process_time()
                score_frame(frame)
                times.append(time.process_time() - start)
        return min(times)

    plain, blended = best_of(3, False), best_of(3, True)
    assert blended <= 1.5 * plain, f"rules {plain:.3f} s, blend {blended:.3f} s"


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
    assert similar[0]["name"] == "s3-thumbnailer"


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
