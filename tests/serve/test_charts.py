"""Issue 19: the subscribers chart drew a straight line across six empty months. Every week is a
point now, quiet ones included, and the line is drawn in steps: flat while nobody joins."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from digest.serve.charts import line
from digest.serve.dashboard import _growth
from digest.store import open_store, schema
from digest.store.rows import insert_ignore

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


def joined(engine, when: datetime, n: int, tag: str) -> None:  # type: ignore[no-untyped-def]
    rows = [{"email": f"{tag}{i}@example.org", "name": "", "language": "", "status": "active",
             "created_at": when} for i in range(n)]
    with engine.begin() as conn:
        insert_ignore(conn, schema.subscribers, rows)


def test_every_week_is_a_point_and_quiet_weeks_stay_flat(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        joined(engine, NOW - timedelta(weeks=40), 5, "old")  # before the chart's 26 weeks
        joined(engine, NOW - timedelta(weeks=24), 3, "spring")
        joined(engine, NOW - timedelta(days=1), 2, "now")  # six quiet months in between
        points = _growth(engine, NOW)
    finally:
        engine.dispose()
    days = [date.fromisoformat(d) for d, _ in points[1:]]
    assert all(b - a == timedelta(weeks=1) for a, b in zip(days, days[1:], strict=False))
    assert days[0] <= (NOW - timedelta(weeks=26)).date() < days[1] and days[-1] <= NOW.date()
    totals = [n for _, n in points]
    assert totals[0] == 5 and totals[-1] == 10
    assert totals.count(8) >= 20  # the quiet months: one flat stretch, week by week


def test_the_line_is_drawn_in_steps_evenly_spaced() -> None:
    chart = line("Subscribers over time", [("w1", 1), ("w2", 1), ("w3", 1), ("w4", 4)])
    commands = re.findall(r"[MHV][\d.]+(?:,[\d.]+)?", chart.path)
    assert chart.path.startswith("M") and all(c[0] in "MHV" for c in commands)
    ys = [float(c.split(",")[1]) if c[0] == "M" else float(c[1:]) for c in commands if c[0] in "MV"]
    assert ys[0] == ys[1] == ys[2] > ys[3]  # flat for three weeks, then up
    xs = [float(c[1:]) for c in commands if c[0] == "H"]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert max(gaps) - min(gaps) < 0.2  # evenly spaced (the path is written to 0.1)
