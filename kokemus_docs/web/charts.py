"""Bar charts as inline SVG, drawn on the server (no script, no external resource; the CSP allows only 'self')."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 56, 40, 40


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int | Decimal]) -> Markup:
    """An SVG bar chart with a title, one bar per label, the value above each bar and a y axis maximum."""
    largest = max((float(v) for v in values), default=0.0) or 1.0
    count = max(len(values), 1)
    slot = (WIDTH - LEFT - 8) / count
    plot_height = HEIGHT - BOTTOM - TOP
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 8}" y2="{HEIGHT - BOTTOM}" class="axis"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" class="tick">{_number(largest)}</text>']
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_height * float(value) / largest
        x = LEFT + index * slot + slot * 0.15
        y = HEIGHT - BOTTOM - height
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" class="bar">'
                     f"<title>{escape(label)}: {_number(value)}</title></rect>")
        if value:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="value">'
                         f"{_number(value)}</text>")
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
                     f'class="tick">{escape(str(label)[:14])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: int | float | Decimal) -> str:
    number = float(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.2f}".replace(".", ",")
