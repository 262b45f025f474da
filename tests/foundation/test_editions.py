"""Editions: the period key, dedupe across editions, and `send` twice in one period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.deliver import send_current
from digest.providers import make_provider
from digest.store import open_store
from digest.store.ledger import Ledger

ITEM = """<item><title>{t}</title><link>https://example.org/{g}</link><guid>{g}</guid>
<pubDate>{d}</pubDate><description>{t} happened this week. More people came than expected.</description>
</item>"""


def write_feed(path: Path, items: list[tuple[str, str, datetime]]) -> None:
    body = "".join(
        ITEM.format(t=t, g=g, d=d.strftime("%a, %d %b %Y %H:%M:%S +0000")) for t, g, d in items
    )
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{body}'
                    "</channel></rss>", encoding="utf-8")


def sent_titles(engine, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from digest.store import schema

    query = (select(schema.articles.c.title)
             .join(schema.edition_articles,
                   schema.edition_articles.c.article_ident == schema.articles.c.ident)
             .where(schema.edition_articles.c.edition_key == key)
             .order_by(schema.articles.c.title))
    with engine.connect() as conn:
        return list(conn.scalars(query))


def test_reordered_feed_with_new_dates_sends_nothing_twice(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    write_feed(feed, [("Alpha", "a", monday - timedelta(days=2)),
                      ("Beta", "b", monday - timedelta(days=1))])
    settings = make_settings(DIGEST_SOURCES=str(feed))
    engine = open_store(settings.db_url)
    first = send_current(settings, engine, make_provider(settings), now=monday + timedelta(hours=1))
    assert first.key == "weekly:2026-W48" and first.status == "sent"
    assert sent_titles(engine, first.key) == ["Alpha", "Beta"]

    # A week later the feed is re-ordered, Alpha's timestamp moved into the new
    # week, and one new story appears: only the new story goes out.
    next_week = monday + timedelta(days=7)
    write_feed(feed, [("Gamma", "c", next_week - timedelta(days=1)),
                      ("Beta", "b", monday - timedelta(days=1)),
                      ("Alpha", "a", next_week - timedelta(hours=3))])
    second = send_current(settings, engine, make_provider(settings), now=next_week + timedelta(hours=1))
    assert second.key == "weekly:2026-W49" and second.status == "sent"
    assert sent_titles(engine, second.key) == ["Gamma"]


def test_first_edition_takes_the_lookback_window(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    write_feed(feed, [("Recent", "r", now - timedelta(days=6)), ("Old", "o", now - timedelta(days=8))])
    settings = make_settings(DIGEST_SOURCES=str(feed))
    engine = open_store(settings.db_url)
    report = send_current(settings, engine, make_provider(settings), now=now)
    assert sent_titles(engine, report.key) == ["Recent"]
    wider = make_settings(DIGEST_SOURCES=str(feed), DIGEST_LOOKBACK_DAYS="10",
                          DIGEST_DATA_DIR=str(tmp_path / "other"))
    engine2 = open_store(wider.db_url)
    report2 = send_current(wider, engine2, make_provider(wider), now=now)
    assert sent_titles(engine2, report2.key) == ["Old", "Recent"]


def test_send_twice_in_one_period_sends_once(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    engine = open_store(settings.db_url)
    now = datetime(2026, 11, 24, 8, tzinfo=UTC)
    first = send_current(settings, engine, make_provider(settings), now=now)
    outbox = settings.data_dir / "outbox" / "weekly-2026-w48"
    files = list(outbox.glob("*.eml"))
    assert first.status == "sent" and len(files) == 1  # one copy to DIGEST_FROM: the list is empty
    stamp = files[0].stat().st_mtime_ns
    second = send_current(settings, engine, make_provider(settings), now=now + timedelta(days=2))
    assert second.status == "sent" and "already sent" in second.message
    assert files[0].stat().st_mtime_ns == stamp
    assert Ledger(engine).counts("weekly:2026-W48") == {"sent": 1}


def test_nothing_new_is_skipped_and_recorded(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = make_settings(DIGEST_SOURCES=str(empty))
    engine = open_store(settings.db_url)
    report = send_current(settings, engine, make_provider(settings),
                          now=datetime(2026, 11, 24, tzinfo=UTC))
    assert report.status == "skipped" and "nothing new" in report.message
    edition = Ledger(engine).edition("weekly:2026-W48")
    assert edition is not None and edition.status == "skipped"
    assert not (settings.data_dir / "outbox").exists()


def test_frozen_edition_is_sent_byte_for_byte_after_sources_change(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text("First story\nIt is a good story. It has two sentences.\n")
    settings = make_settings(DIGEST_SOURCES=str(folder))
    engine = open_store(settings.db_url)
    ledger = Ledger(engine)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    ledger.ensure_edition("weekly:2026-W48", datetime(2026, 11, 23, 9, tzinfo=UTC))
    from digest.compose.build import build_edition

    built = build_edition(settings, ledger, now=now, key="weekly:2026-W48",
                          slot=datetime(2026, 11, 23, 9, tzinfo=UTC))
    assert ledger.freeze_edition("weekly:2026-W48", built.rendered.subject, built.rendered.html,
                                 built.rendered.text, [(a.id, "") for a in built.edition.articles])
    assert not ledger.freeze_edition("weekly:2026-W48", "other", "<p>other</p>", "other", [])
    (folder / "two.txt").write_text("Second story\nAdded after the freeze.\n")
    send_current(settings, engine, make_provider(settings), now=now)
    eml = next((settings.data_dir / "outbox" / "weekly-2026-w48").glob("*.eml")).read_bytes()
    assert b"First story" in eml and b"Second story" not in eml
