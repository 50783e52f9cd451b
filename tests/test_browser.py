"""The HTML report in a real browser: headless Chromium renders it, screenshots it, and dumps its DOM.

No Selenium or Playwright: Chromium's own `--screenshot` and `--dump-dom` switches. The screenshot
is decoded here (zlib + struct + numpy, no imaging library) to prove the page is not blank; the
rendered DOM proves every section and chart is there after the browser has parsed the page under
its Content-Security-Policy.
"""

from __future__ import annotations

import dataclasses
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from browser_support import CHROMIUM, assert_not_blank, decode_png, run_chromium

from advisor.api import load_profile, recommend, write_report

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SECTIONS = ("decision", "axes", "scores", "cost", "break-even", "feasibility", "runtimes", "what-would-change",
            "checklist", "inputs", "knowledge")
CHARTS = ("chart-radar", "chart-scores", "chart-cost", "chart-break-even")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs Debian's chromium package)")


def test_png_decoder_reads_every_filter_type() -> None:
    """The decoder itself, on a PNG built here with each of the five filters (known pixels)."""
    width, height, channels = 5, 5, 3
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(height, width * channels), dtype=np.int32)
    raw = bytearray()
    previous = np.zeros(width * channels, dtype=np.int32)
    for y in range(height):
        line, kind = pixels[y], y % 5
        left = np.concatenate([np.zeros(channels, dtype=np.int32), line[:-channels]])
        up_left = np.concatenate([np.zeros(channels, dtype=np.int32), previous[:-channels]])
        if kind == 0:
            filtered = line
        elif kind == 1:
            filtered = line - left
        elif kind == 2:
            filtered = line - previous
        elif kind == 3:
            filtered = line - (left + previous) // 2
        else:
            p = left + previous - up_left
            pa, pb, pc = np.abs(p - left), np.abs(p - previous), np.abs(p - up_left)
            predictor = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, previous, up_left))
            filtered = line - predictor
        raw += bytes([kind]) + bytes((filtered & 0xFF).astype(np.uint8))
        previous = line

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))
    assert np.array_equal(decode_png(png), pixels.reshape(height, width, channels).astype(np.uint8))
    with pytest.raises(AssertionError, match="blank"):
        assert_not_blank(np.full((40, 40, 3), 255, dtype=np.uint8))


# ------------------------------------------------------------------------------------------ the reports
class DomIndex(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: set[str] = set()
        self.svg_ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if values.get("data-section"):
            self.sections.add(str(values["data-section"]))
        if tag == "svg" and values.get("id"):
            self.svg_ids.add(str(values["id"]))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("browser")
    starter = folder / "starter" / "template.yaml"
    starter.parent.mkdir()
    starter.write_text("Resources: {}\n", encoding="utf-8")
    out: dict[str, Path] = {}
    # The thumbnailer (every runtime feasible) and a hostile copy of the nightly ETL (blockers on Lambda).
    for name, example, args in (
            ("thumbnailer", "thumbnailer", []),
            ("hostile", "nightly-etl", ["name=<script>alert(1)</script>",
                                        "description={{ 7*7 }} <img src=x onerror=alert(1)>"])):
        profile = load_profile(str(EXAMPLES / f"{example}.yaml"), args)
        rec = recommend(profile)
        similar = [{"name": "reference <b>one</b>", "accepted": ["lambda"], "rationale": "r", "source": "s"}]
        rec = dataclasses.replace(rec, extra={**rec.extra, "similar": similar})
        out[name] = write_report(rec, profile, folder / f"{name}.html", starter_files=[starter])[0]
    md = write_report(rec, profile, folder / "hostile.md")
    out["svg"] = next(p for p in md if p.name.endswith(".break-even.svg"))
    return out


@pytest.mark.parametrize("name", ["thumbnailer", "hostile"])
def test_report_renders_in_chromium_with_every_section_and_chart(reports: dict[str, Path], name: str,
                                                                 tmp_path: Path) -> None:
    page = reports[name]
    shot = tmp_path / "shot.png"
    # One browser run both screenshots the page and prints the DOM it rendered.
    dom = run_chromium([f"--screenshot={shot}", "--dump-dom", "--window-size=1280,2000", page.as_uri()],
                       tmp_path / "profile")
    assert dom.returncode == 0 and shot.exists(), f"Chromium failed: {dom.stderr[-2000:]}"
    pixels = decode_png(shot.read_bytes())
    assert pixels.shape[:2] == (2000, 1280)
    assert_not_blank(pixels)

    index = DomIndex()
    index.feed(dom.stdout)
    assert set(SECTIONS) | {"similar", "starter-files"} <= index.sections, index.sections
    assert set(CHARTS) <= index.svg_ids
    # Only the report's own two script elements (the priorities data and the script that re-weights it).
    assert index.tags.count("script") == 2 and "img" not in index.tags and "b" not in index.tags
    assert "priorities" in index.sections  # the priority sliders, shown by the script under the page's CSP
    if name == "hostile":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout and "{{ 7*7 }}" in dom.stdout
        assert 'data-constraint="max_duration_s"' in dom.stdout  # the blockers table rendered


def test_standalone_svg_chart_renders_in_chromium(reports: dict[str, Path], tmp_path: Path) -> None:
    shot = tmp_path / "svg.png"
    result = run_chromium([f"--screenshot={shot}", "--window-size=800,420", reports["svg"].as_uri()],
                          tmp_path / "profile")
    assert shot.exists(), result.stderr[-2000:]
    assert_not_blank(decode_png(shot.read_bytes()))
