"""Headless Chromium for the browser tests: find it, run it, and read its PNG screenshots.

Shared by tests/test_browser.py (single-workload report) and tests/test_browser_portfolio.py, which use
Chromium's own `--screenshot` and `--dump-dom` switches, and tests/test_browser_priorities.py, which drives
the page through Playwright's Python package with this same system Chromium (`launch_browser`: by its
path, never a downloaded browser). Screenshots are decoded with zlib + struct + numpy (no imaging
library) to prove a page is not blank.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import numpy as np

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--force-device-scale-factor=1")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()


def launch_browser(playwright: Any) -> Any:
    """The system Chromium under Playwright, with the same switches (no sandbox, no network on its own)."""
    assert CHROMIUM
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_FLAGS))


def run_chromium(args: list[str], profile_dir: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


# ------------------------------------------------------------------------------------------ PNG decoding
def decode_png(data: bytes) -> np.ndarray:
    """The pixels of an 8-bit, non-interlaced greyscale/RGB/RGBA PNG as an (h, w, channels) uint8 array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, idat, header = 8, bytearray(), None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0]:
            raise AssertionError(f"bad CRC in the {kind!r} chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    assert header is not None, "no IHDR chunk"
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    assert depth == 8 and channels and interlace == 0, f"unsupported PNG layout {header}"
    raw = np.frombuffer(zlib.decompress(bytes(idat)), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            current = line
        elif kind == 1:  # Sub: running sum per channel along the row
            current = np.cumsum(line.reshape(width, channels), axis=0).reshape(-1) & 0xFF
        elif kind == 2:  # Up
            current = (line + previous) & 0xFF
        elif kind in (3, 4):  # Average, Paeth: depend on the pixel to the left, so byte by byte
            current = np.zeros(stride, dtype=np.int32)
            left_line, up_line = line.tolist(), previous.tolist()
            result = [0] * stride
            for i in range(stride):
                a = result[i - channels] if i >= channels else 0
                b = up_line[i]
                if kind == 3:
                    result[i] = (left_line[i] + (a + b) // 2) & 0xFF
                else:
                    c = up_line[i - channels] if i >= channels else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    result[i] = (left_line[i] + predictor) & 0xFF
            current = np.array(result, dtype=np.int32)
        else:
            raise AssertionError(f"unknown PNG filter {kind} on row {y}")
        out[y] = current
        previous = current
    return out.reshape(height, width, channels)


def assert_not_blank(pixels: np.ndarray) -> None:
    """A rendered report has many colours and a good share of non-background pixels."""
    rgb = pixels[..., :3].reshape(-1, 3).astype(np.int32) if pixels.shape[-1] >= 3 else \
        np.repeat(pixels[..., :1].reshape(-1, 1).astype(np.int32), 3, axis=1)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    colours, counts = np.unique(packed[::3], return_counts=True)  # every third pixel is plenty to count colours
    background_share = counts.max() / counts.sum()
    assert len(colours) >= 50, f"only {len(colours)} distinct colours: the page looks blank"
    assert background_share < 0.97, f"{background_share:.1%} of the page is one colour"
    # Each runtime's Okabe-Ito colour is on screen: the charts were drawn, not just the text.
    for hex_colour in ("E69F00", "56B4E9", "009E73", "0072B2"):
        target = np.array([int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.int32)
        close = (np.abs(rgb - target) <= 8).all(axis=1)
        assert close.sum() > 100, f"#{hex_colour} is not drawn"
