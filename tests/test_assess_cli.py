"""`advisor assess`: every row accounted for, the malformed-input cases, formats, mapping, neutralisation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from advisor import RUNTIMES
from advisor.cli.app import app
from advisor.files import safe_file_name as safe_dir_name
from advisor.portfolio.chunks import neutralise
from advisor.portfolio.mapping import RESULT_COLUMNS
from advisor.portfolio.writers import ResultFormat

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data" / "assess"


def read_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def assess(runner: CliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(app, ["assess", *args], input=stdin)


def test_example_portfolio_every_row_in_order_with_contract_columns(runner: CliRunner, isolated: Path) -> None:
    result = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "results.csv")
    assert result.exit_code == 0, result.output
    source = read_rows(EXAMPLES / "portfolio.csv")
    rows = read_rows(isolated / "results.csv")
    assert len(source) >= 40
    assert [r["name"] for r in rows] == [r["name"] for r in source]
    assert [int(r["row"]) for r in rows] == list(range(1, len(source) + 1))
    header = list(rows[0])
    assert header[: len(source[0])] == list(source[0])  # the input's own columns first
    assert header[len(source[0]):] == list(RESULT_COLUMNS)
    for row in rows:
        assert row["status"] == "ok" and row["error"] == ""
        assert row["recommendation"] in RUNTIMES
        assert row[f"feasible_{row['recommendation']}"] == "true"
        assert 0.0 <= float(row["confidence"]) <= 1.0
        for runtime in RUNTIMES:
            assert row[f"feasible_{runtime}"] in ("true", "false")
            assert (row[f"blockers_{runtime}"] == "") == (row[f"feasible_{runtime}"] == "true")
    workload_types = {r["workload_type"] for r in source}
    assert len(workload_types) == 11  # every workload type of the profile is represented
    assert "Portfolio: 44 rows" in result.stdout  # the summary table goes to stdout when --out is a file


def test_matches_recommend_row_by_row(runner: CliRunner, isolated: Path) -> None:
    """assess and recommend are the same engine: same first place, feasibility and blockers (with each row
    paying its own NAT gateways, as a workload assessed alone does; test_portfolio_shares_nat_gateways)."""
    from advisor.api import load_profile, recommend

    assert assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "results.csv").exit_code == 0
    rows = {r["name"]: r for r in read_rows(isolated / "results.csv")}
    for example in ("thumbnailer", "nightly-etl", "gpu-trainer", "node-agent", "legacy-dotnet-api"):
        profile = load_profile(str(EXAMPLES / f"{example}.yaml"))
        path = isolated / f"{example}.csv"
        data = {k: (";".join(v) if isinstance(v, list) else v) for k, v in profile.to_dict().items()}
        data = {k: ("" if v is None else v) for k, v in data.items() if k not in profile.assumed_defaults}
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(data))
            writer.writeheader()
            writer.writerow(data)
        assert assess(runner, str(path), "--out", f"{example}-out.csv", "--no-share-platform-costs").exit_code == 0
        row = read_rows(isolated / f"{example}-out.csv")[0]
        expected = recommend(profile)
        assert row["recommendation"] == (expected.recommendation or "")
        assert float(row["confidence"]) == pytest.approx(expected.confidence, abs=1e-3)
        for entry in expected.ranking:
            assert row[f"feasible_{entry.runtime}"] == str(entry.feasible).lower()
            assert row[f"blockers_{entry.runtime}"] == ";".join(b.constraint for b in entry.blockers)
            assert float(row[f"score_{entry.runtime}"]) == pytest.approx(entry.score, abs=1e-3)
    assert rows  # the example portfolio ran too


def test_invalid_ragged_and_duplicate_rows_are_reported_and_kept(runner: CliRunner, isolated: Path) -> None:
    result = assess(runner, str(DATA / "messy.csv"), "--out", "results.csv")
    assert result.exit_code == 3
    assert "2 of 5 rows are invalid" in result.stderr
    assert "1 row(s) repeat an earlier workload name" in result.stderr
    rows = read_rows(isolated / "results.csv")
    assert [r["row"] for r in rows] == ["1", "2", "3", "4", "5"]
    by_name = {r["name"]: r for r in rows}
    typo = by_name["typo-service"]
    assert typo["status"] == "invalid"
    assert typo["error"] == "memory_mb='lots': 'lots' is not a number with an optional unit"
    assert typo["recommendation"] == "" and typo["feasible_lambda"] == ""
    short = by_name["short-row-service"]
    assert short["status"] == "invalid"
    assert short["error"] == ("row has 4 fields but the header has 37; a delimiter or quote is probably missing")
    assert rows[4]["name"] == "orders-api" and rows[4]["status"] == "ok"
    assert rows[4]["warning"] == "duplicate name 'orders-api': row 4 has the same name; both are assessed"
    assert rows[3]["warning"] == ""


def test_row_with_too_many_fields_names_the_extra_values(runner: CliRunner, isolated: Path) -> None:
    Path("wide.csv").write_text("name,workload_type\nok-one,http_api\nwide-one,http_api,surprise,more\n"
                                "trailing-empty,http_api,,\n")
    result = assess(runner, "wide.csv", "--out", "out.csv")
    assert result.exit_code == 3
    rows = read_rows(isolated / "out.csv")
    assert [r["name"] for r in rows] == ["ok-one", "wide-one", "trailing-empty"]
    assert rows[1]["error"] == "row has 4 fields but the header has 2; extra values: 'surprise', 'more'"
    assert rows[2]["status"] == "ok"  # empty trailing fields (a common export artefact) are not an error


@pytest.mark.parametrize(("fixture", "message"), [
    ("empty.csv", "the file is empty; expected a header row"),
    ("header_only.csv", "the file has a header but no data rows"),
    ("no_name.csv", "no `name` column (perhaps 'App'?)"),
    ("duplicate_columns.csv", "column 'os' appears twice (columns 2 and 4)"),
])
def test_unusable_files_exit_2_with_a_specific_message(runner: CliRunner, isolated: Path, fixture: str,
                                                       message: str) -> None:
    result = assess(runner, str(DATA / fixture), "--out", "out.csv")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert str(DATA / fixture) in result.stderr
    assert not (isolated / "out.csv").exists()
    assert list(isolated.glob(".out.csv.*")) == []


def test_unreadable_and_unknown_inputs_exit_2(runner: CliRunner, isolated: Path) -> None:
    missing = assess(runner, "nope.csv", "--out", "out.csv")
    assert missing.exit_code == 2 and "nope.csv: no such file" in missing.stderr
    Path("legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    old = assess(runner, "legacy.xls", "--out", "out.csv")
    assert old.exit_code == 2 and "(Excel 97-2003): save it as .xlsx or CSV" in old.stderr
    Path("data.json").write_text("[]")
    other = assess(runner, "data.json", "--out", "out.csv")
    assert other.exit_code == 2 and "cannot read '.json' files" in other.stderr
    Path("folder.csv").mkdir()
    folder = assess(runner, "folder.csv", "--out", "out.csv")
    assert folder.exit_code == 2 and "is a folder" in folder.stderr
    Path("broken.xlsx").write_text("not a zip")
    broken = assess(runner, "broken.xlsx", "--out", "out.csv")
    assert broken.exit_code == 2 and "not a readable .xlsx workbook" in broken.stderr


def test_missing_extra_names_the_pip_command(runner: CliRunner, isolated: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if the xlsx extra were not installed
    Path("book.xlsx").write_bytes(b"PK")
    result = assess(runner, "book.xlsx", "--out", "out.csv")
    assert result.exit_code == 2
    assert 'needs the xlsx extra: pip install "aws-runtime-advisor[xlsx]"' in result.stderr
    written = assess(runner, str(DATA / "messy.csv"), "--out", "out.xlsx")
    assert written.exit_code == 2 and 'pip install "aws-runtime-advisor[xlsx]"' in written.stderr
    assert not Path("out.xlsx").exists()


def test_encodings_bom_and_sniffed_delimiters(runner: CliRunner, isolated: Path) -> None:
    failed = assess(runner, str(DATA / "latin1-semicolon.csv"), "--out", "out.csv")
    assert failed.exit_code == 2
    assert "not valid UTF-8 text" in failed.stderr and "--encoding latin-1" in failed.stderr
    latin = assess(runner, str(DATA / "latin1-semicolon.csv"), "--out", "out.csv", "--encoding", "latin-1")
    assert latin.exit_code == 0, latin.output
    rows = read_rows(isolated / "out.csv")
    assert [r["Name"] for r in rows] == ["café-api", "käse-batch"]  # headers kept as written, output in UTF-8
    assert rows[0]["Owner"] == "Zoë Müller"
    assert "passed through unchanged (not profile fields): Owner" in latin.stderr
    bom = assess(runner, str(DATA / "bom-tab.csv"), "--out", "bom.csv")
    assert bom.exit_code == 0, bom.output
    rows = read_rows(isolated / "bom.csv")
    assert next(iter(rows[0])) == "NAME"  # the BOM is not part of the first column's name
    assert rows[0]["recommendation"] != "" and rows[0]["feasible_lambda"] == "false"  # 2h breaks Lambda's limit
    unknown = assess(runner, str(DATA / "bom-tab.csv"), "--out", "x.csv", "--encoding", "klingon")
    assert unknown.exit_code == 2 and "--encoding 'klingon': not a known text encoding" in unknown.stderr


def test_stdin_to_stdout_json(runner: CliRunner, isolated: Path) -> None:
    text = (DATA / "messy.csv").read_text()
    result = assess(runner, "-", "--out", "-", "--format", "json", stdin=text)
    assert result.exit_code == 3
    records = json.loads(result.stdout)
    assert [r["row"] for r in records] == [1, 2, 3, 4, 5]
    assert records[1]["status"] == "invalid" and records[1]["confidence"] is None
    assert records[0]["name"] == '=HYPERLINK("http://evil.example")'  # JSON is not a spreadsheet: kept as is
    assert isinstance(records[0]["feasible_lambda"], bool)
    assert "Portfolio: 5 rows" in result.stderr  # the table goes to stderr when the data takes stdout


@pytest.mark.parametrize("fmt", list(ResultFormat))
def test_every_format_writes_one_row_per_input_row(runner: CliRunner, isolated: Path, fmt: ResultFormat) -> None:
    result = assess(runner, str(DATA / "messy.csv"), "--out", f"out.{fmt.value}")
    assert result.exit_code == 3, result.output
    path = isolated / f"out.{fmt.value}"
    if fmt is ResultFormat.csv:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif fmt is ResultFormat.json:
        frame = pd.DataFrame(json.loads(path.read_text()))
    elif fmt is ResultFormat.parquet:
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_excel(path, dtype=str)
    assert len(frame) == 5
    assert [int(v) for v in frame["row"]] == [1, 2, 3, 4, 5]
    assert list(frame.columns)[-len(RESULT_COLUMNS):] == list(RESULT_COLUMNS)
    assert list(frame["status"]) == ["ok", "invalid", "invalid", "ok", "ok"]


def test_existing_output_is_kept_without_force(runner: CliRunner, isolated: Path) -> None:
    Path("out.csv").write_text("precious\n")
    Path("summary.json").write_text("{}")
    refused = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out.csv")
    assert refused.exit_code == 2 and "the results file exists (use --force to replace it)" in refused.stderr
    summary = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "new.csv", "--summary", "summary.json")
    assert summary.exit_code == 2 and "summary.json: the summary file exists (use --force" in summary.stderr
    assert Path("out.csv").read_text() == "precious\n" and Path("summary.json").read_text() == "{}"
    assert not Path("new.csv").exists()
    forced = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out.csv", "--force")
    assert forced.exit_code == 0
    assert len(read_rows(isolated / "out.csv")) == 44
    assert sorted(p.name for p in isolated.iterdir() if p.name.startswith(".")) == []


def test_formulas_neutralised_in_csv_and_xlsx_numbers_untouched(runner: CliRunner, isolated: Path) -> None:
    import openpyxl

    assert assess(runner, str(DATA / "hostile.csv"), "--out", "out.csv").exit_code == 3
    rows = read_rows(isolated / "out.csv")
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["description"] == "'+SUM(A1:A2)"
    assert rows[0]["owner"] == "'@admin"
    assert rows[0]["budget"] == "-5" and rows[1]["budget"] == "+7.5" and rows[1]["vcpu"] == "-1"
    assert rows[1]["description"] == "'-2+3" and rows[1]["owner"] == "'\tTabbed"
    assert rows[1]["error"].startswith("vcpu='-1'")  # the error names the field and the value
    assert assess(runner, str(DATA / "hostile.csv"), "--out", "out.xlsx").exit_code == 3
    sheet = openpyxl.load_workbook(isolated / "out.xlsx").active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "'=cmd|' /C calc'!A0" and values[1][2] == "'@admin"
    hostile = [v for row in values for v in row if isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t"))]
    assert sorted(hostile) == ["+7.5", "-1", "-5"]  # only the numbers are left as they were
    assert assess(runner, str(DATA / "hostile.csv"), "--out", "raw.csv", "--raw").exit_code == 3
    raw = read_rows(isolated / "raw.csv")
    assert raw[0]["name"] == "=cmd|' /C calc'!A0" and raw[0]["owner"] == "@admin"


def test_neutralise_rules() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("\r=x") == "'\r=x"
    assert neutralise("-5") == "-5" and neutralise("+3.25e2") == "+3.25e2"
    assert neutralise("-") == "'-" and neutralise("plain") == "plain" and neutralise("") == ""


def test_headers_match_ignoring_case_spaces_and_punctuation(runner: CliRunner, isolated: Path) -> None:
    Path("in.csv").write_text("Name,Workload Type,MEMORY (MB),max-duration-s,Team\njob,batch_job,2GiB,2h,data\n")
    result = assess(runner, "in.csv", "--out", "out.csv")
    assert result.exit_code == 0, result.output
    row = read_rows(isolated / "out.csv")[0]
    assert row["feasible_lambda"] == "false" and row["blockers_lambda"] == "max_duration_s"
    assert "passed through unchanged (not profile fields): Team" in result.stderr
    Path("twice.csv").write_text("os,OS\nlinux,linux\n")
    twice = assess(runner, "twice.csv", "--out", "t.csv")
    assert twice.exit_code == 2 and "columns 'os' and 'OS' both match the profile field os" in twice.stderr


def test_result_named_input_columns_are_prefixed(runner: CliRunner, isolated: Path) -> None:
    assert assess(runner, str(DATA / "messy.csv"), "--out", "first.csv").exit_code == 3
    again = assess(runner, "first.csv", "--out", "second.csv")
    assert "written with an input_ prefix: row, status" in again.stderr
    rows = read_rows(isolated / "second.csv")
    assert len(rows) == 5 and rows[1]["input_status"] == "invalid"


def test_mapping_file_maps_names_and_values(runner: CliRunner, isolated: Path) -> None:
    result = assess(runner, str(EXAMPLES / "cmdb-export.csv"), "--columns", str(EXAMPLES / "mapping.yaml"),
                    "--out", "out.csv")
    assert result.exit_code == 3  # the export has one row with an unknown OS
    rows = read_rows(isolated / "out.csv")
    assert list(rows[0])[:3] == ["App ID", "App Name", "Summary"]  # the export's own headers are kept
    by_name = {r["App Name"]: r for r in rows}
    broker = by_name["Broker API"]  # "Win" and ".NET 4.8" mapped to windows and dotnet_framework
    assert broker["status"] == "ok" and broker["feasible_lambda"] == "false"
    assert "os" in broker["blockers_lambda"].split(";")
    fax = by_name["Legacy Fax Gateway"]
    assert fax["status"] == "invalid"
    assert fax["error"] == ("os='Solaris' (column 'Runtime Env'): unknown value; choose one of linux, windows")
    assert "passed through unchanged (not profile fields): App ID, Business Owner, Cost Center" in result.stderr
    without = assess(runner, str(EXAMPLES / "cmdb-export.csv"), "--out", "plain.csv")
    assert without.exit_code == 2 and "no `name` column (perhaps 'App Name'?)" in without.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("columns: [a, b]\n", "columns must map an export column name to a profile field"),
    ("columns: {App: nmae}\n", "columns.App: 'nmae' is not a profile field (did you mean 'name'?)"),
    ("columns: {A: name, B: name}\n", "columns 'A' and 'B' both map to name"),
    ("colums: {A: name}\n", "unknown key(s) colums"),
    ("values: {nope: {a: b}}\n", "values.nope: not a profile field or a mapped column"),
    ("- just\n- a list\n", "a mapping file is a YAML mapping"),
    ("columns: {a: !!python/object:os.system x}\n", "line 1: column 14: not valid YAML"),
])
def test_bad_mapping_files_exit_2(runner: CliRunner, isolated: Path, text: str, message: str) -> None:
    Path("map.yaml").write_text(text)
    result = assess(runner, str(EXAMPLES / "cmdb-export.csv"), "--columns", "map.yaml", "--out", "o.csv")
    assert result.exit_code == 2
    assert f"map.yaml: {message}" in result.stderr or f"map.yaml, {message}" in result.stderr


def test_summary_json_has_the_agreed_shape(runner: CliRunner, isolated: Path) -> None:
    result = assess(runner, str(DATA / "messy.csv"), "--out", "out.csv", "--summary", "summary.json", "--waves", "2")
    assert result.exit_code == 3
    summary = json.loads(Path("summary.json").read_text())
    assert list(summary) == ["schema_version", "rows", "valid", "invalid", "by_runtime", "total_monthly_cost_usd",
                             "needs_review", "needs_review_total", "blockers", "consolidation", "waves",
                             "confidence_histogram", "pricing", "regions"]
    assert summary["pricing"] == "on-demand" and summary["regions"] == {"us-east-1": 3}
    assert (summary["schema_version"], summary["rows"], summary["valid"], summary["invalid"]) == (1, 5, 3, 2)
    assert list(summary["by_runtime"]) == [*RUNTIMES, "none"]
    assert sum(v["count"] for v in summary["by_runtime"].values()) == summary["valid"]
    assert summary["total_monthly_cost_usd"] == pytest.approx(
        sum(v["monthly_cost_usd"] for v in summary["by_runtime"].values()), abs=0.01)
    reasons = {entry["row"]: entry["reason"] for entry in summary["needs_review"]}
    assert reasons[2].startswith("invalid: memory_mb='lots'") and reasons[3].startswith("invalid: row has 4")
    assert reasons[5].startswith("duplicate name 'orders-api'")
    assert summary["needs_review_total"] == len(summary["needs_review"])
    assert list(summary["blockers"]) == list(RUNTIMES)
    assert summary["blockers"]["lambda"]["max_duration_s"] == 0
    assert [c["k"] for c in summary["consolidation"]] == [1, 2, 3, 4]
    for entry in summary["consolidation"]:
        assert list(entry) == ["k", "runtimes", "fit_loss", "monthly_cost_usd", "cost_change_usd",
                               "unserved_count", "unserved"]
        assert len(entry["runtimes"]) == entry["k"]
    assert summary["consolidation"][3]["fit_loss"] == 0 and summary["consolidation"][3]["cost_change_usd"] == 0
    waves = summary["waves"]
    assert waves["k"] == 2 and waves["criterion"].startswith("2 waves asked for")
    assert sum(w["size"] for w in waves["waves"]) == summary["valid"]
    for wave in waves["waves"]:
        assert list(wave) == ["wave", "size", "dominant_runtime", "traits", "mean_confidence", "workloads"]
    histogram = summary["confidence_histogram"]
    assert histogram["bins"] == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert len(histogram["counts"]) == 10 and sum(histogram["counts"]) == summary["valid"]


def test_needs_review_is_capped_with_a_total(runner: CliRunner, isolated: Path) -> None:
    lines = ["name,memory_mb"] + [f"w{i},lots" for i in range(620)]
    Path("bad.csv").write_text("\n".join(lines) + "\n")
    result = assess(runner, "bad.csv", "--out", "out.csv", "--summary", "s.json", "--chunk-size", "200")
    assert result.exit_code == 3
    summary = json.loads(Path("s.json").read_text())
    assert len(summary["needs_review"]) == 500 and summary["needs_review_total"] == 620
    assert [e["row"] for e in summary["needs_review"]] == list(range(1, 501))
    assert summary["waves"] == {"k": 0, "criterion": "no valid workloads to plan", "waves": []}
    assert len(read_rows(isolated / "out.csv")) == 620


def test_chunks_and_workers_give_the_same_output(runner: CliRunner, isolated: Path) -> None:
    source = EXAMPLES / "portfolio.csv"
    assert assess(runner, str(source), "--out", "one.csv", "--summary", "one.json").exit_code == 0
    chunked = assess(runner, str(source), "--out", "many.csv", "--summary", "many.json", "--chunk-size", "7",
                     "--jobs", "2")
    assert chunked.exit_code == 0, chunked.output
    assert Path("one.csv").read_text() == Path("many.csv").read_text()
    one, many = json.loads(Path("one.json").read_text()), json.loads(Path("many.json").read_text())
    assert one == many


def test_garbage_collector_is_restored_after_a_run(runner: CliRunner, isolated: Path) -> None:
    """assess pauses Python's automatic garbage collection while it reads and scores (collecting once per
    chunk); the collector is on again afterwards, whether the run succeeds or stops on bad input."""
    import gc

    assert gc.isenabled()
    source = EXAMPLES / "portfolio.csv"
    assert assess(runner, str(source), "--out", "ok.csv", "--chunk-size", "7", "--jobs", "2").exit_code == 0
    assert gc.isenabled()
    Path("broken.csv").write_bytes(b"name,vcpu\nok,1\n" + "\u00e9,1\n".encode("latin-1"))
    failed = assess(runner, "broken.csv", "--out", "bad.csv", "--encoding", "utf-8", "--chunk-size", "1")
    assert failed.exit_code == 2, failed.output
    assert gc.isenabled()
    assert not Path("bad.csv").exists()


def test_workers_score_with_one_blas_thread(runner: CliRunner, isolated: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker (and the parent while it runs) limits BLAS to one thread: threaded products on small
    chunks cost more CPU than they save and compete with the other workers. The parent's own limit is
    restored afterwards."""
    import os

    from threadpoolctl import threadpool_info

    import advisor.portfolio.assess as pipeline

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    real = pipeline.assess_chunk

    def recording(context, task):  # type: ignore[no-untyped-def]
        Path(f"threads-{os.getpid()}-{task.first_row}").write_text(repr(blas_threads()))
        return real(context, task)

    monkeypatch.setattr(pipeline, "assess_chunk", recording)  # the forked workers inherit the patch
    result = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out.csv", "--chunk-size", "7", "--jobs", "2")
    assert result.exit_code == 0, result.output
    seen = {path.name: path.read_text() for path in Path().glob("threads-*")}
    assert len(seen) == 7 and {int(name.split("-")[1]) for name in seen} - {os.getpid()}  # workers did the chunks
    assert all(text in ("[1]", "[1, 1]") for text in seen.values()), seen
    assert blas_threads() == before


def test_summary_table_widens_for_huge_costs(runner: CliRunner, isolated: Path) -> None:
    """Costs in the billions (a portfolio of 2-billion-request, 10-hour jobs) used to run into the next
    column ("22,422181,944,121,268.69"); columns now widen so every cell keeps two spaces before it."""
    from advisor.portfolio.summary import format_summary

    assert assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out.csv", "--summary", "s.json").exit_code == 0
    summary = json.loads(Path("s.json").read_text())
    normal = format_summary(summary)
    for entry in summary["by_runtime"].values():
        entry["count"] *= 100_000
        entry["monthly_cost_usd"] *= 1e9
    summary["total_monthly_cost_usd"] *= 1e9
    for entry in summary["consolidation"]:
        entry["monthly_cost_usd"] *= 1e9
        entry["cost_change_usd"] *= 1e9
    huge = format_summary(summary).splitlines()
    start = next(i for i, line in enumerate(huge) if line.startswith("runtime"))
    table = huge[start:start + len(summary["by_runtime"]) + 2]
    assert [len(line.split()) for line in table] == [4] + [3] * (len(table) - 1)  # "monthly USD" is two words
    assert len({len(line) for line in table}) == 1  # right-aligned to one edge
    assert all("  " in line.rstrip() for line in table[1:])
    sets = huge[next(i for i, line in enumerate(huge) if line.startswith("standardise on")):][:1 + len(
        summary["consolidation"])]
    assert len({len(line) for line in sets}) == 1
    assert all(line.split("  ")[-1].strip().isdigit() for line in sets[1:])  # unserved count stands alone
    assert "Needs review: 1 workloads" not in normal and normal.count("\n") == len(format_summary(summary).splitlines())


def test_option_errors(runner: CliRunner, isolated: Path) -> None:
    source = str(EXAMPLES / "portfolio.csv")
    # The library names the value and the CLI names the flag that fixes it.
    for args, message in ((["--chunk-size", "0"], "chunk size 0: give a whole number of rows, at least 1 "
                                                  "(use --chunk-size)"),
                          (["--waves", "0"], "0 waves: give at least 1 wave (use --waves)"),
                          (["--jobs", "-1"], "--jobs -1"), (["--format", "ods"], "output format 'ods'"),
                          (["--workloads-per-cluster", "0"], "--workloads-per-cluster 0")):
        result = assess(runner, source, "--out", "o.csv", *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
    unknown = assess(runner, source, "--out", "results.dat")
    assert unknown.exit_code == 2 and "cannot tell the format" in unknown.stderr
    binary = assess(runner, source, "--out", "-", "--format", "parquet")
    assert binary.exit_code == 2 and "cannot be written to standard output" in binary.stderr
    nowhere = assess(runner, source, "--out", "missing/o.csv")
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr


def test_safe_dir_names_are_unique_and_tame() -> None:
    used: set[str] = set()
    assert safe_dir_name("Orders API", used) == "orders-api"
    assert safe_dir_name("orders_api", used) == "orders-api-2"
    assert safe_dir_name("../../etc/passwd", used) == "etc-passwd"
    assert safe_dir_name("Café Ünïcode", used) == "cafe-unicode"
    assert safe_dir_name("///", used) == "workload"
    long = safe_dir_name("x" * 200, used)
    assert long == "x" * 63 and safe_dir_name("x" * 200, used) == "x" * 61 + "-2"
    assert all(len(name) <= 63 and ".." not in name and "/" not in name for name in used)


def test_scaffold_writes_one_starter_per_valid_row(runner: CliRunner, isolated: Path) -> None:
    Path("in.csv").write_text("name,workload_type,containerized,memory_mb\n"
                              "../../Evil Name,http_api,yes,512MB\nbad,http_api,yes,lots\n"
                              "evil-name,queue_worker,yes,1GiB\n")
    result = assess(runner, "in.csv", "--out", "out.csv", "--scaffold", "starters")
    assert result.exit_code == 3, result.output
    folders = sorted(p.name for p in Path("starters").iterdir())
    assert folders == ["evil-name", "evil-name-2"]
    assert all(any(p.iterdir()) for p in Path("starters").iterdir())
    assert not any(p.name == "bad" for p in Path("starters").iterdir())
    assert "wrote 2 starter configuration(s)" in result.stderr


def test_report_option(runner: CliRunner, isolated: Path) -> None:
    result = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out.csv", "--report", "portfolio.html")
    assert result.exit_code == 0, result.output
    assert "s3-thumbnailer" in Path("portfolio.html").read_text()
    mapped = assess(runner, str(EXAMPLES / "cmdb-export.csv"), "--columns", str(EXAMPLES / "mapping.yaml"),
                    "--out", "cmdb.csv", "--report", "cmdb.html")
    assert mapped.exit_code == 3, mapped.output  # one invalid row; the report is still written
    assert "Claims Portal" in Path("cmdb.html").read_text()
    again = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out2.csv", "--report", "portfolio.html")
    assert again.exit_code == 2 and "portfolio.html: the report file exists (use --force" in again.stderr
    assert not Path("out2.csv").exists()  # refused before any work


def test_no_progress_bar_when_not_on_a_terminal(runner: CliRunner, isolated: Path) -> None:
    result = assess(runner, str(EXAMPLES / "portfolio.csv"), "--out", "out.csv")
    assert "assessing" not in result.stderr and "rows/s" not in result.stderr


def test_portfolio_shares_nat_gateways(runner: CliRunner, isolated: Path) -> None:
    """A portfolio's container workloads share one VPC: an API at 1M requests alone pays 2 NAT gateways x 730 h x
    $0.045 = $65.70 plus 9.537 GB x $0.045 = $0.43; in the portfolio it pays $65.70 / 50 (assume.workloads_per_vpc)
    = $1.31 of the hours and its own $0.43, so each container runtime costs $65.70 x 49/50 = $64.39 less.
    Lambda (outside a VPC) is unchanged. The row sharing nothing (network_egress none) is unchanged too."""
    from advisor.api import score_profiles
    from advisor.engine.scoring import score_frame
    from advisor.profile.fields import build_profile
    from advisor.profile.frame import profiles_to_frame

    Path("two.csv").write_text("name,workload_type,requests_per_month,network_egress\n"
                               "api,http_api,1000000,nat_gateway\nquiet,http_api,1000000,none\n")
    assert assess(runner, "two.csv", "--out", "shared.csv").exit_code == 0
    assert assess(runner, "two.csv", "--out", "alone.csv", "--no-share-platform-costs").exit_code == 0
    shared, alone = read_rows(isolated / "shared.csv"), read_rows(isolated / "alone.csv")
    for runtime in ("ecs_fargate", "ecs_ec2", "eks"):
        column = f"monthly_cost_{runtime}"
        assert float(alone[0][column]) - float(shared[0][column]) == pytest.approx(64.39, abs=0.011)
        assert shared[1][column] == alone[1][column]
    assert shared[0]["monthly_cost_lambda"] == alone[0]["monthly_cost_lambda"]
    # The line item says so; recommend (a workload alone) keeps the whole NAT gateway line.
    profile = build_profile({"name": "api", "workload_type": "http_api", "requests_per_month": 1_000_000})
    lines = score_frame(profiles_to_frame([profile]), shared_vpc=True).cost.lines["ecs_fargate"]
    assert lines["network_nat_gateway"][0] == 0
    assert lines["network_nat_gateway_share"][0] == pytest.approx(65.70 / 50 + 1e6 * 10 / 1024 / 1024 * 0.045)
    single = score_profiles([profile]).cost.lines["ecs_fargate"]
    assert single["network_nat_gateway"][0] == pytest.approx(65.70 + 1e6 * 10 / 1024 / 1024 * 0.045)
