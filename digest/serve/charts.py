"""Server-rendered SVG charts for the dashboard: no script, no CDN, readable without colour.

Each chart is an ``<svg role="img">`` with a title and a text summary, and every bar has its
number written next to it, so the figures do not depend on the picture. This module works
out the geometry; ``templates/web/_charts.html.j2`` draws it, autoescaped like every page.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, BAR, GAP, LABEL = 640, 22, 8, 190
COLOURS = {
    "sent": "#1b7a3d",
    "failed": "#b00020",
    "unknown": "#8a5a00",
    "delivered": "#1b7a3d",
    "bounced": "#b00020",
    "complained": "#8a5a00",
    "blocked": "#5a5a5a",
    "other": "#5a5a5a",
}


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    series: str
    count: int


@dataclass(frozen=True)
class Row:
    y: int
    label: str
    segments: tuple[Segment, ...]
    end: float  # where the bar ends: its numbers are written after it
    summary: str


@dataclass(frozen=True)
class Bars:
    id: str
    title: str
    height: int
    rows: tuple[Row, ...]
    width: int = WIDTH
    bar: int = BAR


@dataclass(frozen=True)
class Line:
    id: str
    title: str
    path: str
    first: tuple[str, int]
    last: tuple[str, int]
    width: int = WIDTH
    height: int = 200
    pad: int = 40


def bars(title: str, rows: list[tuple[str, dict[str, int]]]) -> Bars:
    """Horizontal stacked bars, one row per label: {series: count}."""
    biggest = max([sum(v.values()) for _, v in rows] + [1])
    scale = (WIDTH - LABEL - 80) / biggest
    drawn = []
    for n, (label, values) in enumerate(rows):
        x, segments = float(LABEL), []
        for series, count in values.items():
            if count:
                width = max(count * scale, 2)
                segments.append(Segment(x, width, COLOURS.get(series, COLOURS["other"]), series, count))
                x += width
        summary = ", ".join(f"{k} {v}" for k, v in values.items() if v) or "none"
        drawn.append(Row(10 + n * (BAR + GAP), label[:28], tuple(segments), x, summary))
    return Bars(_id(title), title, max(1, len(rows)) * (BAR + GAP) + 30, tuple(drawn))


def line(title: str, points: list[tuple[str, int]]) -> Line:
    """A step line of a running total (subscribers over time), labelled at both ends: flat while
    the total stays, one step up (or down) where it changes. ``points`` are evenly spaced in time
    (one a week, empty weeks included), so the picture never hides a quiet stretch."""
    chart = Line(_id(title), title, "", ("", 0), ("", 0))
    points = points or [("", 0)]
    top = max(v for _, v in points) or 1
    step = (chart.width - 2 * chart.pad) / max(1, len(points) - 1)
    base, rise = chart.height - chart.pad, (chart.height - 2 * chart.pad) / top
    coords = [(chart.pad + i * step, base - v * rise) for i, (_, v) in enumerate(points)]
    path = f"M{coords[0][0]:.1f},{coords[0][1]:.1f}" + "".join(f" H{x:.1f} V{y:.1f}" for x, y in coords[1:])
    return Line(chart.id, title, path, points[0], points[-1])


def _id(title: str) -> str:
    return "".join(c for c in title.lower() if c.isalnum())[:24] or "chart"
