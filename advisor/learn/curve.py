"""The learning curve: nested accuracy of rules, model and blend against the number of labelled workloads.

For each size, a stratified subsample of the corpus (seeded) is evaluated with the same nested
cross-validation as `advisor model evaluate`; several subsamples per size are averaged. The curve is
drawn as a small, dependency-free SVG, so a reader can see whether more labelled workloads would
still help (a curve still rising at the full corpus) or not (a flat one).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np

from advisor.errors import UsageError
from advisor.files import write_text_atomic
from advisor.learn.train import (
    DEFAULT_FOLDS,
    DEFAULT_SEED,
    INNER_FOLDS,
    LabelledRows,
    nested_evaluate,
    wilson_interval,
)

DEFAULT_FRACTIONS: tuple[float, ...] = (0.3, 0.45, 0.6, 0.75, 0.9, 1.0)
DEFAULT_REPEATS = 3
SCORERS = ("rules", "model", "blend")


@dataclass(frozen=True)
class CurvePoint:
    """Mean nested accuracy over the repeats at one corpus size, with a 95% Wilson interval at that size."""

    rows: int
    accuracy: dict[str, float]
    interval: dict[str, tuple[float, float]]


def stratified_subsample(preferred: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """`size` row indices keeping each preferred runtime's share (at least one row of each), sorted."""
    n = len(preferred)
    if size >= n:
        return np.arange(n)
    chosen: list[np.ndarray] = []
    values, counts = np.unique(preferred, return_counts=True)
    quotas = np.maximum(1, np.floor(counts * size / n).astype(int))
    # hand out the rows lost to rounding, largest remainders first (stable, so reproducible)
    remainder = counts * size / n - np.floor(counts * size / n)
    for i in np.argsort(-remainder, kind="stable")[: max(0, size - int(quotas.sum()))]:
        quotas[i] += 1
    for value, quota in zip(values, quotas, strict=True):
        members = np.flatnonzero(preferred == value)
        chosen.append(rng.choice(members, size=min(quota, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))


def learning_curve(data: LabelledRows, fractions: Sequence[float] = DEFAULT_FRACTIONS,
                   repeats: int = DEFAULT_REPEATS, seed: int = DEFAULT_SEED, folds: int = DEFAULT_FOLDS,
                   inner_folds: int = INNER_FOLDS) -> list[CurvePoint]:
    """Nested accuracy at each fraction of the corpus (mean of `repeats` seeded subsamples and fold seeds)."""
    points = []
    for fraction in fractions:
        size = max(folds * inner_folds, round(fraction * len(data)))
        correct = {name: 0 for name in SCORERS}
        for repeat in range(repeats):
            rng = np.random.default_rng([seed, repeat, size])
            sample = data.subset(stratified_subsample(data.preferred, size, rng))
            evaluation = nested_evaluate(sample, seed=seed + repeat, folds=folds, inner_folds=inner_folds)
            for name in SCORERS:
                correct[name] += int(getattr(evaluation, name).correct.sum())
        rows = min(size, len(data))
        accuracy = {name: correct[name] / (repeats * rows) for name in SCORERS}
        interval = {name: wilson_interval(round(accuracy[name] * rows), rows) for name in SCORERS}
        points.append(CurvePoint(rows, accuracy, interval))
    return points


# ---------------------------------------------------------------------------------- the picture

WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 40, 56
STYLE = {"rules": ("rules alone", "#555555"), "model": ("model alone", "#1f77b4"), "blend": ("blend", "#d62728")}


def render_svg(points: Sequence[CurvePoint], title: str) -> str:
    """The curve as SVG text: one line per scorer, its 95% interval shaded, corpus sizes on the x axis."""
    lows = [p.interval[name][0] for p in points for name in SCORERS]
    y_min = max(0.0, math.floor(min(lows) * 20) / 20)
    y_max = 1.0
    x_max = max(p.rows for p in points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + x / x_max * plot_w

    def py(y: float) -> float:
        return TOP + (y_max - y) / max(y_max - y_min, 1e-9) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>",
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2:.0f}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>']
    for i in range(round((y_max - y_min) / 0.05) + 1):
        y = y_min + i * 0.05
        out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + plot_w}" y2="{py(y):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.2f}</text>')
    for p in points:
        out.append(f'<line x1="{px(p.rows):.1f}" y1="{TOP + plot_h}" x2="{px(p.rows):.1f}" y2="{TOP + plot_h + 4}" '
                   'stroke="black"/>')
        out.append(f'<text x="{px(p.rows):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{p.rows}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 14}" text-anchor="middle">'
               "labelled reference workloads used</text>")
    middle = TOP + plot_h / 2
    out.append(f'<text x="16" y="{middle:.0f}" text-anchor="middle" transform="rotate(-90 16 {middle:.0f})">'
               "nested first-place accuracy</text>")
    for name in SCORERS:
        label, colour = STYLE[name]
        band = [(px(p.rows), py(p.interval[name][1])) for p in points]
        band += [(px(p.rows), py(p.interval[name][0])) for p in reversed(points)]
        out.append('<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in band)
                   + f'" fill="{colour}" fill-opacity="0.08" stroke="none"/>')
        line = " ".join(f"{px(p.rows):.1f},{py(p.accuracy[name]):.1f}" for p in points)
        out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2">'
                   f"<title>{escape(label)}</title></polyline>")
        for p in points:
            out.append(f'<circle cx="{px(p.rows):.1f}" cy="{py(p.accuracy[name]):.1f}" r="3" fill="{colour}">'
                       f"<title>{escape(label)}: {p.accuracy[name]:.3f} at {p.rows} rows</title></circle>")
    for i, name in enumerate(SCORERS):
        label, colour = STYLE[name]
        y = TOP + 14 + i * 20
        out.append(f'<line x1="{LEFT + plot_w + 14}" y1="{y}" x2="{LEFT + plot_w + 34}" y2="{y}" stroke="{colour}" '
                   'stroke-width="2"/>')
        out.append(f'<text x="{LEFT + plot_w + 40}" y="{y + 4}">{escape(label)}</text>')
    out.append(f'<text x="{LEFT + plot_w + 14}" y="{TOP + 84}" fill="#555555">shaded: 95% interval</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def format_curve(points: Sequence[CurvePoint]) -> str:
    """The curve's numbers as a plain text table (what `advisor model curve` prints)."""
    lines = [f"{'rows':>5}  " + "  ".join(f"{STYLE[name][0] + ' (95%)':>26}" for name in SCORERS)]
    for p in points:
        cells = "  ".join(f"{p.accuracy[name]:.3f} ({p.interval[name][0]:.3f}-{p.interval[name][1]:.3f})".rjust(26)
                          for name in SCORERS)
        lines.append(f"{p.rows:>5}  {cells}")
    return "\n".join(lines) + "\n"


def save_svg(text: str, path: str | os.PathLike[str]) -> Path:
    """Write the SVG atomically (a temporary file, then a rename)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{target}: is a folder; give a file path such as {target / 'learning-curve.svg'}")
    return write_text_atomic(target, text)
