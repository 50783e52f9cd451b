"""The portfolio report's charts: a histogram of first-place confidence and how often each constraint
blocks each runtime, as accessible inline SVG (from the aggregated summary, so they cost the same for
any portfolio size)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor import RUNTIME_LABELS
from advisor.outputs.reports import charts
from advisor.outputs.reports.charts import esc

if TYPE_CHECKING:

    from advisor.outputs.reports.portfolio import BlockerLine


# --------------------------------------------------------------------------------------------- charts
def _tick_step(span: float, target: int = 5) -> float:
    """A round tick spacing (1, 2, 2.5 or 5 times a power of ten) giving about `target` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    return next((f * magnitude for f in (1, 2, 2.5, 5) if raw <= f * magnitude), 10 * magnitude)


def histogram_chart(chart_id: str, title: str, bins: Sequence[float], counts: Sequence[int],
                    threshold: float) -> str:
    """Vertical bars of workloads per confidence bin; bins below `threshold` are marked as needing a look."""
    left, top, plot_width, plot_height, right = 64, 48, 520, 220, 24
    width, height = left + plot_width + right, top + plot_height + 74
    highest = max([*counts, 0]) or 1
    step = float(max(1, math.ceil(_tick_step(highest))))  # whole workloads
    ceiling = math.ceil(highest / step - 1e-9) * step
    low_colour, high_colour = charts.OKABE_ITO["vermillion"], charts.OKABE_ITO["blue"]
    description = "; ".join(f"{bins[i]:.1f} to {bins[i + 1]:.1f}: {c:,} workloads" for i, c in enumerate(counts))
    parts = charts.svg_open(chart_id, "histogram", title, width, height, description)
    base = top + plot_height
    tick = 0.0
    while tick <= ceiling + 1e-9:
        y = base - plot_height * tick / ceiling
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" stroke="{charts.GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{charts.MUTED}" '
                     f'font-size="10">{tick:,.0f}</text>')
        tick += step
    n = max(len(counts), 1)
    slot = plot_width / n
    for i, count in enumerate(counts):
        x = left + slot * i
        bar = plot_height * count / ceiling
        below = bins[i + 1] <= threshold + 1e-9
        colour = low_colour if below else high_colour
        parts.append(f'<g class="bin" data-bin="{bins[i]:.1f}-{bins[i + 1]:.1f}" data-count="{count}" '
                     f'data-review="{int(below)}">'
                     f'<rect x="{x + 3:.1f}" y="{base - bar:.1f}" width="{slot - 6:.1f}" height="{bar:.1f}" '
                     f'fill="{colour}" stroke="{colour}"/>'
                     f'<text x="{x + slot / 2:.1f}" y="{base - bar - 4:.1f}" text-anchor="middle" '
                     f'fill="{charts.INK}" font-size="11">{count:,}</text></g>')
    for i, edge in enumerate(bins):
        x = left + slot * i
        parts.append(f'<text x="{x:.1f}" y="{base + 15}" text-anchor="middle" fill="{charts.MUTED}" '
                     f'font-size="10">{edge:.1f}</text>')
    if bins and bins[0] <= threshold <= bins[-1]:
        x = left + plot_width * (threshold - bins[0]) / ((bins[-1] - bins[0]) or 1)
        parts.append(f'<g class="marker" data-marker="low-confidence"><line x1="{x:.1f}" y1="{top - 6}" '
                     f'x2="{x:.1f}" y2="{base}" stroke="{charts.INK}" stroke-width="1.5" stroke-dasharray="4 3"/>'
                     f'<text x="{x - 4:.1f}" y="{top + 6}" text-anchor="end" fill="{low_colour}" '
                     f'font-size="11" font-weight="bold">needs a human look (below {threshold:g})</text></g>')
    parts.append(f'<text x="{left + plot_width / 2:g}" y="{base + 34}" text-anchor="middle" fill="{charts.MUTED}">'
                 f'confidence: share of plausible priority weightings under which first place holds</text>')
    parts.append(f'<text transform="translate(16 {top + plot_height / 2:g}) rotate(-90)" text-anchor="middle" '
                 f'fill="{charts.MUTED}">workloads</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def blocker_chart(chart_id: str, title: str, lines: Sequence[BlockerLine], valid: int, most: int) -> str:
    """Grouped horizontal bars: for each constraint, how many workloads it blocks on each runtime.

    Each bar is labelled with the runtime's name and the count, so the chart reads without colour.
    """
    shown = [line for line in lines if line.most > 0][:most]
    label_width, plot_width, right = 178, 330, 190
    width = label_width + plot_width + right
    bar_height, gap = 13, 4
    group_heights = [max(1, sum(1 for c in line.counts.values() if c)) * (bar_height + gap) + 10 for line in shown]
    top = 44
    axis_y = top + sum(group_heights) + 4
    height = axis_y + (50 if shown else 40)
    highest = max([line.most for line in shown] + [0]) or 1
    step = float(max(1, math.ceil(_tick_step(highest))))  # whole workloads
    ceiling = math.ceil(highest / step - 1e-9) * step
    description = "; ".join(
        f"{line.constraint}: " + ", ".join(f"{RUNTIME_LABELS[rt]} {c:,}" for rt, c in line.counts.items() if c)
        for line in shown) or "no workload is blocked on any runtime"
    parts = charts.svg_open(chart_id, "grouped-bars", title, width, height, description)
    if not shown:
        parts.append(f'<text x="{width / 2:g}" y="{top + 8}" text-anchor="middle" fill="{charts.MUTED}">'
                     f'No hard limit blocks any workload on any runtime.</text></svg>')
        return "\n".join(parts)
    parts += charts.x_axis(label_width, plot_width, ceiling, step, top - 4, axis_y, "{:,.0f}",
                           f"workloads blocked (of {valid:,} assessed)", axis_y + 32)
    y = top
    for line, group in zip(shown, group_heights, strict=True):
        parts.append(f'<g class="constraint" data-constraint="{esc(line.constraint)}">')
        parts.append(f'<text x="{label_width - 10}" y="{y + bar_height}" text-anchor="end" font-weight="bold" '
                     f'fill="{charts.INK}">{esc(line.constraint)}</text>')
        row = y
        for runtime, count in line.counts.items():
            if not count:
                continue
            length = max(1.0, plot_width * count / ceiling)
            colour = charts.RUNTIME_COLOURS[runtime]
            parts.append(f'<rect x="{label_width}" y="{row:.1f}" width="{length:.1f}" height="{bar_height}" '
                         f'fill="{colour}" data-runtime="{esc(runtime)}"/>')
            parts.append(f'<text x="{label_width + length + 5:.1f}" y="{row + bar_height - 2:.1f}" '
                         f'fill="{charts.INK}" font-size="11">{esc(RUNTIME_LABELS[runtime])} {count:,}</text>')
            row += bar_height + gap
        parts.append(f'<line x1="4" y1="{y + group - 4:.1f}" x2="{width - 4}" y2="{y + group - 4:.1f}" '
                     f'stroke="{charts.GRID}" stroke-dasharray="2 3"/></g>')
        y += group
    parts.append("</svg>")
    return "\n".join(parts)
