"""The digest job with an injected clock: catch-up, lateness, DST double fires, races, alerts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

from sqlalchemy import select

from digest.cli import main
from digest.jobs.digest_job import check_digest
from digest.store import open_store, schema
from digest.store.ledger import Ledger
from tests.scheduler.conftest import add_subscribers, delivery_statuses, editions, write_feed

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)


def berlin(make_settings, feed: Path, **extra: str):  # type: ignore[no-untyped-def]
    return make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="0 9 * * 1", DIGEST_TIMEZONE="Europe/Berlin", **extra
    )


def outbox_files(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    return sorted((settings.data_dir / "outbox").glob("*/*.eml"))


def article_titles(engine, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    a, ea = schema.articles, schema.edition_articles
    query = select(a.c.title).join(ea, ea.c.article_ident == a.c.ident).where(ea.c.edition_key == key)
    with engine.connect() as conn:
        return sorted(conn.scalars(query))


def test_due_edition_goes_out_once_however_often_it_is_checked(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=2))])
    settings = berlin(make_settings, feed)
    engine = open_store(settings.db_url)
    add_subscribers(engine, 3)
    # Installed on a Monday morning: last week's slot is long gone, but nothing was missed.
    before = check_digest(settings, engine, MONDAY - timedelta(minutes=1))
    assert before.outcome == "idle" and "first one goes out 2026-06-01 09:00 CEST" in before.message
    assert editions(engine) == {} and Ledger(engine).recent_events(5) == []
    first = check_digest(settings, engine, MONDAY + timedelta(seconds=1))
    assert (first.key, first.outcome) == ("weekly:2026-W23", "sent")
    for minutes in (15, 30, 600):
        again = check_digest(settings, engine, MONDAY + timedelta(minutes=minutes))
        assert again.outcome == "done"
    assert len(outbox_files(settings)) == 3
    assert delivery_statuses(engine) == ["sent"]  # one batch of three (outbox batches by 50)


def test_catch_up_after_three_week_outage_sends_one_edition(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Week one", MONDAY - timedelta(days=1))])
    settings = berlin(make_settings, feed)
    engine = open_store(settings.db_url)
    assert check_digest(settings, engine, MONDAY + timedelta(minutes=1)).outcome == "sent"

    # The machine is off for three weeks; stories keep coming.
    write_feed(
        feed,
        [("Week one", MONDAY - timedelta(days=1))]
        + [(f"Week {n}", MONDAY + timedelta(days=7 * (n - 1) - 1)) for n in (2, 3, 4)],
    )
    back = MONDAY + timedelta(days=21, hours=5)  # Monday 2026-06-22, 14:00 Berlin
    result = check_digest(settings, engine, back)
    assert (result.key, result.outcome) == ("weekly:2026-W26", "sent")
    assert editions(engine) == {"weekly:2026-W23": "sent", "weekly:2026-W26": "sent"}
    assert article_titles(engine, "weekly:2026-W26") == ["Week 2", "Week 3", "Week 4"]
    gap = [e for e in Ledger(engine).recent_events(20) if e["kind"] == "gap"]
    assert len(gap) == 1 and "2 scheduled edition(s)" in gap[0]["message"]
    assert "weekly:2026-W24" in gap[0]["message"] and "weekly:2026-W25" in gap[0]["message"]
    # The watchdog keeps looking every 15 minutes: nothing more goes out.
    for quarter in range(1, 9):
        assert check_digest(settings, engine, back + timedelta(minutes=15 * quarter)).outcome == "done"
    assert len(outbox_files(settings)) == 2  # one self-copy per edition (no subscribers)


def test_slot_beyond_lateness_is_skipped_with_one_alert_and_email(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_settings, capsys
) -> None:
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Coats", MONDAY - timedelta(days=8))])
    settings = berlin(make_settings, feed, DIGEST_ALERT_EMAIL="Office <office@example.org>")
    engine = open_store(settings.db_url)
    assert check_digest(settings, engine, MONDAY - timedelta(days=7)).outcome == "sent"  # W22
    for old in outbox_files(settings):
        old.unlink()
    add_subscribers(engine, 2)
    write_feed(feed, [("Coats", MONDAY - timedelta(days=8)), ("Scholarships", MONDAY - timedelta(days=1))])
    late = MONDAY + timedelta(hours=49)
    result = check_digest(settings, engine, late)
    assert (result.key, result.outcome) == ("weekly:2026-W23", "missed")
    assert "49h late" in result.message and "DIGEST_MAX_LATENESS is 48h" in result.message
    assert editions(engine) == {"weekly:2026-W22": "sent", "weekly:2026-W23": "missed"}
    assert delivery_statuses(engine) == ["sent"]  # W22's only
    # Only the alert went out, to DIGEST_ALERT_EMAIL.
    files = outbox_files(settings)
    assert [f.name for f in files] == ["office@example.org.eml"]
    alert = message_from_bytes(files[0].read_bytes())
    assert alert["To"] == "Office <office@example.org>"
    assert alert["Subject"].startswith("[digest alert] weekly:2026-W23 was not sent")
    # Later watchdog looks (and other instances) do not alert again.
    for hours in (1, 5, 20):
        assert check_digest(settings, engine, late + timedelta(hours=hours)).outcome == "done"
    with engine.connect() as conn:
        assert conn.scalar(select(schema.alerts.c.emailed_at)) is not None
        assert len(conn.execute(select(schema.alerts)).all()) == 1
    errors = [e for e in Ledger(engine).recent_events(20) if e["level"] == "error"]
    assert [e["kind"] for e in errors] == ["missed"]

    # `digest status` fails loudly while the missed edition is listed.
    env = tmp_path / "status.env"
    env.write_text(
        f"DIGEST_DATA_DIR={settings.data_dir}\nDIGEST_SOURCES={feed}\nDIGEST_SCHEDULE=0 9 * * 1\n"
        "DIGEST_TIMEZONE=Europe/Berlin\n",
        encoding="utf-8",
    )
    assert main(["--env-file", str(env), "status"]) == 1
    out = capsys.readouterr().out
    assert "weekly:2026-W23" in out and "missed" in out and "ALERT" in out
    assert "schedule: every Monday at 09:00 (Europe/Berlin)" in out and "next run: " in out

    # The next week's edition goes out on time and carries the missed week's story.
    nxt = check_digest(settings, engine, MONDAY + timedelta(days=7, minutes=2))
    assert (nxt.key, nxt.outcome) == ("weekly:2026-W24", "sent")
    assert article_titles(engine, "weekly:2026-W24") == ["Scholarships"]


def test_lateness_limit_is_configurable(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Kitchen", MONDAY - timedelta(days=1))])
    settings = berlin(make_settings, feed, DIGEST_MAX_LATENESS="3d")
    engine = open_store(settings.db_url)
    assert check_digest(settings, engine, MONDAY + timedelta(hours=60)).outcome == "sent"


def test_berlin_fall_back_double_fire_sends_once(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    sunday = datetime(2026, 10, 25, tzinfo=UTC)
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Autumn", sunday - timedelta(days=1))])
    settings = make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="30 2 * * sun", DIGEST_TIMEZONE="Europe/Berlin"
    )
    engine = open_store(settings.db_url)
    add_subscribers(engine, 4)
    # APScheduler fires at 02:30 CEST (00:30Z) and again at 02:30 CET (01:30Z).
    first = check_digest(settings, engine, sunday.replace(minute=30))
    second = check_digest(settings, engine, sunday.replace(hour=1, minute=30))
    assert (first.key, first.outcome) == ("weekly:2026-W43", "sent")
    assert (second.key, second.outcome) == ("weekly:2026-W43", "done")
    assert len(outbox_files(settings)) == 4


def test_new_york_spring_forward_sends_the_missing_slot_once(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Spring", datetime(2026, 3, 7, tzinfo=UTC))])
    settings = make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="30 2 * * 0", DIGEST_TIMEZONE="America/New_York"
    )
    engine = open_store(settings.db_url)
    # 02:30 does not exist on 2026-03-08; it runs at 03:30 EDT (07:30Z), not before.
    assert check_digest(settings, engine, datetime(2026, 3, 8, 7, 29, tzinfo=UTC)).outcome == "idle"
    result = check_digest(settings, engine, datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
    assert (result.key, result.outcome) == ("weekly:2026-W10", "sent")


def test_catch_up_racing_a_normal_fire_sends_once(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [(f"Story {n}", MONDAY - timedelta(hours=n)) for n in range(1, 6)])
    settings = berlin(make_settings, feed)
    engine = open_store(settings.db_url)
    emails = add_subscribers(engine, 120)
    results = []

    def fire(offset: timedelta) -> None:
        results.append(check_digest(settings, engine, MONDAY + offset))

    # The cron job, the start-up check and the watchdog, all at once.
    threads = [threading.Thread(target=fire, args=(timedelta(seconds=s),)) for s in (0, 1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.key for r in results} == {"weekly:2026-W23"}
    assert "sent" in {r.outcome for r in results}
    assert editions(engine) == {"weekly:2026-W23": "sent"}
    assert sorted(delivery_statuses(engine)) == ["sent"] * 3  # 120 recipients in batches of 50
    assert sorted(f.stem for f in outbox_files(settings)) == sorted(emails)


def test_nothing_new_is_skipped_with_a_reason_unless_configured(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Only story", MONDAY - timedelta(days=1))])
    settings = berlin(make_settings, feed)
    engine = open_store(settings.db_url)
    assert check_digest(settings, engine, MONDAY).outcome == "sent"
    quiet = check_digest(settings, engine, MONDAY + timedelta(days=7))
    assert quiet.outcome == "skipped" and "nothing new" in quiet.message
    edition = Ledger(engine).edition("weekly:2026-W24")
    assert edition is not None and edition.status == "skipped" and "nothing new" in edition.reason

    eager = berlin(make_settings, feed, DIGEST_SEND_WHEN_EMPTY="true")
    assert eager.send_when_empty is True
    assert check_digest(eager, engine, MONDAY + timedelta(days=14)).outcome == "sent"


def test_protected_term_refuses_and_alerts_once(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Kim Secret visits", MONDAY - timedelta(days=1))])
    terms = tmp_path / "terms.txt"
    terms.write_text("Kim Secret\n", encoding="utf-8")
    settings = berlin(make_settings, feed, DIGEST_PROTECTED_TERMS_FILE=str(terms))
    engine = open_store(settings.db_url)
    for minutes in (0, 15, 30):
        result = check_digest(settings, engine, MONDAY + timedelta(minutes=minutes))
        assert result.outcome == "refused" and "Kim Secret" in result.message
    assert outbox_files(settings) == []
    errors = [e for e in Ledger(engine).recent_events(20) if e["level"] == "error"]
    assert [e["kind"] for e in errors] == ["protected"]


def test_scheduled_send_queues_the_social_posts_like_digest_send(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    from digest.store.social import SocialStore

    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=1)), ("Classes", MONDAY - timedelta(days=2))])
    settings = berlin(
        make_settings,
        feed,
        DIGEST_SOCIAL_PLATFORMS="mastodon",
        DIGEST_MASTODON_TOKEN="test-token-not-used",
        DIGEST_MASTODON_BASE_URL="http://127.0.0.1:9",  # nothing is published: approval is on
    )
    engine = open_store(settings.db_url)
    assert check_digest(settings, engine, MONDAY).outcome == "sent"
    waiting = SocialStore(engine).posts(["review"])
    assert len(waiting) == 2 and {p.edition_key for p in waiting} == {"weekly:2026-W23"}
    check_digest(settings, engine, MONDAY + timedelta(minutes=15))  # done: nothing queued twice
    assert len(SocialStore(engine).posts()) == 2


def test_a_send_within_the_check_interval_is_on_time_not_a_catch_up(tmp_path, make_settings, caplog) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: a `run --once` timer (every 15 minutes) sent at 09:10 and logged it as a catch-up."""
    import logging

    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=2))])
    settings = berlin(make_settings, feed)
    engine = open_store(settings.db_url)
    add_subscribers(engine, 1)
    with caplog.at_level(logging.INFO, logger="digest.jobs"):
        assert check_digest(settings, engine, MONDAY + timedelta(minutes=14)).outcome == "sent"
    said = [r.getMessage() for r in caplog.records]
    assert not any("catch-up" in line for line in said), said
    assert "weekly:2026-W23 is due (2026-06-01 09:00 CEST); sending it" in said
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="digest.jobs"):
        late = MONDAY + timedelta(days=7, hours=3)
        assert check_digest(settings, engine, late).outcome == "skipped"  # nothing new that week
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == ["weekly:2026-W24 was due 3h ago; sending it now (catch-up)"]
