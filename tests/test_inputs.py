"""Every input a user touches: numeric bounds, NaN and infinity, duplicate keys, one input-file opener
(missing, folder, unreadable, wrong encoding) with --encoding on every command, never writing over an
input, did-you-mean for CSV columns and mapping keys, and YAML errors that name the file and line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli.app import app
from advisor.errors import InputSyntaxError
from advisor.files import load_user_data
from advisor.profile.fields import FIELDS, build_profile, format_bound

REPO = Path(__file__).resolve().parents[1]
NUMERIC = [spec for spec in FIELDS if spec.kind in ("number", "integer")]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


# ----------------------------------------------------------------------------- bounds


def test_every_numeric_field_has_an_upper_bound_with_a_reason() -> None:
    for spec in NUMERIC:
        assert spec.maximum is not None, f"{spec.name} has no upper bound"
        assert spec.bound_reason, f"{spec.name} has no reason for its bound"
        assert spec.default is None or spec.default <= spec.maximum, spec.name


# Each bound must stay above the AWS limit it is measured against, so that a real workload too big for
# every runtime still gets that runtime's blocker rather than a validation error. (field, fact, to field units)
BOUND_ABOVE_FACT = [
    ("vcpu", "ecs_ec2.max_vcpu_per_task", 1),
    ("vcpu", "eks.max_vcpu_per_task", 1),
    ("memory_mb", "ecs_ec2.max_memory_gb_per_task", 1024),
    ("gpu", "ecs_ec2.max_gpu_per_task", 1),
    ("gpu", "eks.max_gpu_per_task", 1),
    ("ephemeral_storage_gb", "ecs_fargate.ephemeral_storage_max_gb", 1),
    ("artifact_size_mb", "lambda.image_max_mb", 1),
    ("max_duration_s", "lambda.timeout_s", 1),
    ("peak_concurrency", "lambda.concurrency_default", 1),
]


@pytest.mark.parametrize(("field", "fact", "scale"), BOUND_ABOVE_FACT, ids=lambda v: str(v))
def test_bounds_sit_above_the_aws_limits(field: str, fact: str, scale: float) -> None:
    from advisor.knowledge.base import knowledge

    spec = next(s for s in FIELDS if s.name == field)
    value = knowledge().facts[fact].value
    assert isinstance(value, int | float) and spec.maximum is not None
    assert spec.maximum > value * scale, f"{field} bound {spec.maximum} is not above {fact} = {value}"


def test_every_bound_is_documented_with_its_reason() -> None:
    doc = (REPO / "docs" / "profile.md").read_text(encoding="utf-8")
    bounds = doc.split("## Bounds", 1)[1].split("\n## ", 1)[0]
    for spec in NUMERIC:
        name = "priority_*" if spec.name.startswith("priority_") else spec.name
        row = re.search(rf"^\| `{re.escape(name)}` \|[^\n]*$", bounds, re.M)
        assert row, f"docs/profile.md Bounds has no row for {name}"
        assert format_bound(spec.maximum or 0) in row.group(0), (name, row.group(0))


@pytest.mark.parametrize(("field", "value"), [("vcpu", "1e12"), ("memory_mb", "1e308"), ("gpu", "1e30"),
                                              ("max_duration_s", "400d"), ("requests_per_month", "1e20"),
                                              ("latency_slo_ms", "2d"), ("peak_concurrency", "1e9")])
def test_a_value_beyond_a_bound_exits_2_naming_field_value_and_bound(tmp_path: Path, field: str,
                                                                     value: str) -> None:
    spec = next(s for s in FIELDS if s.name == field)
    profile = tmp_path / "big.yaml"
    profile.write_text(f"name: big\n{field}: {value}\n", encoding="utf-8")
    code, output = _run("recommend", str(profile), "--format", "json")
    assert code == 2, output
    assert field in output and value in output and format_bound(spec.maximum or 0) in output, output
    assert "Traceback" not in output


def test_a_value_beyond_a_bound_in_a_csv_marks_the_row_invalid(tmp_path: Path) -> None:
    source = tmp_path / "portfolio.csv"
    source.write_text("name,vcpu,gpu\nok,2,0\nhuge,1e12,1e30\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    code, output = _run("assess", str(source), "--out", str(out), "--jobs", "1")
    assert code == 3, output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert "invalid" in rows[2] and "must be at most 4,096" in rows[2] and "must be at most 64" in rows[2]


def test_a_value_at_a_bound_is_accepted_and_explained_by_blockers() -> None:
    profile = build_profile({"name": "at-the-bound", "vcpu": 4096})
    assert profile.vcpu == 4096


# ----------------------------------------------------------------------------- NaN, infinity, duplicate keys


@pytest.mark.parametrize(("name", "text"), [
    ("nan.json", '{"name": "x",\n "vcpu": NaN}'),
    ("inf.json", '{"name": "x",\n "vcpu": Infinity}'),
    ("neg.json", '{"name": "x",\n "latency_slo_ms": -Infinity}'),
    ("big.json", '{"name": "x",\n "vcpu": 1e400}'),
    ("nan.yaml", "name: x\nvcpu: .nan\n"),
    ("inf.yaml", "name: x\nmemory_mb: .inf\n"),
    ("nan-text.yaml", "name: x\nvcpu: nan\n"),
    ("inf-text.yaml", "name: x\nrequests_per_month: '-inf'\n"),
])
def test_nan_and_infinity_are_rejected_alike(tmp_path: Path, name: str, text: str) -> None:
    profile = tmp_path / name
    profile.write_text(text, encoding="utf-8")
    code, output = _run("recommend", str(profile), "--format", "json")
    assert code == 2, output
    assert "not a finite number" in output and name in output, output


def test_nan_and_infinity_in_csv_cells_give_the_same_words(tmp_path: Path) -> None:
    source = tmp_path / "portfolio.csv"
    source.write_text("name,vcpu,memory_mb,requests_per_month\na,nan,inf,1\nb,1,1e400,-Infinity\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    code, output = _run("assess", str(source), "--out", str(out), "--jobs", "1")
    assert code == 3, output
    text = out.read_text(encoding="utf-8")
    assert text.count("not a finite number") == 4, text


def test_nan_given_to_the_library_is_not_taken_as_missing() -> None:
    from advisor.errors import ProfileError

    with pytest.raises(ProfileError, match="vcpu=nan: not a finite number"):
        build_profile({"name": "x", "vcpu": float("nan")})


@pytest.mark.parametrize(("name", "text", "line"), [
    ("dup.yaml", "name: x\nvcpu: 1\nmemory_mb: 512\nvcpu: 4\n", "(lines 2 and 4)"),
    ("dup.json", '{"name": "x",\n "vcpu": 1,\n "vcpu": 4}', "(lines 2 and 3)"),
])
def test_a_duplicate_key_is_rejected_naming_the_key_and_both_lines(tmp_path: Path, name: str, text: str,
                                                                   line: str) -> None:
    profile = tmp_path / name
    profile.write_text(text, encoding="utf-8")
    code, output = _run("recommend", str(profile), "--format", "json")
    assert code == 2, output
    assert f"{name}, line" in output and "'vcpu' is given twice" in output and line in output, output


def test_duplicate_keys_in_answers_and_mapping_files_are_rejected_too(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("questionnaire: quick\nanswers:\n  name: a\n  name: b\n", encoding="utf-8")
    code, output = _run("interview", "--answers", str(answers))
    assert code == 2 and "'name' is given twice (lines 3 and 4)" in output, output
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  App: name\n  App: description\n", encoding="utf-8")
    source = tmp_path / "p.csv"
    source.write_text("App\nx\n", encoding="utf-8")
    code, output = _run("assess", str(source), "--out", "-", "--columns", str(mapping))
    assert code == 2 and "'App' is given twice (lines 2 and 3)" in output, output


def test_nested_json_duplicates_and_values_are_located() -> None:
    with pytest.raises(InputSyntaxError) as caught:
        load_user_data('{"a": [1,\n {"k": 1,\n  "k": 2}]}', "x.json", "json")
    assert caught.value.line == 3 and "'k' is given twice (lines 2 and 3)" in str(caught.value)
    assert load_user_data('{"a": "NaN", "b": [1.5, {"c": null}]}', "x.json", "json") == {
        "a": "NaN", "b": [1.5, {"c": None}]}


def test_yaml_syntax_errors_name_the_file_and_line_not_a_unicode_string(tmp_path: Path) -> None:
    profile = tmp_path / "broken.yaml"
    profile.write_text("name: x\nprotocols: [http\n", encoding="utf-8")
    code, output = _run("recommend", str(profile))
    assert code == 2
    assert "<unicode string>" not in output
    assert re.search(r"broken\.yaml, line 3: column \d+: not valid YAML", output), output


# ----------------------------------------------------------------------------- one input opener


def _commands_reading(path: str) -> list[list[str]]:
    """Each command given `path` as the file it reads."""
    return [
        ["recommend", path],
        ["report", path, "--out", "report.html"],
        ["scaffold", path, "--out", "starter"],
        ["interview", "--answers", path],
        ["interview", "--profile", path, "--answers", path],
        ["assess", path, "--out", "results.csv"],
        ["assess", "portfolio.csv", "--out", "results.csv", "--columns", path],
        ["profile", "from", path, "--out", "-"],
        ["questionnaire", "lint", path],
        ["questionnaire", "show", path],
        ["model", "evaluate", "--corpus", path],
    ]


@pytest.fixture
def workdir(isolated: Path) -> Path:
    (isolated / "portfolio.csv").write_text("name\nx\n", encoding="utf-8")
    return isolated


@pytest.mark.parametrize("case", ["missing", "folder", "unreadable", "latin-1"])
def test_every_command_opens_input_files_the_same_way(workdir: Path, case: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if case == "missing":
        path, words = "missing.yaml", "missing.yaml: no such file"
    elif case == "folder":
        (workdir / "profiles.yaml").mkdir()
        path, words = "profiles.yaml", "profiles.yaml: is a folder, not a file"
    elif case == "unreadable":
        target = workdir / "locked.yaml"
        target.write_text("name: x\n", encoding="utf-8")
        target.chmod(0)
        if os.geteuid() == 0:  # root reads files whatever their mode: refuse this one the way the OS would
            real_open = Path.open

            def refusing_open(self: Path, *args: object, **kwargs: object) -> object:
                if self.name == "locked.yaml":
                    raise PermissionError(13, "Permission denied", str(self))
                return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

            monkeypatch.setattr(Path, "open", refusing_open)
        path, words = "locked.yaml", "locked.yaml: cannot read the file (permission denied)"
    else:
        (workdir / "cafe.yaml").write_bytes("name: café\nvcpu: 1\n".encode("latin-1"))
        path, words = "cafe.yaml", "cafe.yaml: not valid UTF-8 text"
    for args in _commands_reading(path):
        if case == "folder" and args[0] == "profile":
            continue  # a folder of Kubernetes manifests is a valid descriptor
        if case == "latin-1" and args[:2] == ["assess", path]:
            continue  # a portfolio must be .csv, .xlsx or .parquet: test_encoding_reads... covers CSV
        code, output = _run(*args)
        assert code == 2, (args, output)
        assert words in output, (args, output)
        if case == "latin-1":
            assert "--encoding latin-1" in output, (args, output)


def test_every_command_that_reads_a_file_takes_encoding() -> None:
    for args in _commands_reading("x"):
        code, output = _run(*args[: 2 if args[0] in ("profile", "questionnaire", "model") else 1], "--help")
        assert code == 0 and "--encoding" in output, args


def test_encoding_reads_a_latin_1_profile_csv_and_answers(workdir: Path) -> None:
    (workdir / "cafe.yaml").write_bytes("name: café\nvcpu: 1\n".encode("latin-1"))
    code, output = _run("recommend", "cafe.yaml", "--encoding", "latin-1", "--format", "json")
    assert code == 0 and '"name": "café"' in output, output
    (workdir / "cafe.csv").write_bytes("name,vcpu\ncafé,1\n".encode("latin-1"))
    code, output = _run("assess", "cafe.csv", "--out", "-", "--encoding", "latin-1")
    assert code == 0 and "café" in output, output
    (workdir / "answers.yaml").write_bytes("questionnaire: quick\nanswers:\n  name: café\n".encode("latin-1"))
    code, output = _run("interview", "--answers", "answers.yaml", "--encoding", "latin-1", "--format", "json")
    assert code == 0 and '"name": "café"' in output, output
    code, output = _run("recommend", "cafe.yaml", "--encoding", "no-such-codec")
    assert code == 2 and "not a known text encoding" in output, output


# ----------------------------------------------------------------------------- never write over an input


def test_no_command_writes_over_its_own_input(workdir: Path) -> None:
    source = workdir / "in.csv"
    source.write_text("name,vcpu\na,1\n", encoding="utf-8")
    before = source.read_bytes()
    (workdir / "link.csv").symlink_to(source)
    for args in (["assess", "in.csv", "--out", "in.csv", "--force"],
                 ["assess", "in.csv", "--out", "./in.csv"],
                 ["assess", "in.csv", "--out", "link.csv", "--force"],
                 ["assess", "in.csv", "--out", "r.csv", "--summary", "in.csv", "--force"],
                 ["assess", "in.csv", "--out", "r.csv", "--report", "in.csv", "--force"]):
        code, output = _run(*args)
        assert code == 2, (args, output)
        assert "is an input of this command" in output, (args, output)
        assert source.read_bytes() == before, args
    profile = workdir / "p.yaml"
    profile.write_text("name: p\n", encoding="utf-8")
    answers = workdir / "a.yaml"
    answers.write_text("questionnaire: quick\nanswers:\n  name: p\n", encoding="utf-8")
    kept = {path: path.read_bytes() for path in (profile, answers)}
    for args in (["interview", "--answers", "a.yaml", "--save", "a.yaml", "--force"],
                 ["interview", "--answers", "a.yaml", "--report", "a.yaml", "--force"],
                 ["interview", "--answers", "a.yaml", "--profile", "p.yaml", "--save", "p.yaml", "--force"],
                 ["report", "p.yaml", "--out", "p.md", "--force"]):
        if args[0] == "report":
            (workdir / "p.md").write_text("x", encoding="utf-8")
            profile.rename(workdir / "p.md")
            args = ["report", "p.md", "--out", "p.md", "--force"]
        code, output = _run(*args)
        assert code == 2 and "is an input of this command" in output, (args, output)
    assert answers.read_bytes() == kept[answers]


def test_model_train_never_writes_over_its_corpus(workdir: Path) -> None:
    corpus = workdir / "corpus.csv"
    corpus.write_text("name,runtime\nx,lambda\n", encoding="utf-8")
    code, output = _run("model", "train", "--corpus", "corpus.csv", "--out", "corpus.csv", "--force")
    assert code == 2 and "corpus.csv: is an input of this command" in output, output
    assert corpus.read_text(encoding="utf-8") == "name,runtime\nx,lambda\n"


def test_profile_from_never_writes_over_the_descriptor(workdir: Path) -> None:
    compose = workdir / "web.yaml"
    compose.write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    before = compose.read_bytes()
    code, output = _run("profile", "from", "web.yaml", "--out", ".", "--force")
    assert code == 2 and "web.yaml: is an input of this command" in output, output
    assert compose.read_bytes() == before


def test_out_naming_an_existing_folder_says_so(workdir: Path) -> None:
    (workdir / "results").mkdir()
    code, output = _run("assess", "portfolio.csv", "--out", "results")
    assert code == 2 and "results: is a folder; give a file name" in output, output
    (workdir / "a.yaml").write_text("questionnaire: quick\nanswers:\n  name: p\n", encoding="utf-8")
    code, output = _run("interview", "--answers", "a.yaml", "--save", "results", "--force", "--format", "json")
    assert code == 2 and "results: is a folder; give a file name" in output, output


# ----------------------------------------------------------------------------- did you mean


def test_a_misspelt_csv_column_gets_a_did_you_mean(workdir: Path) -> None:
    (workdir / "typo.csv").write_text("name,memroy_mb,owner\na,512,me\n", encoding="utf-8")
    code, output = _run("assess", "typo.csv", "--out", "-")
    assert code == 0
    assert "memroy_mb (did you mean 'memory_mb'?)" in output, output
    assert "owner (did you mean" not in output


def test_mapping_keys_get_a_did_you_mean(workdir: Path) -> None:
    (workdir / "export.csv").write_text("App,Memory\na,512\n", encoding="utf-8")
    (workdir / "m1.yaml").write_text("colums:\n  App: name\n", encoding="utf-8")
    code, output = _run("assess", "export.csv", "--out", "-", "--columns", "m1.yaml")
    assert code == 2 and "colums (did you mean 'columns'?)" in output, output
    (workdir / "m2.yaml").write_text("columns:\n  App: name\n  Memroy: memory_mb\n", encoding="utf-8")
    code, output = _run("assess", "export.csv", "--out", "-", "--columns", "m2.yaml")
    assert code == 0 and "Memroy (did you mean 'Memory'?)" in output, output
    (workdir / "m3.yaml").write_text("columns:\n  App: name\n  Memory: memroy_mb\n", encoding="utf-8")
    code, output = _run("assess", "export.csv", "--out", "-", "--columns", "m3.yaml")
    assert code == 2 and "did you mean 'memory_mb'?" in output, output


def test_scaffold_with_nothing_feasible_says_what_to_do_in_one_sentence(workdir: Path) -> None:
    (workdir / "g.yaml").write_text("name: g\ngpu: 16\n", encoding="utf-8")
    code, output = _run("scaffold", "g.yaml", "--out", "starter")
    assert code == 2
    assert ".." not in output and "--runtime" in output, output
