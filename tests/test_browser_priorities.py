"""The HTML report's priority sliders in real Chromium, driven by Playwright: the page re-ranks as the engine.

For three bundled profiles (every runtime feasible; Lambda blocked; Lambda and Fargate blocked) the test
sets the five sliders to random weightings and reads the page: first place, every runtime's score in the
table, the table order, the score bars and the weights must equal what the engine gives for the profile
with those priorities (`advisor recommend PROFILE --set priority_...=N`, learned blend included). Then the
reset control, the priorities in the URL fragment, the page without JavaScript, and a hostile workload
name. One browser for the module and one page per profile keep it fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_support import CHROMIUM, launch_browser
from playwright.sync_api import Browser, Page, sync_playwright

from advisor import RUNTIMES
from advisor.api import load_profile, recommend, score_profiles, write_report
from advisor.engine.explain import Recommendation, explain_row
from advisor.engine.scoring import COMPONENTS
from advisor.outputs.reports import write_report as write_without_blend
from advisor.profile.fields import PRIORITY_FIELDS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
PROFILES = ("thumbnailer", "nightly-etl", "gpu-trainer")
RANDOM_WEIGHTINGS = 20
EDGE_WEIGHTINGS = ((0, 0, 0, 0, 0), (5, 5, 5, 5, 5), (0, 0, 0, 0, 5), (5, 0, 0, 0, 0), (0, 5, 0, 5, 0))
HOSTILE_NAME = "<script>alert(1)</script>\"'&{{ 7*7 }}</script><!--"
HOSTILE_DESCRIPTION = "<img src=x onerror=alert(2)> javascript:alert(3) \u2028 {% if true %}T{% endif %}"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs Debian's chromium package)")

READ_PAGE = """(runtimes) => {
  const text = (selector) => {
    const node = document.querySelector(selector);
    return node ? node.textContent : null;
  };
  const out = {recommendation: document.querySelector('[data-recommendation]').getAttribute('data-recommendation'),
               answer: text('[data-field="answer"]'), chosen: text('[data-field="chosen"]'),
               runner_up: text('[data-value="runner_up"]'), hash: window.location.hash,
               order: Array.from(document.querySelectorAll('table[data-table="scores"] tbody tr'))
                        .map((row) => row.getAttribute('data-runtime')),
               scores: {}, places: {}, bars: {}, weights: {}, sliders: {},
               stale: Array.from(document.querySelectorAll('[data-stale]')).map((node) => !node.hidden),
               panel_hidden: document.getElementById('priorities').hidden};
  for (const rt of runtimes) {
    out.scores[rt] = text('[data-score-runtime="' + rt + '"]');
    out.places[rt] = text('[data-place-runtime="' + rt + '"]');
  }
  const labels = JSON.parse(document.getElementById('advisor-priorities-data').textContent).labels;
  for (const bar of document.querySelectorAll('#chart-scores g.bar')) {
    const rt = runtimes.find((r) => labels[r] === bar.getAttribute('data-label'));
    const texts = bar.querySelectorAll('text');
    out.bars[rt] = {top: bar.getBoundingClientRect().top, text: texts[texts.length - 1].textContent};
  }
  for (const input of document.querySelectorAll('#priorities input[type=range]')) {
    const component = input.name.replace('priority_', '');
    out.sliders[component] = Number(input.value);
    out.weights[component] = text('output[data-weight="' + component + '"]');
  }
  return out;
}"""


def read_page(page: Page) -> dict[str, Any]:
    """What the page shows now: first place, scores, places, table order, bars, weights, sliders, notes."""
    state: dict[str, Any] = page.evaluate(READ_PAGE, list(RUNTIMES))
    return state


def engine(example: str, weightings: list[tuple[int, ...]]) -> list[Recommendation]:
    """The engine's answer for the profile with each weighting set as `--set priority_...=N` would."""
    profiles = [load_profile(str(EXAMPLES / f"{example}.yaml"), assignments(w)) for w in weightings]
    scored = score_profiles(profiles)  # one vectorised pass through the same engine `recommend` uses
    return [explain_row(scored, i) for i in range(len(profiles))]


def assignments(weighting: tuple[int, ...]) -> list[str]:
    return [f"{field}={value}" for field, value in zip(PRIORITY_FIELDS, weighting, strict=True)]


SET_SLIDERS = """(values) => {
  for (const [component, value] of Object.entries(values)) {
    const input = document.querySelector('input[name="priority_' + component + '"]');
    if (input.value !== String(value)) {
      input.value = String(value);
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
  }
}"""


def set_sliders(page: Page, weighting: tuple[int, ...]) -> None:
    """Move each slider whose value changes, one `input` event each, as a reader dragging it would."""
    page.evaluate(SET_SLIDERS, dict(zip(COMPONENTS, weighting, strict=True)))


def assert_page_matches(state: dict[str, Any], expected: Recommendation, weighting: tuple[int, ...]) -> None:
    where = f"priorities {dict(zip(COMPONENTS, weighting, strict=True))}"
    assert state["recommendation"] == (expected.recommendation or ""), where
    assert state["scores"] == {r.runtime: f"{r.score:.3f}" for r in expected.ranking}, where
    assert state["order"] == [r.runtime for r in expected.ranking], where
    assert state["places"] == {r.runtime: str(place) for place, r in enumerate(expected.ranking, start=1)}, where
    feasible = [r.feasible for r in expected.ranking]
    assert feasible == sorted(feasible, reverse=True), where  # infeasible runtimes never above feasible ones
    assert state["weights"] == {c: f"{expected.weights[c]:.2f}" for c in COMPONENTS}, where
    assert state["sliders"] == dict(zip(COMPONENTS, weighting, strict=True)), where
    bars = sorted(RUNTIMES, key=lambda rt: state["bars"][rt]["top"])
    assert bars == state["order"], where  # the score bars follow the ranking, first place on top
    for result in expected.ranking:
        suffix = "" if result.feasible else " (not feasible)"
        assert state["bars"][result.runtime]["text"] == f"{result.score:.3f}{suffix}", where
    if expected.recommendation:
        chosen = next(r for r in expected.ranking if r.runtime == expected.recommendation)
        assert state["answer"] == f"Run it on {chosen_label(expected)}."
        assert state["chosen"] == f"{chosen_label(expected)} (score {chosen.score:.3f})"


def chosen_label(recommendation: Recommendation) -> str:
    from advisor import RUNTIME_LABELS

    return RUNTIME_LABELS[recommendation.recommendation or ""]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch_browser(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("priorities")
    out = {}
    for example in PROFILES:
        profile = load_profile(str(EXAMPLES / f"{example}.yaml"))
        out[example] = write_report(recommend(profile), profile, folder / f"{example}.html")[0]
    return out


def open_page(browser: Browser, url: str, errors: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda request: errors.append(f"request: {request.url}")
            if not request.url.startswith("file:") else None)
    page.goto(url)
    return page


@pytest.mark.parametrize("example", PROFILES)
def test_sliders_rank_exactly_as_the_engine(browser: Browser, pages: dict[str, Path], example: str) -> None:
    rng = np.random.default_rng(sum(map(ord, example)))
    weightings = [tuple(int(v) for v in rng.integers(0, 6, size=5)) for _ in range(RANDOM_WEIGHTINGS)]
    weightings += list(EDGE_WEIGHTINGS)
    expected = engine(example, weightings)
    errors: list[str] = []
    page = open_page(browser, pages[example].as_uri(), errors)
    try:
        state = read_page(page)
        assert not state["panel_hidden"], "the script did not run (is its hash in the page's CSP?)"
        assert not any(state["stale"]) and state["hash"] == ""
        profile = load_profile(str(EXAMPLES / f"{example}.yaml"))
        original = tuple(int(getattr(profile, field)) for field in PRIORITY_FIELDS)
        assert_page_matches(state, recommend(profile), original)
        firsts = set()
        for weighting, answer in zip(weightings, expected, strict=True):
            set_sliders(page, weighting)
            state = read_page(page)
            assert_page_matches(state, answer, weighting)
            assert any(state["stale"]) == (weighting != original)  # confidence etc. say which priorities
            firsts.add(answer.recommendation)
        assert len(firsts) >= 2, f"{example}: the weightings never moved first place, so the test proves little"

        # Reset: the profile's priorities, the original ranking, and no fragment left in the address.
        set_sliders(page, tuple(5 - p for p in original))
        page.locator("[data-action=reset]").click()
        state = read_page(page)
        assert_page_matches(state, recommend(profile), original)
        assert state["hash"] == "" and not any(state["stale"])
    finally:
        page.close()
    assert errors == []


def test_the_command_line_gives_the_numbers_the_page_compares_with(pages: dict[str, Path]) -> None:
    """`advisor recommend PROFILE --set priority_...=N --format json` agrees with the batch the test uses."""
    from typer.testing import CliRunner

    from advisor.cli.app import app

    weighting = (1, 4, 0, 5, 2)
    for example in PROFILES:
        args = ["recommend", str(EXAMPLES / f"{example}.yaml"), "--format", "json"]
        for assignment in assignments(weighting):
            args += ["--set", assignment]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        [expected] = engine(example, [weighting])
        assert data["recommendation"] == expected.recommendation
        assert [(r["runtime"], r["score"]) for r in data["ranking"]] == [(r.runtime, r.score) for r in expected.ranking]


def test_priorities_travel_in_the_url_fragment(browser: Browser, pages: dict[str, Path]) -> None:
    example = "nightly-etl"
    weighting = (0, 5, 1, 4, 0)
    errors: list[str] = []
    page = open_page(browser, pages[example].as_uri(), errors)
    try:
        for component, value in zip(COMPONENTS, weighting, strict=True):  # real input: Playwright's fill
            page.locator(f'input[name="priority_{component}"]').fill(str(value))
        shared = page.url
        assert page.evaluate("() => window.location.hash") == "#" + "&".join(assignments(weighting))
    finally:
        page.close()
    [expected] = engine(example, [weighting])
    opened = open_page(browser, shared, errors)  # a shared link opens the same ranking
    try:
        state = read_page(opened)
        assert_page_matches(state, expected, weighting)
        assert all(state["stale"][:3])
        # Editing the fragment by hand re-ranks too; a part of it that is not a priority 0-5 is ignored.
        profile = load_profile(str(EXAMPLES / f"{example}.yaml"))
        partial = tuple(5 if c == "cost" else int(getattr(profile, f"priority_{c}")) for c in COMPONENTS)
        opened.evaluate("() => { window.location.hash = 'priority_cost=5&priority_agility=9&x=<b>&%E0%A4%A'; }")
        opened.wait_for_function("() => document.querySelector('input[name=priority_cost]').value === '5'")
        [expected] = engine(example, [partial])
        assert_page_matches(read_page(opened), expected, partial)
    finally:
        opened.close()
    assert errors == []


def test_without_javascript_the_page_reads_as_before(browser: Browser, pages: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """With scripts off the sliders stay hidden and the page's text is that of the page without them."""
    example = "gpu-trainer"
    profile = load_profile(str(EXAMPLES / f"{example}.yaml"))
    static = write_without_blend(recommend(profile), profile, tmp_path / "static.html")[0]  # no sliders at all
    assert "<script" not in static.read_text("utf-8")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        texts = []
        for path in (pages[example], static):
            page = context.new_page()
            page.goto(path.as_uri())
            texts.append(page.inner_text("body"))
            if path == pages[example]:
                assert not page.is_visible("#priorities") and not page.is_visible("[data-stale]")
            page.close()
        assert texts[0] == texts[1]
    finally:
        context.close()


def test_hostile_names_stay_inert_while_the_sliders_move(browser: Browser, tmp_path: Path) -> None:
    profile = load_profile(str(EXAMPLES / "nightly-etl.yaml"),
                           [f"name={HOSTILE_NAME}", f"description={HOSTILE_DESCRIPTION}"])
    path = write_report(recommend(profile), profile, tmp_path / "hostile.html")[0]
    data = path.read_text("utf-8").split('id="advisor-priorities-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and HOSTILE_NAME not in data  # the data holds numbers and advisor's own labels
    errors: list[str] = []
    page = open_page(browser, path.as_uri(), errors)
    try:
        assert page.is_visible("#priorities")
        for weighting in ((0, 0, 0, 0, 5), (5, 5, 0, 0, 0), (1, 2, 3, 4, 5)):
            set_sliders(page, weighting)
        assert page.text_content('[data-field="name"]') == HOSTILE_NAME
        assert page.text_content('[data-field="description"]') == HOSTILE_DESCRIPTION
        assert page.evaluate("() => document.querySelectorAll('script').length") == 2
        assert page.evaluate("() => document.querySelectorAll('img, iframe, object, embed').length") == 0
    finally:
        page.close()
    assert errors == []
