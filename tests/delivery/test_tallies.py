"""Counts from the database (issue 24) equal the counts made by loading every row, on SQLite and
a real PostgreSQL, over varied ledgers: people and batches, campaigns and posts, failed, unknown
and doubtful rows, recipients skipped, batches split, addresses forgotten, deliveries resolved;
and an older database gets the columns (migration 9) with the same numbers."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect, text, update

from digest.deliver.counts import people_of, recipient_counts
from digest.deliver.resolve import EMAIL, SOCIAL, email_rows, people_by_status, recipients, resolve_sent
from digest.store import doubts, kept_counts, overview, repairs, schema, tallies
from digest.store.db import open_store
from digest.store.forgotten import forget
from digest.store.ledger import Ledger
from digest.store.migrations import migrate
from digest.store.overview import calls_by_status
from digest.store.rows import CAMPAIGN, Outcome
from digest.store.seen import only_on

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANNELS = ("email:smtp", "email:outbox", "email:mailgun")


def person(n: int) -> list[str]:
    return [f"reader{n:04d}@example.net", f"Reader {n}", random.choice(["", "en", "ko"])]


def build(engine: Engine, seed: int) -> list[str]:
    """Editions of every make-up a send, a crash and a volunteer leave; returns their keys."""
    random.seed(seed)
    ledger, keys, n = Ledger(engine), [], 0
    for week in range(4):
        key = f"weekly:2026-W{10 + week + seed * 4:02d}"
        keys.append(key)
        ledger.ensure_edition(key, START + timedelta(weeks=week))
        for channel in random.sample(CHANNELS, random.randint(1, 2)):
            targets: list[tuple[str, object]] = []
            for _ in range(random.randint(3, 12)):
                size = random.choice([1, 1, 1, 2, 5])
                targets.append((f"batch:{n:06d}", [person(n + i) for i in range(size)]))
                n += size
            if random.random() < 0.3:
                targets.append((CAMPAIGN, None))
            if random.random() < 0.2:
                targets.append(("batch:empty", []))
            ledger.add_deliveries(key, channel, targets)
        ledger.add_deliveries(key, "social:mastodon", [(f"post:{i}", {"parts": ["hi"]}) for i in range(2)])
        settle_some(ledger, key)
    trouble(engine, ledger, keys)
    return keys


def settle_some(ledger: Ledger, key: str) -> None:
    rows = ledger.deliveries(key)
    outcomes = []
    for row in rows:
        roll = random.random()
        if roll < 0.55:
            outcomes.append(Outcome(row.id, "sent", provider_id=f"<{row.id}@x>"))
        elif roll < 0.7:
            outcomes.append(
                Outcome(row.id, "failed", error=random.choice(["550 no such user", "421 busy", "Zé 5"]))
            )
        elif roll < 0.85:
            outcomes.append(Outcome(row.id, "unknown", error="timed out", doubt_at=START.timestamp()))
        # else: left pending
    ledger.settle(outcomes)
    for row in rows[:3]:
        addresses = [a.lower() for a in recipients(row)]
        if addresses and row.status == "pending":
            ledger.skip_recipients(row.id, {addresses[0]: random.choice(["unsubscribed", "bounced"])})


def trouble(engine: Engine, ledger: Ledger, keys: list[str]) -> None:
    """Doubtful rows, a split batch, a forgotten address and deliveries resolved by a volunteer."""
    d = schema.deliveries
    with engine.begin() as conn:
        conn.execute(update(d).where(d.c.id % 7 == 3, d.c.channel.like("email:%")).values(doubts=1))
    for key in keys:
        unknown = [r for r in email_rows(engine, key, ("unknown",)) if len(recipients(r)) > 1]
        if unknown:
            row = unknown[0]
            doubts.split(engine, row, {recipients(row)[0].lower()}, "got part", "the rest again")
    for row in email_rows(engine, keys[0])[:4]:
        for address in recipients(row)[:1]:
            forget(engine, b"k" * 32, address)
    resolve_sent(engine, [r.id for r in email_rows(engine, keys[1], ("unknown",))][:2], "checked")


def old_counts(engine: Engine, key: str) -> dict[str, object]:
    """What status and the dashboard counted before: every row loaded and decoded."""
    ledger = Ledger(engine)
    trouble_rows = ledger.deliveries(key, statuses=("failed", "unknown"))

    def errors(prefix: str) -> list[str]:
        return sorted({r.last_error for r in trouble_rows if r.channel.startswith(prefix) and r.last_error})[
            :5
        ]

    return {
        "recipients": people_by_status(email_rows(engine, key)),
        "deliveries": repairs.channel_counts(engine, key, EMAIL),
        "social": repairs.channel_counts(engine, key, SOCIAL),
        "errors": errors(EMAIL),
        "social_errors": errors(SOCIAL),
        "doubtful": [r.id for r in email_rows(engine, key) if r.doubts > 0],
    }


def new_counts(engine: Engine, key: str) -> dict[str, object]:
    counted = overview.tallies(engine, key)
    assert sum(t.doubtful for t in counted if t.channel.startswith(EMAIL)) == len(
        Ledger(engine).doubtful(key, EMAIL)
    )
    return {
        "recipients": people_of(engine, key, counted),
        "deliveries": calls_by_status(counted, EMAIL),
        "social": calls_by_status(counted, SOCIAL),
        "errors": overview.last_errors(engine, key, ("failed", "unknown"), EMAIL),
        "social_errors": overview.last_errors(engine, key, ("failed", "unknown"), SOCIAL),
        "doubtful": [r.id for r in Ledger(engine).doubtful(key, EMAIL)],
    }


def assert_same(engine: Engine, keys: list[str]) -> None:
    for key in keys:
        assert new_counts(engine, key) == old_counts(engine, key), key
        assert recipient_counts(engine, key) == people_by_status(email_rows(engine, key))
    old_unknown = [
        (r.id, r.edition_key, r.channel, len(recipients(r)) or 1, r.last_error)
        for r in email_rows(engine, None, ("unknown",))[:5]
    ]
    new_unknown = [
        (r.id, r.edition_key, r.channel, r.people or 1, r.last_error)
        for r in tallies.first_in_status(engine, "unknown", EMAIL, 5)
    ]
    assert new_unknown == old_unknown and old_unknown
    for rehearsal in (["email:outbox"], ["email:outbox", "email:smtp"], ["email:smtp"]):
        params: dict[str, object] = {}
        with engine.connect() as conn:
            old = set(conn.scalars(text(only_on(params, rehearsal)), params)) & set(keys)
        assert Ledger(engine).rehearsals(rehearsal, keys) == old


@pytest.mark.parametrize("seed", [1, 2])
def test_counts_from_the_database_equal_the_counts_of_every_row(either_engine: Engine, seed: int) -> None:
    engine = either_engine
    keys = build(engine, seed)
    counted = {k: recipient_counts(engine, k) for k in keys}
    assert any("skipped" in c for c in counted.values()) and any("unknown" in c for c in counted.values())
    assert any(k.startswith("campaign") for c in counted.values() for k in c)
    assert_same(engine, keys)


def before_kept_counts(engine: Engine) -> None:
    """The database as digest left it before migration 70: no kept counts, the counting index."""
    on = " ON deliveries" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        for name in kept_counts.SQLITE_TRIGGERS:
            conn.execute(text(f"DROP TRIGGER {name}{on}"))
        conn.execute(text(f"DROP TABLE {kept_counts.TABLE}"))
        conn.execute(text(f"DROP TABLE IF EXISTS {kept_counts.CHANGES}"))
        conn.execute(text("DROP INDEX ix_deliveries_doubtful"))
        for name, columns in tallies.INDEXES:
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON deliveries ({columns})"))
        conn.execute(text("DELETE FROM schema_versions WHERE version = 70"))


def test_an_older_database_gets_the_counts_with_the_same_numbers(either_engine: Engine) -> None:
    engine = either_engine
    keys = build(engine, 3)
    before_kept_counts(engine)
    with engine.begin() as conn:  # the database as digest left it before migration 9
        for name, _columns in tallies.INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
        for column in ("people", "skipped"):
            conn.execute(text(f"ALTER TABLE deliveries DROP COLUMN {column}"))
        conn.execute(text("DELETE FROM schema_versions WHERE version = 9"))
    assert migrate(engine) == [9, 70]
    assert {"people", "skipped"} <= {c["name"] for c in inspect(engine).get_columns("deliveries")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("deliveries")}
    assert "ix_deliveries_status" in indexes and "ix_deliveries_tally" not in indexes
    assert_same(engine, keys)
    assert migrate(engine) == []


def test_counts_kept_from_an_older_ledger_follow_every_later_change(either_engine: Engine) -> None:
    """Migration 70 counts the rows there are; the triggers then follow every change, a person's
    own SQL included (a status set by hand, a channel renamed, rows deleted)."""
    engine = either_engine
    keys = build(engine, 4)
    before_kept_counts(engine)
    assert migrate(engine) == [70]
    assert_same(engine, keys)
    d = schema.deliveries
    with engine.begin() as conn:
        conn.execute(update(d).where(d.c.id % 5 == 1).values(status="failed", last_error="set by hand"))
        conn.execute(update(d).where(d.c.channel == "email:mailgun").values(channel="email:postmark"))
        conn.execute(update(d).where(d.c.id % 4 == 2).values(doubts=d.c.doubts + 1))
        conn.execute(d.delete().where(d.c.edition_key == keys[2], d.c.id % 2 == 0))
    settle_some(Ledger(engine), keys[3])
    assert_same(engine, keys)
    with engine.connect() as conn:  # a group emptied stays as a row of zeros, never below
        assert conn.execute(
            text(f"SELECT MIN(calls), MIN(people), MIN(doubtful) FROM {kept_counts.TABLE}")
        ).one() >= (
            0,
            0,
            0,
        )


def test_the_growth_chart_counts_by_day_in_the_database_as_it_did_row_by_row(either_engine: Engine) -> None:
    from sqlalchemy import select

    from digest.store.dashboard import subscribers_by_week
    from digest.store.rows import insert_ignore

    engine, now = either_engine, datetime(2026, 12, 7, 9, tzinfo=UTC)
    hours = [0, 1, 23, 12, 47, 71, 24 * 9 + 23, 24 * 40, 24 * 200, 24 * 400]
    rows = [
        {"email": f"r{i}@example.org", "name": "", "language": "",
         "status": ["unsubscribed", "active"][min(i % 5, 1)],
         "created_at": now - timedelta(hours=hours[i % len(hours)], minutes=i % 60)}
        for i in range(300)
    ]  # fmt: skip
    with engine.begin() as conn:
        insert_ignore(conn, schema.subscribers, rows)
    since = now - timedelta(weeks=26)
    s = schema.subscribers
    with engine.connect() as conn:  # the chart as it was made: every timestamp read back
        stamps = conn.scalars(select(s.c.created_at).where(s.c.status == "active", s.c.created_at >= since))
        weeks: dict[datetime, int] = {}
        for stamp in stamps:
            day = stamp.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
            weeks[day - timedelta(days=day.weekday())] = weeks.get(day - timedelta(days=day.weekday()), 0) + 1
    before = sum(1 for r in rows if r["status"] == "active" and r["created_at"] < since)
    assert subscribers_by_week(engine, since) == (before, sorted(weeks.items()))
    assert len(weeks) >= 3 and before > 0


def test_two_transactions_moving_one_editions_counts_in_opposite_orders_both_finish(pg_url: str) -> None:
    """PostgreSQL: two transactions (say, two batches of webhooks) that change one edition's groups
    in opposite orders both finish: changing a count only appends (counting rows kept per group
    and changed in place made PostgreSQL break a deadlock here)."""
    engine = open_store(pg_url)
    ledger = Ledger(engine)
    key = "weekly:2026-W10"
    ledger.ensure_edition(key, START)
    ledger.add_deliveries(key, "email:smtp", [(f"p{i}@example.net", [person(i)]) for i in range(4)])
    ids = [r.id for r in ledger.deliveries(key)]
    unknown = Outcome(ids[2], "unknown", doubt_at=1.0)
    ledger.settle([Outcome(ids[0], "sent"), Outcome(ids[1], "failed"), unknown])
    d = schema.deliveries
    first_changed, errors = threading.Event(), []

    def other() -> None:
        try:
            with engine.begin() as conn:  # the 'unknown' and 'pending' groups, then 'failed'
                conn.execute(update(d).where(d.c.id == ids[2]).values(status="pending"))
                first_changed.set()
                conn.execute(update(d).where(d.c.id == ids[1]).values(status="sent"))
        except Exception as exc:  # a deadlock PostgreSQL broke
            errors.append(exc)
        first_changed.set()

    with engine.begin() as conn:  # the 'sent' and 'failed' groups, then 'pending'
        conn.execute(update(d).where(d.c.id == ids[0]).values(status="failed"))
        thread = threading.Thread(target=other)
        thread.start()
        first_changed.wait(30)
        conn.execute(update(d).where(d.c.id == ids[3]).values(status="sent"))
    thread.join(30)
    assert not errors
    assert ledger.counts(key) == {"failed": 1, "pending": 1, "sent": 2}
    with engine.connect() as conn:  # the read folded what the changes appended
        assert conn.execute(text(f"SELECT COUNT(*) FROM {kept_counts.CHANGES}")).scalar() == 0
    engine.dispose()
