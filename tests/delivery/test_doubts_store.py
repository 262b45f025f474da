"""The ledger's side of settling doubts and retrying failures, on SQLite and a real PostgreSQL:
the upgrade of an older database (migrations 4 and 21), a split batch, a resend, failures that can
pass, the schedule's retries, and resolved alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect, text

from digest.store import doubts, watch
from digest.store import scheduler as rows
from digest.store.ledger import Ledger
from digest.store.migrations import migrate
from digest.store.rows import Outcome

KEY, CHANNEL = "weekly:2026-W23", "email:mailgun"
NOW = datetime(2026, 6, 1, 7, 5, tzinfo=UTC)


@pytest.fixture
def engine(either_engine: Engine) -> Engine:
    return either_engine


def batch(ledger: Ledger, target: str, people: list[str]) -> int:
    ledger.add_deliveries(KEY, CHANNEL, [(target, [[p, "", ""] for p in people])])
    return next(r.id for r in ledger.deliveries(KEY) if r.target == target)


def test_an_older_database_gets_the_new_columns_and_keeps_its_rows(engine: Engine) -> None:
    ledger = Ledger(engine)
    ledger.ensure_edition(KEY, NOW)
    row = batch(ledger, "batch:000001", ["a@example.net"])
    rows.insert_alert(engine, "missed:x", "missed", KEY, "missed", NOW)
    with engine.begin() as conn:  # the database as digest left it before migrations 4 and 21
        for table, column in [
            ("deliveries", "transient"),
            ("deliveries", "resends"),
            ("deliveries", "doubt_at"),
            ("alerts", "resolved_at"),
            ("alerts", "resolution"),
        ]:
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE send_retries"))
        conn.execute(text("DELETE FROM schema_versions WHERE version IN (4, 21)"))
    assert migrate(engine) == [4, 21]
    columns = {c["name"] for c in inspect(engine).get_columns("deliveries")}
    assert {"transient", "resends", "doubt_at"} <= columns
    assert inspect(engine).has_table("send_retries")
    [found] = ledger.deliveries(KEY)
    assert (found.id, found.resends, found.status) == (row, 0, "pending")
    assert rows.alert_states(engine) == {("missed", KEY): False}
    assert migrate(engine) == []


def test_doubts_are_split_sent_again_and_failures_reopened(engine: Engine) -> None:
    ledger = Ledger(engine)
    ledger.ensure_edition(KEY, NOW)
    first = batch(ledger, "batch:000001", ["a@example.net", "b@example.net", "c@example.net"])
    second = batch(ledger, "batch:000002", ["d@example.net"])
    third = batch(ledger, "batch:000003", ["e@example.net"])
    ledger.settle(
        [
            Outcome(first, "unknown", error="500", doubt_at=NOW.timestamp()),
            Outcome(second, "unknown", error="500", doubt_at=NOW.timestamp()),
            Outcome(third, "failed", error="cannot connect", transient=True),
        ]
    )
    [d1, d2] = doubts.in_doubt(engine, KEY, CHANNEL)
    assert d1.doubt_at == NOW.timestamp() and d1.age(NOW.timestamp() + 60, 0.0) == 60
    again = doubts.split(engine, d1.row, {"b@example.net"}, "got 1 of 3", "sent again")
    assert again is not None
    assert doubts.split(engine, d1.row, {"b@example.net"}, "x", "y") is None  # no longer unknown
    assert doubts.send_again(engine, d2.row.id, "never got it")
    by_target = {r.target: r for r in ledger.deliveries(KEY)}
    assert by_target["batch:000001"].status == "sent" and by_target["batch:000001"].data() == [
        ["b@example.net", "", ""]
    ]
    rest = by_target["batch:000001~again"]
    assert rest.status == "pending" and rest.resends == 1 and len(rest.data()) == 2
    assert (by_target["batch:000002"].status, by_target["batch:000002"].resends) == ("pending", 1)
    assert [r.id for r in doubts.passing(engine, KEY, CHANNEL)] == [third]
    assert doubts.reopen_passing(engine, KEY, CHANNEL, "again") == 1
    assert doubts.passing(engine, KEY, CHANNEL) == []
    assert ledger.deliveries(KEY, CHANNEL, ("pending",))[-1].attempts == 0


def test_retries_are_planned_and_alerts_resolved(engine: Engine) -> None:
    rows.plan_retry(engine, rows.Retry(KEY, 0, NOW, NOW + timedelta(minutes=5), "down"))
    rows.plan_retry(engine, rows.Retry(KEY, 1, NOW, NOW + timedelta(minutes=15), "still down"))
    found = rows.retry_of(engine, KEY)
    assert found is not None and (found.tries, found.next_at, found.last_error) == (
        1,
        NOW + timedelta(minutes=15),
        "still down",
    )
    rows.drop_retry(engine, KEY)
    assert rows.retry_of(engine, KEY) is None
    rows.insert_alert(engine, f"retry:{KEY}", "send-failed", KEY, "down", NOW)
    rows.insert_alert(engine, "unexpected:check:ab_c:2026-06-01", "unexpected", "", "bug", NOW)
    rows.insert_alert(engine, "unexpected:social:ab:2026-06-01", "unexpected", "", "bug", NOW)
    assert [a["key"] for a in rows.resolve_alerts(engine, NOW, "ran", key_prefix="unexpected:check:")] == [
        "unexpected:check:ab_c:2026-06-01"
    ]
    assert rows.alert_states(engine) == {("send-failed", KEY): False, ("unexpected", ""): False}
    assert len(rows.resolve_alerts(engine, NOW, "went out", edition_key=KEY)) == 1
    assert rows.resolve_alerts(engine, NOW, "went out", edition_key=KEY) == []  # once
    assert rows.alert_states(engine)[("send-failed", KEY)] is True
    assert {a["resolution"] for a in watch.recent_alerts(engine) if a["resolved_at"]} == {"ran", "went out"}
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM alerts WHERE resolved_at IS NULL")) == 1
