"""Inline SVG charts for reports: radar, horizontal bars and log-scale lines, as plain strings.

No plotting library and no script: each function returns one `<svg>` element with a title, a
text description of the values, text labels and the unit named. Colours come from the Okabe-Ito
colour-blind-safe palette, and every series also differs by dash pattern and marker shape, so a
chart still reads in grey or on paper. Every piece of text passes through `esc` (XML escaping).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

from advisor import RUNTIME_LABELS

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
}
RUNTIME_COLOURS = {"lambda": OKABE_ITO["orange"], "ecs_fargate": OKABE_ITO["sky_blue"],
                   "ecs_ec2": OKABE_ITO["bluish_green"], "eks": OKABE_ITO["blue"]}
RUNTIME_DASHES = {"lambda": "", "ecs_fargate": "7 4", "ecs_ec2": "2 3", "eks": "10 3 2 3"}
RUNTIME_MARKERS = {"lambda": "circle", "ecs_fargate": "square", "ecs_ec2": "triangle", "eks": "diamond"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
INK = "#1a1a1a"
MUTED = "#5c5c5c"
GRID = "#d9d9d9"


def esc(text: object) -> str:
    """XML-escape text for element content and attribute values (quotes included)."""
    return _xml_escape(str(text), {'"': "&quot;", "'": "&apos;"})


@dataclass(frozen=True)
class Series:
    """How one series is drawn: its label, colour, dash pattern and marker shape."""

    key: str
    label: str
    colour: str
    dash: str = ""
    marker: str = "circle"


def runtime_series(runtime: str, suffix: str = "") -> Series:
    """The fixed look of a runtime in every chart of every report."""
    return Series(runtime, RUNTIME_LABELS[runtime] + suffix, RUNTIME_COLOURS[runtime], RUNTIME_DASHES[runtime],
                  RUNTIME_MARKERS[runtime])


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value (None for no value), the text printed beside it, and its look."""

    label: str
    value: float | None
    text: str
    colour: str = OKABE_ITO["blue"]
    muted: bool = False


def svg_open(chart_id: str, kind: str, title: str, width: int, height: int, description: str) -> list[str]:
    """The opening of every chart: the <svg> element with its title, description, background and heading."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{esc(chart_id)}" data-chart="{esc(kind)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{esc(chart_id)}-title {esc(chart_id)}-desc" font-family="{esc(FONT)}" font-size="12">',
        f'<title id="{esc(chart_id)}-title">{esc(title)}</title>',
        f'<desc id="{esc(chart_id)}-desc">{esc(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:g}" y="22" text-anchor="middle" font-size="15" font-weight="bold" '
        f'fill="{INK}">{esc(title)}</text>',
    ]


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    if shape == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')
    corners = {
        "triangle": ((0, -1.2), (1.1, 0.9), (-1.1, 0.9)),
        "diamond": ((0, -1.3), (1, 0), (0, 1.3), (-1, 0)),
    }.get(shape)
    if corners:
        points = " ".join(f"{x + dx * size:.1f},{y + dy * size:.1f}" for dx, dy in corners)
        return f'<polygon points="{points}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{esc(dash)}"' if dash else ""


def _legend(series: Sequence[Series], x: float, y: float, notes: Sequence[str] = ()) -> list[str]:
    parts = []
    for index, item in enumerate(series):
        row = y + index * 22
        parts.append(f'<g class="legend-item" data-series="{esc(item.key)}">'
                     f'<line x1="{x:g}" y1="{row:g}" x2="{x + 26:g}" y2="{row:g}" stroke="{item.colour}" '
                     f'stroke-width="2.5"{_dash(item.dash)}/>{_marker(item.marker, x + 13, row, item.colour)}'
                     f'<text x="{x + 32:g}" y="{row + 4:g}" fill="{INK}">{esc(item.label)}</text></g>')
    for index, note in enumerate(notes):
        parts.append(f'<text x="{x:g}" y="{y + (len(series) + index) * 22 + 4:g}" fill="{MUTED}" '
                     f'font-size="11">{esc(note)}</text>')
    return parts


def radar_chart(chart_id: str, title: str, axes: Sequence[str],
                series: Sequence[tuple[Series, Sequence[float]]], note: str = "") -> str:
    """A radar (spider) chart of values in [0, 1] on each axis, one closed outline per series."""
    width, height, cx, cy, radius = 640, 430, 245, 235, 145
    description = "; ".join(f"{s.label}: " + ", ".join(f"{a} {v:.2f}" for a, v in zip(axes, values, strict=True))
                            for s, values in series)
    parts = svg_open(chart_id, "radar", title, width, height, description)
    count = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + radius * value * math.cos(angle), cy + radius * value * math.sin(angle)

    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{cx + 4:g}" y="{cy - radius * ring + 12:.1f}" fill="{MUTED}" '
                     f'font-size="10">{ring:.2f}</text>')
    for index, axis in enumerate(axes):
        x, y = point(index, 1.0)
        lx, ly = point(index, 1.13)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" font-weight="bold" '
                     f'fill="{INK}">{esc(axis)}</text>')
    for item, values in series:
        points = [point(i, max(0.0, min(1.0, float(v)))) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<g class="series" data-series="{esc(item.key)}">'
                     f'<polygon points="{path}" fill="{item.colour}" fill-opacity="0.08" stroke="{item.colour}" '
                     f'stroke-width="2.5"{_dash(item.dash)}/>'
                     + "".join(_marker(item.marker, x, y, item.colour) for x, y in points) + "</g>")
    parts += _legend([s for s, _ in series], 450, 90, [note] if note else ["fit from 0 (poor) to 1 (best)"])
    parts.append("</svg>")
    return "\n".join(parts)


def _nice_step(span: float, target: int = 5) -> float:
    if span <= 0:
        return 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def x_axis(left: float, plot_width: float, top: float, step: float, y_top: float, axis_y: float,
           tick_format: str, caption: str, caption_y: float) -> list[str]:
    """Vertical grid lines with their tick labels from 0 to `top` every `step`, and the axis caption."""
    parts = []
    tick = 0.0
    while tick <= top + 1e-9:
        x = left + plot_width * tick / top
        parts.append(f'<line x1="{x:.1f}" y1="{y_top}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="{MUTED}" '
                     f'font-size="10">{esc(tick_format.format(tick))}</text>')
        tick += step
    parts.append(f'<text x="{left + plot_width / 2:g}" y="{caption_y}" text-anchor="middle" '
                 f'fill="{MUTED}">{esc(caption)}</text>')
    return parts


BAR_LABEL_WIDTH = 150
"""Where the bars of a bar chart start (the labels sit to their left)."""
BAR_PLOT_WIDTH = 330
"""The length of a bar at the top of the scale."""
BAR_ROW_HEIGHT = 30
"""Vertical distance between two bars."""


def bar_scale(bars: Sequence[Bar], maximum: float | None = None) -> tuple[float, float]:
    """(top of the scale, tick step) of a bar chart: `maximum` or the largest value, rounded up to a tick."""
    values = [b.value for b in bars if b.value is not None and math.isfinite(b.value)]
    top = maximum if maximum is not None else max([*values, 0.0]) or 1.0
    step = _nice_step(top)
    return math.ceil(top / step - 1e-9) * step, step


def bar_chart(chart_id: str, title: str, unit: str, bars: Sequence[Bar], maximum: float | None = None,
              tick_format: str = "{:g}") -> str:
    """Horizontal bars with their value printed beside them; `unit` names what the axis counts."""
    label_width, plot_width, right = BAR_LABEL_WIDTH, BAR_PLOT_WIDTH, 150
    width = label_width + plot_width + right
    height = 62 + BAR_ROW_HEIGHT * len(bars) + 34
    top, step = bar_scale(bars, maximum)
    description = "; ".join(f"{b.label}: {b.text}" for b in bars) + f" ({unit})"
    parts = svg_open(chart_id, "bars", title, width, height, description)
    base_y = 44
    axis_y = base_y + BAR_ROW_HEIGHT * len(bars) + 6
    parts += x_axis(label_width, plot_width, top, step, base_y - 4, axis_y, tick_format, unit, axis_y + 30)
    for index, bar in enumerate(bars):
        y = base_y + BAR_ROW_HEIGHT * index
        parts.append(f'<g class="bar" data-label="{esc(bar.label)}">')
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="{INK}">{esc(bar.label)}</text>')
        length = 0.0
        if bar.value is not None and math.isfinite(bar.value) and top > 0:
            length = max(0.0, plot_width * min(bar.value, top) / top)
            opacity = "0.35" if bar.muted else "1"
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="20" fill="{bar.colour}" '
                         f'fill-opacity="{opacity}" stroke="{bar.colour}" stroke-width="1"/>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 17}" fill="{INK}">{esc(bar.text)}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts)


def _log_ticks(low: float, high: float) -> list[float]:
    return [10.0 ** e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def line_chart(chart_id: str, title: str, x_label: str, y_label: str,
               series: Sequence[tuple[Series, Sequence[float], Sequence[float | None]]],
               x_format: str = "count", y_format: str = "usd",
               mark_x: float | None = None, mark_label: str = "", notes: Sequence[str] = ()) -> str:
    """Lines on log-log axes (for cost against volume); `mark_x` draws a labelled vertical marker."""
    left, top_margin, plot_width, plot_height, right = 74, 40, 500, 300, 210
    width, height = left + plot_width + right, top_margin + plot_height + 58
    xs_all = [x for _, xs, _ in series for x in xs if x > 0]
    ys_all = [y for _, _, ys in series for y in ys if y is not None and math.isfinite(y) and y > 0]
    x_low, x_high = (min(xs_all), max(xs_all)) if xs_all else (1.0, 10.0)
    y_low, y_high = (min(ys_all), max(ys_all)) if ys_all else (1.0, 10.0)
    y_low = 10.0 ** math.floor(math.log10(y_low))
    y_high = 10.0 ** math.ceil(math.log10(y_high)) if y_high > y_low else y_low * 10
    x_span = math.log10(x_high) - math.log10(x_low) or 1.0
    y_span = math.log10(y_high) - math.log10(y_low) or 1.0

    def sx(x: float) -> float:
        return left + plot_width * (math.log10(x) - math.log10(x_low)) / x_span

    def sy(y: float) -> float:
        return top_margin + plot_height * (1 - (math.log10(max(y, y_low)) - math.log10(y_low)) / y_span)

    description = "; ".join(
        f"{s.label}: " + ", ".join(f"{_format(x, x_format)} -> {_format(y, y_format)}"
                                  for x, y in zip(xs, ys, strict=True) if y is not None)
        for s, xs, ys in series)
    parts = svg_open(chart_id, "lines", title, width, height, description)
    parts.append(f'<rect x="{left}" y="{top_margin}" width="{plot_width}" height="{plot_height}" fill="none" '
                 f'stroke="{GRID}"/>')
    for tick in _log_ticks(x_low, x_high):
        if x_low <= tick * 1.0001 and tick <= x_high * 1.0001:
            x = sx(tick)
            parts.append(f'<line x1="{x:.1f}" y1="{top_margin}" x2="{x:.1f}" y2="{top_margin + plot_height}" '
                         f'stroke="{GRID}"/>')
            parts.append(f'<text x="{x:.1f}" y="{top_margin + plot_height + 16}" text-anchor="middle" '
                         f'fill="{MUTED}" font-size="10">{esc(_format(tick, x_format))}</text>')
    for tick in _log_ticks(y_low, y_high):
        if y_low <= tick * 1.0001 and tick <= y_high * 1.0001:
            y = sy(tick)
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" stroke="{GRID}"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}" '
                         f'font-size="10">{esc(_format(tick, y_format))}</text>')
    parts.append(f'<text x="{left + plot_width / 2:g}" y="{top_margin + plot_height + 36}" text-anchor="middle" '
                 f'fill="{MUTED}">{esc(x_label)}</text>')
    parts.append(f'<text transform="translate(16 {top_margin + plot_height / 2:g}) rotate(-90)" '
                 f'text-anchor="middle" fill="{MUTED}">{esc(y_label)}</text>')
    for item, xs, ys in series:
        segments: list[list[tuple[float, float]]] = [[]]
        for px, py in zip(xs, ys, strict=True):
            if py is None or not math.isfinite(py) or px <= 0:
                segments.append([])
                continue
            segments[-1].append((sx(px), sy(py)))
        paths = "".join(
            f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in segment)}" fill="none" '
            f'stroke="{item.colour}" stroke-width="2.5"{_dash(item.dash)}/>'
            for segment in segments if len(segment) > 1)
        parts.append(f'<g class="series" data-series="{esc(item.key)}">{paths}</g>')
    if mark_x is not None and x_low <= mark_x <= x_high:
        x = sx(mark_x)
        parts.append(f'<g class="marker" data-marker="volume"><line x1="{x:.1f}" y1="{top_margin}" x2="{x:.1f}" '
                     f'y2="{top_margin + plot_height}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/>'
                     f'<text x="{x + 4:.1f}" y="{top_margin + 12}" fill="{INK}" font-size="11">'
                     f'{esc(mark_label)}</text>')
        for item, xs, ys in series:
            value = _at(xs, ys, mark_x)
            if value is not None:
                parts.append(_marker(item.marker, x, sy(value), item.colour, 5))
        parts.append("</g>")
    parts += _legend([s for s, _, _ in series], left + plot_width + 18, top_margin + 14, notes)
    parts.append("</svg>")
    return "\n".join(parts)


def _at(xs: Sequence[float], ys: Sequence[float | None], x: float) -> float | None:
    for px, py in zip(xs, ys, strict=True):
        if abs(px - x) <= 1e-9 * max(1.0, abs(x)):
            return py if py is not None and math.isfinite(py) and py > 0 else None
    return None


def _format(value: float, kind: str) -> str:
    if kind == "usd":
        if value >= 1000:
            return f"${value / 1000:g}k" if value < 1e6 else f"${value / 1e6:g}M"
        return f"${value:,.2f}" if value < 1 else f"${value:,.0f}"
    from advisor.profile.units import format_count

    return format_count(value)
