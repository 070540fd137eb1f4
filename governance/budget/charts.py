"""Bar charts drawn on the server as SVG: no script, readable without colour (patterns and
labels), always shown with the table of their numbers."""

from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ["#1d5c3a", "#b35c00", "#3d4f9f"]


def bars(
    title: str, categories: list[str], series: list[tuple[str, list[float]]], unit: str = "€"
) -> Markup:
    """Grouped vertical bars; negative values go below the axis."""
    width, height, left, bottom, top = 640, 260, 56, 40, 16
    values = [v for _name, vs in series for v in vs] or [0]
    high, low = max(0.0, *values), min(0.0, *values)
    span = (high - low) or 1
    plot = height - bottom - top
    zero = top + plot * high / span
    group_w = (width - left - 8) / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'class="chart"><title>{escape(title)}</title>',
        f'<line x1="{left}" x2="{width}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#1b1b1b"/>',
    ]
    for g, category in enumerate(categories):
        x0 = left + g * group_w + group_w * 0.1
        for s, (_name, vs) in enumerate(series):
            v = vs[g]
            h = plot * abs(v) / span
            y = zero - h if v >= 0 else zero
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[s % 3]}"/>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{height - 22}" font-size="12" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    for s, (name, _vs) in enumerate(series):
        parts.append(
            f'<rect x="{left + s * 200}" y="{height - 12}" width="10" height="10" '
            f'fill="{COLOURS[s % 3]}"/><text x="{left + s * 200 + 14}" '
            f'y="{height - 3}" font-size="12">{escape(name[:28])}</text>'
        )
    parts.append(f'<text x="4" y="{top + 10}" font-size="12">{high:,.0f} {escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text in it is escaped above
