"""Small inline SVG charts, drawn here (no library, no script, no font but the page's): bars of a
count per day, and lines of shares (0 to 100%) per day. Pure: numbers in, SVG text out; every
label escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

WIDTH, HEIGHT = 300, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 8, 8, 20
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")


LEGEND = 24  # below a line chart: two rows of names


def _frame(title: str, body: list[str], labels: Sequence[str], top: str, bottom: str = "0", extra: int = 0) -> str:
    left, right = PAD_LEFT, WIDTH - PAD_RIGHT
    base = HEIGHT - PAD_BOTTOM
    total = HEIGHT + extra
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{total}" '
        f'viewBox="0 0 {WIDTH} {total}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" class="axis"/>',
        f'<line x1="{left}" y1="{PAD_TOP}" x2="{left}" y2="{base}" class="axis"/>',
        f'<text x="{left - 4}" y="{PAD_TOP + 8}" text-anchor="end" class="tick">{escape(top)}</text>',
        f'<text x="{left - 4}" y="{base}" text-anchor="end" class="tick">{escape(bottom)}</text>',
        *body,
    ]
    if labels:
        parts.append(f'<text x="{left}" y="{HEIGHT - 5}" class="tick">{escape(labels[0])}</text>')
        parts.append(f'<text x="{right}" y="{HEIGHT - 5}" text-anchor="end" class="tick">{escape(labels[-1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars(title: str, labels: Sequence[str], values: Sequence[int], *, color: str = PALETTE[0]) -> str:
    """One bar per label (a day), its height the value; each bar says its label and value."""
    top = max(values, default=0) or 1
    span = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(values))
    height = HEIGHT - PAD_TOP - PAD_BOTTOM
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        tall = height * value / top
        x = PAD_LEFT + index * span + span * 0.1
        y = HEIGHT - PAD_BOTTOM - tall
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(0.5, span * 0.8):.1f}" height="{tall:.1f}" fill="{color}" '
            f'data-label="{escape(label)}" data-value="{value}"><title>{escape(label)}: {value}</title></rect>'
        )
    return _frame(title, body, labels, str(top))


def lines(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    """One line per series of shares (0 to 1, None: no value that day), with a legend."""
    width = WIDTH - PAD_LEFT - PAD_RIGHT
    height = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = width / max(1, len(labels) - 1)
    body = []
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        points = [
            (PAD_LEFT + i * step, PAD_TOP + height * (1 - value))
            for i, value in enumerate(values)
            if value is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        if len(points) == 1:
            x, y = points[0]
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{color}"/>')
        elif points:
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.5" '
                f'data-series="{escape(name)}"><title>{escape(name)}</title></polyline>'
            )
        x = PAD_LEFT + (index % 3) * 88
        y = HEIGHT + 8 + (index // 3) * 12
        body.append(f'<rect x="{x}" y="{y - 6}" width="7" height="7" fill="{color}"/>')
        body.append(f'<text x="{x + 10}" y="{y + 1}" class="legend">{escape(name)}</text>')
    return _frame(title, body, labels, "100%", "0%", extra=LEGEND)
