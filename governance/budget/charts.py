"""Bar charts drawn on the server as SVG: no script, readable without colour (patterns and
labels), always shown with the table of their numbers.

Drawn on a 360-unit-wide canvas, about the width a 390 px phone gives them, so that their
13-unit text is read at 12 px or more there; every number is written by the caller's
formatter (``label``), in the reader's locale."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

COLOURS = ["#1d5c3a", "#b35c00", "#3d4f9f"]
WIDTH = 360
FONT = 13
LINE = 18  # height of a line of text
CHAR = FONT * 0.6  # a generous average width of one character


def _svg(title: str, height: float, parts: list[str]) -> Markup:
    head = (
        f'<svg viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}" '
        f'class="chart" font-size="{FONT}"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(parts) + "</svg>")  # noqa: S704 — every text in it is escaped


def _fit(text: str, room: float) -> str:
    """Cut a label to the room it has (the table under the chart gives it whole)."""
    chars = max(1, int(room / CHAR))
    return text if len(text) <= chars else text[: max(1, chars - 1)] + "…"


def _wrap(text: str, room: float, most: int = 3) -> list[str]:
    """Words on as many lines as they need (``most`` at the outside, the last one cut)."""
    chars = max(1, int(room / CHAR))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    return [_fit(line, room) for line in lines] or [""]


def _lines(x: float, y: float, lines: list[str], anchor: str = "start") -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{spans}</text>'


def bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    label: Callable[[float], str],
) -> Markup:
    """Grouped vertical bars; negative values go below the axis. ``label`` writes a value."""
    left, plot_top, plot = 4, LINE + 4, 150
    values = [v for _name, vs in series for v in vs] or [0]
    high, low = max(0.0, *values), min(0.0, *values)
    span = (high - low) or 1
    zero = plot_top + plot * high / span
    group_w = (WIDTH - 2 * left) / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    # Categories that do not fit side by side are named one in `step`, on two lines at most.
    # Few categories wrap their words; many (months) are named one in `step`, on one line.
    words = (w for c in categories for w in (c.split() if len(categories) <= 4 else [c]))
    widest = max((len(w) for w in words), default=1) * CHAR
    step = max(1, math.ceil((widest + 4) / group_w))
    names = [_wrap(c, group_w * step - 4, 2) for c in categories]
    axis_y = plot_top + plot + LINE
    parts = [
        f'<text x="{left}" y="{LINE - 4}">{escape(label(high))}</text>',
        f'<line x1="{left}" x2="{WIDTH}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#1b1b1b"/>',
    ]
    if low < 0:
        parts.append(f'<text x="{left}" y="{axis_y - 4}">{escape(label(low))}</text>')
        axis_y += LINE
    for g, _category in enumerate(categories):
        x0 = left + g * group_w + group_w * 0.1
        for s, (_name, vs) in enumerate(series):
            if g >= len(vs):  # a shorter series (a scenario over fewer months) ends there
                continue
            v = vs[g]
            h = plot * abs(v) / span
            y = zero - h if v >= 0 else zero
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{y:.1f}" width="{max(1.0, bar_w - 2):.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[s % 3]}"/>'
            )
        if g % step == 0:  # centred under its bars, but never past the chart's edges
            half = max(len(line) for line in names[g]) * CHAR / 2
            x = min(max(left + g * group_w + group_w / 2, half), WIDTH - half)
            parts.append(_lines(x, axis_y, names[g], "middle"))
    y = axis_y + LINE * (max((len(n) for n in names), default=1) - 1)
    for s, (name, _vs) in enumerate(series):
        lines = _wrap(name, WIDTH - left - 20)
        y += LINE
        parts.append(
            f'<rect x="{left}" y="{y - 11}" width="12" height="12" fill="{COLOURS[s % 3]}"/>'
            + _lines(left + 18, y, lines)
        )
        y += LINE * (len(lines) - 1)
    return _svg(title, y + 8, parts)


def rows(title: str, items: Sequence[tuple[str, float]], label: Callable[[float], str]) -> Markup:
    """One horizontal bar per item, its name above it and its value at its end: long names
    (kinds of points of sale) stay whole on a phone."""
    high = max((v for _n, v in items), default=0) or 1
    parts: list[str] = []
    y = 0.0
    for name, value in items:
        text = label(value)
        room = WIDTH - 8 - len(text) * CHAR - 6
        parts.append(_lines(4, y + LINE - 4, [_fit(name, WIDTH - 8)]))
        w = max(1.0, room * max(0.0, value) / high)
        parts.append(
            f'<rect x="4" y="{y + LINE + 2:.1f}" width="{w:.1f}" height="14" fill="{COLOURS[0]}"/>'
            f'<text x="{4 + w + 6:.1f}" y="{y + LINE + 14:.1f}">{escape(text)}</text>'
        )
        y += 2 * LINE + 6
    return _svg(title, y + 4, parts)
