"""`advisor model train` and `advisor model evaluate` through the CLI, and the text output of `recommend`."""

from __future__ import annotations

import json
import pickle
import re
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


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every third reference row: the same code paths as the full corpus at a third of the training time."""
    import csv

    with (REPO / "models" / "reference_workloads.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    out = tmp_path_factory.mktemp("corpus") / "small.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([rows[0], *rows[1::3]])
    return out


def test_training_is_byte_identical_and_retraining_unchanged_is_a_no_op(runner, small_corpus, tmp_path):
    first, second = tmp_path / "a" / "model.json", tmp_path / "b" / "model.json"
    for target in (first, second):
        result = runner.invoke(app, ["model", "train", "--corpus", str(small_corpus), "--out", str(target)])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    same = runner.invoke(app, ["model", "train", "--corpus", str(small_corpus), "--out", str(first)])
    assert same.exit_code == 0 and "unchanged" in same.output
    before = first.read_bytes()
    other = runner.invoke(app, ["model", "train", "--corpus", str(small_corpus), "--out", str(first),
                                "--seed", "7", "--folds", "4", "--inner-folds", "3"])
    assert other.exit_code == 2
    assert "exists with different parameters; pass --force" in other.output
    assert first.read_bytes() == before
    forced = runner.invoke(app, ["model", "train", "--corpus", str(small_corpus), "--out", str(first),
                                 "--seed", "7", "--folds", "4", "--inner-folds", "3", "--force"])
    assert forced.exit_code == 0, forced.output
    saved = json.loads(first.read_text(encoding="utf-8"))
    assert (saved["seed"], saved["folds"], saved["inner_folds"]) == (7, 4, 3)
    assert "nested cross-validated first-place accuracy (4 outer folds, 3 inner, seed 7)" in forced.output


def test_curve_writes_an_svg_and_prints_its_numbers(runner, small_corpus, tmp_path):
    import xml.etree.ElementTree as ElementTree

    out = tmp_path / "curve.svg"
    args = ["model", "curve", "--corpus", str(small_corpus), "--out", str(out), "--fractions", "0.5,1",
            "--repeats", "1", "--folds", "3", "--inner-folds", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    rows = len((small_corpus).read_text(encoding="utf-8").splitlines()) - 1
    table = [line.split() for line in result.output.splitlines()[1:3]]
    assert [int(line[0]) for line in table] == [round(rows / 2), rows]
    svg = ElementTree.parse(out).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(svg.findall("{http://www.w3.org/2000/svg}polyline")) == 3
    assert runner.invoke(app, args).exit_code == 0  # the same curve again: nothing to replace
    other = runner.invoke(app, [*args[:-4], "--folds", "4", "--inner-folds", "2"])
    assert other.exit_code == 2 and "pass --force" in other.output
    bad = runner.invoke(app, [*args[:6], "--fractions", "0,1.5"])
    assert bad.exit_code == 2 and "--fractions" in bad.output


def test_cli_defaults_are_the_library_defaults():
    from advisor.cli import model as cli_model
    from advisor.learn import train

    assert (cli_model.DEFAULT_FOLDS, cli_model.DEFAULT_INNER_FOLDS) == (train.DEFAULT_FOLDS, train.INNER_FOLDS)
    from advisor.knowledge.base import knowledge

    assert cli_model._seed(None) == train.DEFAULT_SEED == int(knowledge().number("assume.seed"))


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


@pytest.fixture(scope="module")
def evaluated() -> str:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["model", "evaluate"])
    assert result.exit_code == 0, result.output
    return result.output


def test_evaluate_prints_the_nested_table_with_intervals_and_the_decision(evaluated):
    text = evaluated
    assert text.startswith("Nested cross-validation of first-place accuracy")
    assert "inner: stratified 4-fold on each outer training part" in text
    assert "accuracy is counted on outer test rows only" in text
    saved = json.loads(default_model_path().read_text(encoding="utf-8"))
    for label, key in (("rules alone", "rules"), ("model alone", "model"), ("blend", "blend")):
        low, high = saved["cv"][key]["interval_95"]
        assert re.search(rf"^{label} +{saved['cv'][key]['accuracy']:.3f} +{saved['cv'][key]['correct']}/\d+ +"
                         rf"{low:.3f}-{high:.3f}$", text, re.MULTILINE), label
    assert "exact two-sided sign test on the rows where they differ: p = " in text
    assert "chosen inside each outer fold (C model alone, C blend, w): 1: " in text
    assert ("so recommend and assess use it" in text) is saved["blend"]["used"]
    assert "lambda P" not in text and "rules P" in text and "blend R" in text
    assert text.count("confusion matrix") == 3
    assert "saved model (models/model.json): used=" in text


def test_evaluate_output_is_what_docs_model_md_shows(evaluated):
    """docs/model.md carries the evaluation table exactly as `advisor model evaluate` prints it today."""
    printed = evaluated
    doc = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    assert printed.strip() in doc, "docs/model.md is stale: run `python tests/data/model/regenerate.py`"


def test_recommend_text_shows_similar_workloads_and_scoring(runner, env_without_color):
    result = runner.invoke(app, ["recommend", str(REPO / "examples" / "thumbnailer.yaml"), "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "Similar reference workloads" in result.output
    from advisor.api import load_profile, recommend

    nearest = recommend(load_profile(str(REPO / "examples" / "thumbnailer.yaml"))).to_dict()["similar"][0]
    assert f"{nearest['name']} (accepted: {', '.join(nearest['accepted'])})" in result.output
    assert "cross-validated first-place accuracy" in result.output


def test_a_pickle_in_place_of_the_model_is_refused_by_evaluate(runner, tmp_path, monkeypatch):
    from advisor.learn import model_file

    fake = tmp_path / "model.json"
    fake.write_bytes(pickle.dumps({"format": "advisor-runtime-model"}))
    monkeypatch.setattr(model_file, "default_model_path", lambda: fake)  # the command imports it at run time

    result = runner.invoke(app, ["model", "evaluate", "--folds", "2"])
    assert result.exit_code == 2
    assert "never loads pickles" in result.output
