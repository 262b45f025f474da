"""Server-rendered SVG charts for the dashboard: no script, no CDN, readable without colour.

Each chart is an ``<svg role="img">`` with a title and a text summary, and every
bar has its number written next to it, so the figures do not depend on the picture.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, BAR, GAP, LABEL = 640, 22, 8, 190
COLOURS = {
    "sent": "#1b7a3d",
    "failed": "#b00020",
    "unknown": "#8a5a00",
    "delivered": "#1b7a3d",
    "bounced": "#b00020",
    "complained": "#8a5a00",
    "other": "#5a5a5a",
}


def bars(title: str, rows: list[tuple[str, dict[str, int]]]) -> Markup:
    """Horizontal stacked bars, one row per label: {series: count}."""
    height = max(1, len(rows)) * (BAR + GAP) + 30
    biggest = max([sum(v.values()) for _, v in rows] + [1])
    scale = (WIDTH - LABEL - 80) / biggest
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="c-{_id(title)}">',
        f'<title id="c-{_id(title)}">{escape(title)}</title>',
    ]
    for n, (label, values) in enumerate(rows):
        y = 10 + n * (BAR + GAP)
        parts.append(f'<text x="0" y="{y + 16}" font-size="13" fill="#1b1b1b">{escape(label[:28])}</text>')
        x = float(LABEL)
        for series, count in values.items():
            if count:
                w = max(count * scale, 2)
                colour = COLOURS.get(series, COLOURS["other"])
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}">'
                    f"<title>{escape(series)}: {count}</title></rect>"
                )
                x += w
        summary = ", ".join(f"{k} {v}" for k, v in values.items() if v) or "none"
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 16}" font-size="13" fill="#1b1b1b">{escape(summary)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line(title: str, points: list[tuple[str, int]]) -> Markup:
    """A step line of a running total (subscribers over time), labelled at both ends."""
    height, pad = 200, 40
    if not points:
        points = [("", 0)]
    top = max(v for _, v in points) or 1
    step = (WIDTH - 2 * pad) / max(1, len(points) - 1)
    coords = [
        (pad + i * step, height - pad - v * (height - 2 * pad) / top) for i, (_, v) in enumerate(points)
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
    first, last = points[0], points[-1]
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="c-{_id(title)}">'
        f'<title id="c-{_id(title)}">{escape(title)}: {last[1]} on {escape(last[0])}</title>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{WIDTH - pad}" y2="{height - pad}" stroke="#767676"/>'
        f'<path d="{path}" fill="none" stroke="#0b5394" stroke-width="3"/>'
        f'<text x="{pad}" y="{height - 12}" font-size="13" fill="#1b1b1b">'
        f"{escape(first[0])}: {first[1]}</text>"
        f'<text x="{WIDTH - pad}" y="{height - 12}" font-size="13" fill="#1b1b1b" text-anchor="end">'
        f"{escape(last[0])}: {last[1]}</text></svg>"
    )


def _id(title: str) -> str:
    return "".join(c for c in title.lower() if c.isalnum())[:24] or "chart"
