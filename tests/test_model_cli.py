"""`advisor model train` and `advisor model evaluate` through the CLI, and the text output of `recommend`."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from advisor.cli.app import app
from advisor.learn.model_file import default_model_path, load_model

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trained_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("model") / "model.json"
    result = CliRunner().invoke(app, ["model", "train", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    return out


def test_train_writes_the_same_parameters_as_the_packaged_model(trained_file):
    model = load_model(trained_file)
    packaged = load_model(default_model_path())
    assert (model.used, model.blend_weight, model.seed, model.folds) == (
        packaged.used, packaged.blend_weight, packaged.seed, packaged.folds)
    assert model.corpus_sha256 == packaged.corpus_sha256
    assert abs(model.coef - packaged.coef).max() < 1e-6
    assert [p.name for p in trained_file.parent.iterdir()] == ["model.json"]  # no temporary files left


def test_retraining_unchanged_is_a_no_op_and_changes_need_force(runner, trained_file):
    same = runner.invoke(app, ["model", "train", "--out", str(trained_file)])
    assert same.exit_code == 0 and "unchanged" in same.output
    before = trained_file.read_bytes()
    other = runner.invoke(app, ["model", "train", "--out", str(trained_file), "--seed", "7", "--folds", "4"])
    assert other.exit_code == 2
    assert "exists with different parameters; pass --force" in other.output
    assert trained_file.read_bytes() == before
    forced = runner.invoke(app, ["model", "train", "--out", str(trained_file), "--seed", "7", "--folds", "4",
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    saved = json.loads(trained_file.read_text(encoding="utf-8"))
    assert (saved["seed"], saved["folds"]) == (7, 4)


def test_bad_options_and_inputs_exit_2_with_a_message(runner, tmp_path):
    folder = runner.invoke(app, ["model", "train", "--out", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.output
    folds = runner.invoke(app, ["model", "evaluate", "--folds", "1"])
    assert folds.exit_code == 2
    corpus = tmp_path / "corpus.csv"
    corpus.write_text("name,accepted,source,rationale\nx,lambda,,fine.\n", encoding="utf-8")
    bad = runner.invoke(app, ["model", "evaluate", "--corpus", str(corpus)])
    assert bad.exit_code == 2
    assert f"{corpus}: 1 problem(s)" in bad.output and "row 1: source=''" in bad.output


def test_evaluate_prints_accuracies_per_runtime_scores_and_confusion_matrices(runner):
    result = runner.invoke(app, ["model", "evaluate"])
    assert result.exit_code == 0, result.output
    text = result.output
    saved = json.loads(default_model_path().read_text(encoding="utf-8"))
    assert f"rules alone         {saved['cv']['accuracy_rules']:.3f}" in text
    assert f"model alone         {saved['cv']['accuracy_model']:.3f}" in text
    assert f"blend (w={saved['blend']['weight']:.1f})" in text
    assert "lambda P" not in text and "rules P" in text and "blend R" in text
    assert text.count("confusion matrix") == 3
    assert "saved model (models/model.json): used=" in text


def test_evaluate_output_is_what_docs_model_md_shows(runner):
    """docs/model.md carries the evaluation table exactly as `advisor model evaluate` prints it today."""
    printed = runner.invoke(app, ["model", "evaluate"]).output
    doc = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    assert printed.strip() in doc


def test_recommend_text_shows_similar_workloads_and_scoring(runner, env_without_color):
    result = runner.invoke(app, ["recommend", str(REPO / "examples" / "thumbnailer.yaml"), "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "Similar reference workloads" in result.output
    assert "s3-thumbnailer (accepted: lambda)" in result.output
    assert "cross-validated first-place accuracy" in result.output


def test_a_pickle_in_place_of_the_model_is_refused_by_evaluate(runner, tmp_path, monkeypatch):
    from advisor.learn import model_file

    fake = tmp_path / "model.json"
    fake.write_bytes(pickle.dumps({"format": "advisor-runtime-model"}))
    monkeypatch.setattr(model_file, "default_model_path", lambda: fake)  # the command imports it at run time

    result = runner.invoke(app, ["model", "evaluate", "--folds", "2"])
    assert result.exit_code == 2
    assert "never loads pickles" in result.output
