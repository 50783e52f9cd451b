"""Decision reports: content, the `advisor report` command, safe writing and hostile input."""

from __future__ import annotations

import dataclasses
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from advisor import RUNTIMES
from advisor.api import load_profile, recommend, write_report
from advisor.cli.app import app
from advisor.errors import KnowledgeBaseError, OutputExistsError, UsageError
from advisor.outputs.reports.charts import OKABE_ITO, RUNTIME_COLOURS
from advisor.outputs.reports.inline import script_hash
from advisor.outputs.reports.interactive import DATA_ELEMENT_ID, SCRIPT_FILE

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SECTIONS = ("decision", "axes", "scores", "cost", "break-even", "feasibility", "runtimes", "what-would-change",
            "checklist", "inputs", "knowledge")
CHARTS = ("chart-radar", "chart-scores", "chart-cost", "chart-break-even")
SCRIPT_TEXT = (REPO / "advisor" / "templates" / "reports" / SCRIPT_FILE).read_text("utf-8")
HOSTILE_NAME = "<script>alert(1)</script>\"'&{{ 7*7 }}|x"
HOSTILE_DESCRIPTION = ("<img src=x onerror=alert(1)> [click](javascript:alert(1)) "
                       "<a href=\"javascript:alert(2)\">a</a> {{ 7*7 }} {% if true %}TEMPLATE{% endif %} "
                       "| cell | `tick` <b>bold</b>")


class Page(HTMLParser):
    """Collects what matters for safety and structure from an HTML page (script texts apart from its text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: tuple[dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = (dict(attrs), [])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        else:
            self.text.append(data)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}

    def sections(self) -> set[str]:
        return {a["data-section"] for _, a in self.tags if a.get("data-section")}


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def csp_of(page: Page) -> str:
    found = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(found) == 1 and found[0]
    return str(found[0])


def assert_nothing_live(page: Page) -> None:
    """Only the report's own scripts, no event-handler attribute, no javascript: (or data:) link anywhere.

    The page holds at most two script elements: the priorities data (type application/json, which a
    browser never runs) and the report's own inline script, the only one its CSP allows (by hash).
    """
    assert [t for t, _ in page.tags].count("script") == len(page.scripts) <= 2
    for attrs, text in page.scripts:
        if attrs.get("type") == "application/json":
            assert attrs == {"type": "application/json", "id": DATA_ELEMENT_ID}
            assert "<" not in text and ">" not in text and "&" not in text  # nothing can end the block
        else:
            assert attrs == {} and text == SCRIPT_TEXT
            assert f"script-src {script_hash(text)};" in csp_of(page)
    for tag, attrs in page.tags:
        assert tag not in ("iframe", "object", "embed", "frame", "base"), tag
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name, value)
            if name.lower() in ("href", "src", "xlink:href", "action", "formaction"):
                link = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
                assert not link.startswith(("javascript:", "data:", "vbscript:")), (tag, name, value)


@pytest.fixture(scope="module")
def thumbnailer():
    """The thumbnailer example, without the optional `similar` field (tests add it where they need it)."""
    profile = load_profile(str(EXAMPLES / "thumbnailer.yaml"))
    rec = recommend(profile)
    return profile, dataclasses.replace(rec, extra={k: v for k, v in rec.extra.items() if k != "similar"})


def test_html_report_is_self_contained_with_every_section_and_chart(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    out = tmp_path / "decision.html"
    assert write_report(rec, profile, out) == [out]
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert SECTIONS and set(SECTIONS) <= page.sections()
    assert set(CHARTS) <= page.ids()
    csp = csp_of(page)
    assert "default-src 'none'" in csp and f"script-src {script_hash(SCRIPT_TEXT)};" in csp
    assert "connect-src" not in csp and "unsafe-inline'; img" in csp  # styles inline; scripts only by hash
    # No external requests: no link or img element, no script from a file, no url() in CSS, no http(s) resource.
    assert not [t for t, _ in page.tags if t in ("link", "img", "iframe")]
    assert not [a for t, a in page.tags if t == "script" and a.get("src")]
    assert len(page.scripts) == 2  # the priorities data and the script that re-weights it
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    assert not [a for _, a in page.tags if any((a.get(k) or "").startswith(("http:", "https:", "//"))
                                                for k in ("src", "href"))]
    assert "@media print" in html
    assert_nothing_live(page)
    text = " ".join(" ".join(page.text).split())
    assert "Run it on AWS Lambda." in text
    assert "runner-up" in text.lower() and "ECS on Fargate" in text
    assert f"high ({rec.confidence:.2f})" in text
    for as_of in rec.knowledge_as_of.values():
        assert as_of in text
    assert "Similar reference workloads" not in text  # only when the learned-model issue provides them


def test_html_report_shows_the_cost_breakdown_blockers_and_assumed_inputs(tmp_path: Path) -> None:
    profile = load_profile(str(EXAMPLES / "nightly-etl.yaml"))
    rec = recommend(profile)
    out = tmp_path / "etl.htm"
    write_report(rec, profile, out)
    page = parse(out.read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    lam = rec.result("lambda")
    assert lam.blockers
    rows = [a for t, a in page.tags if t == "tr" and a.get("data-constraint")]
    assert {(a["data-runtime"], a["data-constraint"]) for a in rows} == {
        (r.runtime, b.constraint) for r in rec.ranking for b in r.blockers}
    for blocker in lam.blockers:
        assert blocker.source in text and blocker.message in text
    for item in rec.result("ecs_fargate").cost_breakdown:
        assert item.replace("_", " ") in text
    assumed = {a["data-input"] for t, a in page.tags if t == "tr" and "assumed" in (a.get("class") or "")}
    assert assumed == set(profile.assumed_defaults)
    assert "Best-practice checklist for ECS on Fargate" in text


def test_blocker_see_also_citations_reach_the_reports_and_the_table(tmp_path: Path) -> None:
    """A blocker that names alternatives (Lambda's 15-minute limit: durable functions, Step Functions)
    carries their citations; the HTML report, the Markdown record and the terminal table show them, not
    only the JSON (they used to be JSON only)."""
    from typer.testing import CliRunner

    profile = load_profile(str(EXAMPLES / "nightly-etl.yaml"))
    rec = recommend(profile)
    duration = next(b for b in rec.result("lambda").blockers if b.constraint == "max_duration_s")
    assert len(duration.see_also) >= 2 and all("https://docs.aws.amazon.com/" in c for c in duration.see_also)
    write_report(rec, profile, tmp_path / "etl.html")
    page = parse((tmp_path / "etl.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    for citation in duration.see_also:
        assert " ".join(citation.split()) in text
    write_report(rec, profile, tmp_path / "etl.md")
    markdown = (tmp_path / "etl.md").read_text(encoding="utf-8")
    row = next(line for line in markdown.splitlines() if "`max_duration_s`" in line and "AWS Lambda" in line)
    assert "see also:" in row and "durable-basic-concepts.html" in row and "concepts-standard-vs-express.html" in row
    shown = CliRunner().invoke(app, ["recommend", str(EXAMPLES / "nightly-etl.yaml"), "--format", "table"],
                               env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("see also: ") >= len(duration.see_also)
    assert "durable-basic-concepts.html" in shown.output


def test_charts_use_the_colour_blind_safe_palette_and_name_their_units(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    out = tmp_path / "d.md"
    written = write_report(rec, profile, out)
    svgs = {p.name: p.read_text(encoding="utf-8") for p in written if p.suffix == ".svg"}
    assert set(svgs) == {"d.radar.svg", "d.scores.svg", "d.cost.svg", "d.break-even.svg"}
    palette = {c.lower() for c in OKABE_ITO.values()}
    for name, svg in svgs.items():
        root = ET.fromstring(svg.split("?>", 1)[1])  # well-formed XML
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title") is not None and root.find(f"{ns}title").text
        colours = {c.lower() for c in re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', svg)}
        data_colours = colours - {"#ffffff", "#1a1a1a", "#5c5c5c", "#d9d9d9"}
        assert data_colours and data_colours <= palette, (name, data_colours - palette)
        for runtime in RUNTIMES:
            assert RUNTIME_COLOURS[runtime].lower() in colours, (name, runtime)
    assert "US dollars per month" in svgs["d.cost.svg"]
    assert "0 to 1" in svgs["d.scores.svg"]
    assert "per month (log scale)" in svgs["d.break-even.svg"]
    assert "this workload: 3M/month" in svgs["d.break-even.svg"]
    for axis in ("simplicity", "flexibility", "agility", "hybridity"):
        assert axis in svgs["d.radar.svg"]


def test_break_even_rescoring_matches_the_recommendation_at_the_workloads_volume(thumbnailer) -> None:
    from advisor.outputs.reports.context import break_even

    profile, rec = thumbnailer
    curve = break_even(profile, rec)
    at = curve.volumes.index(profile.requests_per_month)
    for result in rec.ranking:
        assert curve.costs[result.runtime][at] == pytest.approx(result.monthly_cost_usd, abs=0.01)
    assert curve.volumes[0] < profile.requests_per_month < curve.volumes[-1]
    lam = curve.costs["lambda"]
    assert lam[0] < lam[-1], "Lambda's cost grows with requests"


def test_markdown_record_follows_madr_and_links_its_charts(tmp_path: Path) -> None:
    profile = load_profile(str(EXAMPLES / "orders-api.yaml"))
    rec = recommend(profile)
    out = tmp_path / "decision.md"
    written = write_report(rec, profile, out)
    assert written[0] == out and len(written) == 5
    text = out.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# Run orders-api on Amazon EKS"
    for heading in ("## Context and Problem Statement", "## Decision Drivers", "## Considered Options",
                    "## Decision Outcome", "### Consequences", "## Pros and Cons of the Options"):
        assert heading in headings
    assert "- Status: proposed" in text
    for path in written[1:]:
        assert f"]({path.name})" in text and path.exists()
    assert 'Chosen option: "Amazon EKS"' in text


def test_similar_workloads_are_shown_when_provided(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    similar = [{"name": "image-resizer", "accepted": ["lambda", "ecs_fargate"], "rationale": "short <b>events</b>",
                "source": "corpus"}]
    rec = dataclasses.replace(rec, extra={**rec.extra, "similar": similar})
    write_report(rec, profile, tmp_path / "s.html")
    write_report(rec, profile, tmp_path / "s.md")
    page = parse((tmp_path / "s.html").read_text(encoding="utf-8"))
    assert "similar" in page.sections()
    assert "short <b>events</b>" in " ".join(page.text)  # shown as text, not markup
    assert not [t for t, _ in page.tags if t == "b"]
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "| image-resizer | lambda, ecs\\_fargate | short &lt;b&gt;events&lt;/b&gt; | corpus |" in md


def test_no_feasible_runtime_still_reports(tmp_path: Path) -> None:
    profile = load_profile(None, ["name=too-big", "gpu=16"])  # more GPUs than any instance, within the bound
    rec = recommend(profile)
    assert rec.recommendation is None
    write_report(rec, profile, tmp_path / "n.html")
    write_report(rec, profile, tmp_path / "n.md")
    text = " ".join(" ".join(parse((tmp_path / "n.html").read_text("utf-8")).text).split())
    assert "No runtime can run this workload as described." in text
    assert (tmp_path / "n.md").read_text("utf-8").startswith("# No AWS runtime fits too-big as described")


def test_starter_file_links_are_relative_and_escaped(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    starter = tmp_path / "starter"
    starter.mkdir()
    files = [starter / "template.yaml", starter / "javascript:alert(1).yaml", starter / "a b&<c>.tf"]
    for path in files:
        path.write_text("x", encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    write_report(rec, profile, reports / "r.html", starter_files=files)
    write_report(rec, profile, reports / "r.md", starter_files=files)
    page = parse((reports / "r.html").read_text("utf-8"))
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs == ["../starter/template.yaml", "../starter/javascript%3Aalert%281%29.yaml",
                     "../starter/a%20b%26%3Cc%3E.tf"]
    assert_nothing_live(page)
    for href in hrefs:  # each link resolves to the file it names
        from urllib.parse import unquote

        assert (reports / unquote(href)).resolve() in [f.resolve() for f in files]
    md = (reports / "r.md").read_text("utf-8")
    assert "[../starter/a b&amp;&lt;c&gt;.tf](../starter/a%20b%26%3Cc%3E.tf)" in md
    # A starter file in the report's own folder gets a ./ link, never a bare scheme-like one.
    same = reports / "javascript:x.yaml"
    same.write_text("x", encoding="utf-8")
    write_report(rec, profile, reports / "same.html", starter_files=[same])
    assert [a["href"] for t, a in parse((reports / "same.html").read_text("utf-8")).tags if t == "a"] == [
        "./javascript%3Ax.yaml"]


# ------------------------------------------------------------------------------------------ hostile input
@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile")
    profile = load_profile(None, [f"name={HOSTILE_NAME}", f"description={HOSTILE_DESCRIPTION}",
                                  "max_duration_s=16min"])
    rec = recommend(profile)
    similar = [{"name": HOSTILE_NAME, "accepted": ["<script>x</script>"], "rationale": HOSTILE_DESCRIPTION,
                "source": "javascript:alert(3)"}]
    rec = dataclasses.replace(rec, extra={**rec.extra, "similar": similar})
    starter = folder / "javascript:alert(1)<x>.yaml"
    starter.write_text("x", encoding="utf-8")
    written = write_report(rec, profile, folder / "h.html", starter_files=[starter])
    written += write_report(rec, profile, folder / "h.md", starter_files=[starter])
    return profile, written


def test_hostile_text_is_never_live_in_the_html_report(hostile) -> None:
    _, written = hostile
    html = written[0].read_text("utf-8")
    page = parse(html)
    assert_nothing_live(page)
    assert "<script>alert(1)</script>" not in html and "<img" not in html
    text = " ".join(page.text)
    assert HOSTILE_NAME in text  # shown to the reader as text, intact
    assert "{{ 7*7 }}" in text and "{% if true %}TEMPLATE{% endif %}" in text  # never evaluated
    assert not re.search(r"(?<![\d.$])49(?![\d.])", text.replace(HOSTILE_NAME, ""))
    assert len(page.sections()) >= len(SECTIONS)  # the document structure survived


def test_hostile_text_is_never_live_in_the_markdown_record(hostile) -> None:
    from markdown_it import MarkdownIt

    _, written = hostile
    md_path = next(p for p in written if p.suffix == ".md")
    md = md_path.read_text("utf-8")
    assert "<" not in md and ">" not in md.replace("&gt;", "")  # no raw HTML at all
    assert "{{ 7\\*7 }}" in md or "{{ 7*7 }}" in md
    assert "TEMPLATE{% endif %}" in md
    # Render it as a Markdown viewer would, raw HTML allowed, and check nothing became live.
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    page = parse(rendered)
    assert_nothing_live(page)
    assert not [t for t, _ in page.tags if t in ("script", "b", "i")]
    images = sorted(a.get("src") or "" for t, a in page.tags if t == "img")
    assert images == sorted(p.name for p in written if p.suffix == ".svg")  # only the record's own charts
    hrefs = [a.get("href") or a.get("src") for t, a in page.tags if t in ("a", "img")]
    assert all(h and h.startswith(("./", "../", "h.")) for h in hrefs), hrefs
    # Table pipes in user text are escaped: every table row has as many cells as its header.
    for table in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table


def test_hostile_text_is_escaped_in_every_svg_chart(hostile) -> None:
    _, written = hostile
    svgs = [p for p in written if p.suffix == ".svg"]
    assert len(svgs) == 4
    for path in svgs:
        text = path.read_text("utf-8")
        root = ET.fromstring(text.split("?>", 1)[1])
        for element in root.iter():
            assert not element.tag.endswith("script")
            assert not [k for k in element.attrib if k.lower().startswith("on")]
        titles = [e.text for e in root.iter() if e.tag.endswith("title")]
        assert any(HOSTILE_NAME in (t or "") for t in titles)


# ------------------------------------------------------------------------------------------ writing files
def test_existing_files_are_not_overwritten_without_force(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    out = tmp_path / "d.md"
    chart = tmp_path / "d.break-even.svg"
    chart.write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"d\.break-even\.svg"):
        write_report(rec, profile, out)
    assert chart.read_text("utf-8") == "mine" and not out.exists()  # nothing at all was written
    write_report(rec, profile, out, force=True)
    assert chart.read_text("utf-8").startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["d.md", "d.radar.svg", "d.scores.svg", "d.cost.svg", "d.break-even.svg"])  # no temp files left


def test_unknown_suffix_and_missing_folder_are_usage_errors(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    with pytest.raises(UsageError, match=r"\.html, \.htm or \.md"):
        write_report(rec, profile, tmp_path / "d.pdf")
    with pytest.raises(UsageError, match=r"does not exist"):
        write_report(rec, profile, tmp_path / "missing" / "d.html")


def test_the_checklist_covers_every_runtime_and_topic() -> None:
    from advisor.outputs.reports.context import checklists

    lists = checklists()
    assert set(lists) == set(RUNTIMES)
    for runtime, topics in lists.items():
        names = " ".join(t["topic"].lower() for t in topics)
        for topic in ("size and build speed", "scanning", "standardisation", "automatic updates", "running",
                      "networking", "storage", "security", "scaling"):
            assert topic in names, (runtime, topic)


def test_a_broken_checklist_names_the_file_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from advisor.outputs.reports import context

    context.checklists.cache_clear()
    real = yaml.safe_load
    monkeypatch.setattr(yaml, "safe_load", lambda text: {**real(text), "runtimes": {
        **real(text)["runtimes"], "eks": [{"topic": "Scaling", "items": []}]}})
    try:
        with pytest.raises(KnowledgeBaseError, match=r"checklists\.yaml: runtimes\.eks\[0\]"):
            context.checklists()
    finally:
        monkeypatch.undo()
        context.checklists.cache_clear()


def test_markdown_escaping_keeps_text_and_removes_markup() -> None:
    from advisor.outputs.reports.environment import MarkdownSafe, markdown_escape

    assert markdown_escape("a|b <i>c</i> [x](y) `z` \\ #") == \
        "a\\|b &lt;i&gt;c&lt;/i&gt; \\[x\\](y) \\`z\\` \\\\ \\#"
    assert markdown_escape("two\nlines") == "two lines"
    assert markdown_escape(MarkdownSafe("[ok](x.svg)")) == "[ok](x.svg)"


def test_the_environment_is_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    from advisor.outputs.reports.environment import environment

    for target in ("html", "markdown"):
        env = environment(target)
        assert env.undefined is jinja2.StrictUndefined
        with pytest.raises(jinja2.UndefinedError):
            env.from_string("{{ missing }}").render()
    assert environment("html").autoescape is True
    assert environment("html").from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert environment("markdown").from_string("{{ x }}").render(x="<b>|") == "&lt;b&gt;\\|"


# ------------------------------------------------------------------------------------------ the command
def test_report_command_writes_html_and_markdown(runner, isolated: Path) -> None:
    example = str(EXAMPLES / "nightly-etl.yaml")
    result = runner.invoke(app, ["report", example, "--out", "decision.html"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "wrote decision.html"
    assert (isolated / "decision.html").stat().st_size > 10_000
    result = runner.invoke(app, ["report", example, "--out", "decision.md", "--set", "k8s_experience=expert",
                                 "--free-tier"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 5
    md = (isolated / "decision.md").read_text("utf-8")
    assert "| `k8s_experience` | expert | given |" in md
    assert "after the Lambda free tier" in md


def test_report_command_refuses_to_overwrite_without_force(runner, isolated: Path) -> None:
    example = str(EXAMPLES / "thumbnailer.yaml")
    (isolated / "d.html").write_text("keep", encoding="utf-8")
    result = runner.invoke(app, ["report", example, "--out", "d.html"])
    assert result.exit_code == 2
    assert "d.html: the report file exists (use --force to replace it)" in result.stderr
    assert (isolated / "d.html").read_text("utf-8") == "keep"
    result = runner.invoke(app, ["report", example, "--out", "d.html", "--force"])
    assert result.exit_code == 0, result.output
    assert (isolated / "d.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in isolated.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "d.pdf"], "must end in .html, .htm or .md"),
    ([], "give --out FILE.html or --out FILE.md"),
    (["--out", "nowhere/d.html"], "does not exist"),
])
def test_report_command_usage_errors(runner, isolated: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLES / "thumbnailer.yaml"), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_report_command_names_the_bad_field(runner, isolated: Path) -> None:
    (isolated / "p.yaml").write_text("name: x\nmemory_mb: lots\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "p.yaml", "--out", "d.html"])
    assert result.exit_code == 2
    assert "p.yaml" in result.stderr and "memory_mb='lots'" in result.stderr
    assert not (isolated / "d.html").exists()
    result = runner.invoke(app, ["report", "absent.yaml", "--out", "d.html"])
    assert result.exit_code == 2 and "absent.yaml: no such file" in result.stderr


def test_report_command_has_help(runner) -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    assert "decision report" in result.stdout and "--force" in result.stdout


def test_report_help_does_not_import_heavy_libraries() -> None:
    import subprocess
    import sys

    code = ("import sys, advisor.cli.app; "
            "print(sorted(m for m in ('pandas', 'numpy', 'jinja2', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.stdout.strip() == "[]"


def test_reports_get_the_usual_file_permissions(tmp_path: Path, thumbnailer) -> None:
    profile, rec = thumbnailer
    mask = os.umask(0o022)
    try:
        for path in write_report(rec, profile, tmp_path / "p.md"):
            assert path.stat().st_mode & 0o777 == 0o644, path
    finally:
        os.umask(mask)
