"""Issue 19, "Dates mean the calendar day": `date: 2026-12-05` (no time) showed as December 4 in
every time zone west of UTC. A date written without a time is that day in every zone, from every
kind of source, in every surface; and an article dated in the future waits for its date.

Zones, days and clocks are drawn by hypothesis from every zone the system knows, not chosen by us.
"""

from __future__ import annotations

import json
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import clock
from digest.cli import main
from digest.compose.edition import select_articles
from digest.render.email import item_context
from digest.sources.feeds import parse_feed
from digest.sources.files import read_markdown_file
from digest.sources.jsonfeed import parse_json_feed
from digest.sources.pages import article_from_page
from digest.types import Article, EditionItem

ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
DAYS = st.dates(date(1990, 1, 1), date(2150, 12, 31))
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc822_day(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]}, {day.day:02d} {_MONTHS[day.month - 1]} {day.year}"


def read_all_ways(day: date) -> dict[str, Article]:
    """The same date-only value through every reader: front matter, RSS, Atom, JSON Feed, a page."""
    iso = day.isoformat()
    md = f"---\ntitle: Gathering\nurl: https://example.org/a\ndate: {iso}\n---\nWe meet on the day.\n"
    rss = (f"<rss version='2.0'><channel><title>t</title><item><title>Gathering</title>"
           f"<link>https://example.org/b</link><pubDate>{rfc822_day(day)}</pubDate>"
           f"<description>We meet on the day.</description></item></channel></rss>")
    atom = (f"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><title>Gathering</title>"
            f"<link href='https://example.org/c'/><id>urn:c</id><updated>{iso}</updated>"
            f"<summary>We meet on the day.</summary></entry></feed>")
    jsonfeed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
        {"id": "d", "url": "https://example.org/d", "title": "Gathering",
         "content_text": "We meet on the day.", "date_published": iso}]})
    page = (f"<html><head><title>Gathering</title><meta property='article:published_time' content='{iso}'>"
            f"</head><body><article><h1>Gathering</h1><p>{'We meet on the day and talk. ' * 12}</p>"
            f"</article></body></html>")
    return {
        "front matter": read_markdown_file(md.encode(), Path("a.md"), "https://example.org"),
        "rss": parse_feed(rss.encode(), "rss.xml")[0][0],
        "atom": parse_feed(atom.encode(), "atom.xml")[0][0],
        "json feed": parse_json_feed(jsonfeed.encode(), "feed.json")[0][0],
        "page": article_from_page(page.encode(), url="https://example.org/e", source="e.html"),
    }


@settings(max_examples=150, deadline=None)
@given(day=DAYS, zone=st.sampled_from(ZONES))
def test_a_date_without_a_time_is_that_day_in_every_zone_from_every_source(day: date, zone: str) -> None:
    for source, article in read_all_ways(day).items():
        item = EditionItem(article, "We meet.")
        shown = item_context(item, "c", ZoneInfo(zone), "https://example.org", "en")
        assert shown["date_iso"] == day.isoformat(), (source, zone, article.published)
        assert article.day(ZoneInfo(zone)) == day


@settings(max_examples=150, deadline=None)
@given(moment=st.datetimes(datetime(1990, 1, 1), datetime(2150, 1, 1), timezones=st.just(UTC)),
       zone=st.sampled_from(ZONES))
def test_a_date_with_a_time_is_the_day_it_was_in_the_readers_zone(moment: datetime, zone: str) -> None:
    stamp = moment.replace(microsecond=0).isoformat()
    md = f"---\ntitle: Gathering\nurl: https://example.org/a\ndate: '{stamp}'\n---\nWe meet.\n"
    article = read_markdown_file(md.encode(), Path("a.md"), "https://example.org")
    assert article.day(ZoneInfo(zone)) == moment.astimezone(ZoneInfo(zone)).date()


@settings(max_examples=300, deadline=None)
@given(day=DAYS, zone=st.sampled_from(ZONES), now=st.datetimes(datetime(1990, 1, 1), datetime(2150, 12, 31),
       timezones=st.just(UTC)), since_days=st.integers(0, 60))
def test_an_article_dated_later_waits_for_its_day_and_goes_out_on_it(
    day: date, zone: str, now: datetime, since_days: int
) -> None:
    tz = ZoneInfo(zone)
    article = read_all_ways(day)["front matter"]
    since = now - timedelta(days=since_days)
    chosen, left_out = select_articles([article], taken=set(), first_seen={}, since=since, now=now, zone=tz)
    today, first_day = now.astimezone(tz).date(), since.astimezone(tz).date()
    assert (chosen == [article]) == (first_day <= day <= today), (day, today, first_day, left_out)
    if day > today:
        assert left_out[0][1] == f"dated {day.isoformat()}: it waits for its date"


@settings(max_examples=150, deadline=None)
@given(zone=st.sampled_from(ZONES), offset=st.integers(-10_000, 10_000))
def test_a_timed_article_waits_until_its_moment(zone: str, offset: int) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    at = now + timedelta(seconds=offset)
    md = f"---\ntitle: Gathering\nurl: https://example.org/a\ndate: '{at.isoformat()}'\n---\nWe meet.\n"
    article = read_markdown_file(md.encode(), Path("a.md"), "https://example.org")
    since = now - timedelta(days=7)
    tz = ZoneInfo(zone)
    chosen, _ = select_articles([article], taken=set(), first_seen={}, since=since, now=now, zone=tz)
    assert (chosen == [article]) == (at <= now)


# End to end: `digest send` twice, a week apart, in a zone west and one east of UTC.
MONDAY = date(2026, 12, 7)


WEST_AND_EAST = ["America/Los_Angeles", "Pacific/Pago_Pago", "Pacific/Kiritimati", "Asia/Seoul"]


@pytest.mark.parametrize("zone", WEST_AND_EAST)
def test_every_surface_shows_the_day_and_a_later_day_waits_for_its_edition(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tz = ZoneInfo(zone)
    content = tmp_path / "content"
    content.mkdir()
    for name, day in (("past", MONDAY - timedelta(days=2)), ("future", MONDAY + timedelta(days=3))):
        (content / f"{name}.md").write_text(
            f"---\ntitle: The {name} gathering\nurl: https://example.org/{name}\n"
            f"date: {day.isoformat()}\n---\n"
            "Families meet at the centre to share a meal. Volunteers cook and children play games.\n",
            encoding="utf-8",
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_SOURCES", "content")
    monkeypatch.setenv("DIGEST_TIMEZONE", zone)

    def at(day: date) -> None:  # Monday's 09:00 slot in the zone, half an hour later
        local = datetime.combine(day, time(9, 30), tzinfo=tz)
        monkeypatch.setenv(clock.ENV, local.astimezone(UTC).isoformat())

    at(MONDAY)
    assert main(["sources", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [a["date"] for a in listed["articles"]] == ["2026-12-05"]
    assert [w["why"] for w in listed["left_out"]] == ["dated 2026-12-10: it waits for its date"]
    assert main(["preview", "--out", "pv"]) == 0
    preview_text = (tmp_path / "pv" / "email.txt").read_text(encoding="utf-8")
    assert "December 5, 2026" in preview_text and "December 4" not in preview_text
    assert "future gathering" not in preview_text
    assert main(["send"]) == 0, capsys.readouterr()
    first = sent_text(tmp_path)
    assert "December 5, 2026" in first and "The future gathering" not in first
    assert 'datetime="2026-12-05"' in archived_html(tmp_path, "weekly:2026-W50")

    at(MONDAY + timedelta(days=7))
    assert main(["send"]) == 0, capsys.readouterr()
    second = sent_text(tmp_path)
    assert "The future gathering" in second and "December 10, 2026" in second
    assert "The past gathering" not in second
    assert 'datetime="2026-12-10"' in archived_html(tmp_path, "weekly:2026-W51")


def sent_text(home: Path) -> str:
    """The plain-text part of the newest email in the outbox."""
    from email import message_from_bytes, policy

    newest = max((home / "var" / "outbox").rglob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    message = message_from_bytes(newest.read_bytes(), policy=policy.default)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def archived_html(home: Path, key: str) -> str:
    """The frozen HTML the archive serves for ``key``."""
    from digest.store import open_store
    from digest.store.ledger import Ledger

    engine = open_store(f"sqlite:///{home / 'var' / 'digest.db'}")
    try:
        row = Ledger(engine).edition(key)
        assert row is not None and row.status == "sent", row
        return row.html
    finally:
        engine.dispose()
