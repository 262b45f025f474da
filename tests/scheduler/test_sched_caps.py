"""The schedule finishes a capped edition: each check sends what the caps allow, says when the
rest can go, and an edition still going out when the next slot comes is finished first.

The caps count hand-over times on digest's clock, so these tests move DIGEST_TEST_NOW with the
time they give the check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.deliver.pace import sent_of
from digest.jobs.digest_job import check_digest
from digest.store import open_store
from tests.scheduler.conftest import add_subscribers, editions, write_feed

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)


def at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> datetime:
    monkeypatch.setenv("DIGEST_TEST_NOW", when.isoformat())
    return when


def sent(engine, key: str) -> int:  # type: ignore[no-untyped-def]
    return sent_of(engine, key)[0]  # recipients (the outbox sends batches, cut to the cap)


def weekly(feed: Path, make_settings, people: int, **caps: str):  # type: ignore[no-untyped-def]
    """Berlin, Mondays at 09:00, with ``caps``; ``people`` subscribers; one article in ``feed``."""
    write_feed(feed, [("Week one", MONDAY - timedelta(days=1))])
    settings = make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="0 9 * * 1", DIGEST_TIMEZONE="Europe/Berlin", **caps
    )
    engine = open_store(settings.db_url)
    add_subscribers(engine, people)
    return settings, engine


def test_each_check_sends_what_the_hour_allows(tmp_path: Path, make_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings, engine = weekly(tmp_path / "feed.xml", make_settings, 5, DIGEST_SEND_MAX_PER_HOUR="2")
    first = check_digest(settings, engine, at(monkeypatch, MONDAY + timedelta(seconds=1)))
    assert first.outcome == "capped"
    assert first.resume_at == (MONDAY + timedelta(seconds=1, hours=1)).timestamp()
    assert "2 of 5 recipients sent" in first.message
    soon = check_digest(settings, engine, at(monkeypatch, MONDAY + timedelta(minutes=15)))
    assert soon.outcome == "capped" and sent(engine, first.key) == 2  # the watchdog sends nothing early
    for hour in (1, 2):
        check_digest(settings, engine, at(monkeypatch, MONDAY + timedelta(hours=hour, seconds=1)))
    assert sent(engine, first.key) == 5 and editions(engine) == {first.key: "sent"}


def test_an_edition_still_going_out_is_finished_before_the_next(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_settings, monkeypatch
) -> None:
    feed = tmp_path / "feed.xml"
    settings, engine = weekly(feed, make_settings, 9, DIGEST_SEND_MAX_PER_DAY="1")
    day = MONDAY + timedelta(seconds=1)
    results = [check_digest(settings, engine, at(monkeypatch, day + timedelta(days=n))) for n in range(7)]
    write_feed(feed, [("Week one", MONDAY - timedelta(days=1)), ("Week two", MONDAY + timedelta(days=6))])
    assert [r.outcome for r in results] == ["capped"] * 7
    # The next Monday: the first edition (two recipients still without it) goes on; the second waits.
    monday = check_digest(settings, engine, at(monkeypatch, day + timedelta(days=7)))
    assert (monday.key, monday.outcome) == ("weekly:2026-W23", "capped")
    assert editions(engine) == {"weekly:2026-W23": "sending"}
    check_digest(settings, engine, at(monkeypatch, day + timedelta(days=8)))
    assert sent(engine, "weekly:2026-W23") == 9 and editions(engine)["weekly:2026-W23"] == "sent"
    # It finished in that check's window; the next check starts the second edition.
    nxt = check_digest(settings, engine, at(monkeypatch, day + timedelta(days=9)))
    assert (nxt.key, nxt.outcome) == ("weekly:2026-W24", "capped")
    assert sent(engine, "weekly:2026-W24") == 1
