"""Issue 15: soft bounces suppress after three in a row on separate editions (a delivered event in
between starts again), events find the ledger's delivery by the provider's message id, and a
delivered event turns an ``unknown`` delivery into ``sent``. Issue 20: an event about no message of
ours is not stored. Real SQLite store; one test goes through the signed Mailgun webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest import subscribers
from digest.store import open_store
from digest.store.ledger import Ledger
from digest.store.mail_events import SOFT_LIMIT, MailEvent, message_keys, record
from digest.store.signups import lookup
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.paths import SAMPLE

START = datetime(2026, 12, 1, 9, tzinfo=UTC)
WHO = "soft@example.org"
KEY = b"k" * 32  # the secret key: it recognises forgotten addresses


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger = Ledger(engine)
    for week in range(6):
        key = f"2026-W{40 + week}"
        ledger.ensure_edition(key, START + timedelta(weeks=week))
        ledger.add_deliveries(key, "email:mailgun", [(f"batch:{week}", [[WHO, "", ""]])])
    yield engine, ledger
    engine.dispose()


def _ids(ledger: Ledger) -> dict[str, int]:
    return {row.edition_key: row.id for week in range(6) for row in ledger.deliveries(f"2026-W{40 + week}")}


def sent(ledger: Ledger, week: int, status: str = "sent") -> str:
    """The call for edition ``week`` answered with a Mailgun id (angle brackets, as its API says)."""
    delivery = _ids(ledger)[f"2026-W{40 + week}"]
    ledger.finish(delivery, status, provider_id=f"<2026120{week}.{week}@mg.example.org>")
    return f"2026120{week}.{week}@mg.example.org"  # how Mailgun's events name it: no brackets


def event(n: int, kind: str, message_id: str, *, hard: bool = False) -> MailEvent:
    return MailEvent(
        event_id=f"mailgun:t{n}-{kind}-{message_id}",
        provider="mailgun",
        kind=kind,
        hard=hard,
        recipient=WHO,
        message_id=message_id,
        at=START + timedelta(minutes=n),
    )


def status(engine) -> str:  # type: ignore[no-untyped-def]
    return lookup(engine, WHO).status  # type: ignore[union-attr]


def test_three_soft_bounces_on_separate_editions_suppress(store) -> None:  # type: ignore[no-untyped-def]
    engine, ledger = store
    subscribers.add(engine, WHO)
    ids = [sent(ledger, week) for week in range(3)]
    record(engine, event(1, "bounced", ids[0]), KEY)
    record(engine, event(2, "bounced", ids[0]), KEY)  # the same edition again: still one
    record(engine, event(3, "bounced", ids[1]), KEY)
    assert status(engine) == "active"
    record(engine, event(4, "bounced", ids[2]), KEY)
    assert status(engine) == "bounced"


def test_a_delivered_event_between_starts_the_count_again(store) -> None:  # type: ignore[no-untyped-def]
    engine, ledger = store
    subscribers.add(engine, WHO)
    ids = [sent(ledger, week) for week in range(5)]
    record(engine, event(1, "bounced", ids[0]), KEY)
    record(engine, event(2, "bounced", ids[1]), KEY)
    record(engine, event(3, "delivered", ids[2]), KEY)
    record(engine, event(4, "bounced", ids[3]), KEY)
    record(engine, event(5, "bounced", ids[4]), KEY)
    assert status(engine) == "active"


def test_delivered_event_turns_unknown_into_sent(store) -> None:  # type: ignore[no-untyped-def]
    engine, ledger = store
    unknown = sent(ledger, 0, "unknown")
    other = sent(ledger, 1, "unknown")
    assert record(engine, event(1, "delivered", unknown), KEY)
    assert not record(engine, event(1, "delivered", unknown), KEY)  # a retry changes nothing
    assert record(engine, event(2, "bounced", other), KEY)  # a bounce explains nothing about delivery
    assert not record(engine, event(3, "delivered", "no-such-id@mg.example.org"), KEY)  # not ours
    rows = [row for week in range(2) for row in ledger.deliveries(f"2026-W{40 + week}")]
    states = {row.edition_key: row.status for row in rows}
    assert states == {"2026-W40": "sent", "2026-W41": "unknown"}


def test_message_keys_per_provider() -> None:
    from digest.providers.sendgrid import sendgrid_event

    assert message_keys(" <a.b@mg> ") == ["a.b@mg", "<a.b@mg>"]
    # SendGrid's events name the message by the X-Message-Id of the send plus ".filter...": its
    # webhook (in its provider's module) says which id the send answered.
    item = {"email": WHO, "event": "delivered", "sg_event_id": "e1"}
    event = sendgrid_event({**item, "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"})
    assert event is not None and message_keys(event.send_id or event.message_id)[0] == "14c5d75ce93"
    assert message_keys("") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["soft", "delivered"]), st.integers(0, 5)), max_size=12))
def test_soft_bounce_policy_matches_the_rule(tmp_path_factory, steps) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('p') / 'ledger.db'}")
    try:
        ledger = Ledger(engine)
        subscribers.add(engine, WHO)
        ids = []
        for week in range(6):
            key = f"2026-W{40 + week}"
            ledger.ensure_edition(key, START + timedelta(weeks=week))
            ledger.add_deliveries(key, "email:mailgun", [(f"batch:{week}", [[WHO, "", ""]])])
            ids.append(sent(ledger, week))
        run: set[int] = set()
        expected = "active"
        for n, (kind, week) in enumerate(steps):
            record(engine, event(n, "bounced" if kind == "soft" else "delivered", ids[week]), KEY)
            run = run | {week} if kind == "soft" else set()
            if len(run) >= SOFT_LIMIT:
                expected = "bounced"
            assert status(engine) == expected
    finally:
        engine.dispose()


def _cli_world(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A .env for the commands, and the store they will open."""
    (tmp_path / "var").mkdir()
    env = tmp_path / ".env"
    env.write_text(
        f"DIGEST_DATA_DIR={tmp_path / 'var'}\nDIGEST_SOURCES={SAMPLE}\n", encoding="utf-8"
    )
    return env, open_store(f"sqlite:///{tmp_path / 'var' / 'digest.db'}")


def test_deliveries_command_shows_event_counts_per_edition(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from digest.cli import main

    env, engine = _cli_world(tmp_path)
    try:
        ledger = Ledger(engine)
        ledger.ensure_edition("2026-W40", START)
        people = [[WHO, "", ""], ["b@example.org", "", ""], ["c@example.org", "", ""]]
        ledger.add_deliveries("2026-W40", "email:mailgun", [("batch:0", people)])
        mid = sent(ledger, 0)
        for n, (kind, who) in enumerate(
            [
                ("delivered", WHO),
                ("delivered", WHO),  # two events about one address count once
                ("delivered", "b@example.org"),
                ("bounced", "c@example.org"),
                ("complained", "b@example.org"),
            ]
        ):
            record(engine, MailEvent(f"mailgun:{n}", "mailgun", kind, True, who, mid, START), KEY)
        # About a message we never sent (the account's other mail): not stored, not counted.
        record(
            engine,
            MailEvent("mailgun:x", "mailgun", "bounced", True, "d@example.org", "other@mg", START),
            KEY,
        )
        capsys.readouterr()
        assert main(["--env-file", str(env), "deliveries"]) == 0
        out = capsys.readouterr().out
        assert "2026-W40             2 delivered, 1 bounced, 1 complained" in out
        assert "d@example.org" not in out and "(side emails)" not in out
        assert main(["--env-file", str(env), "deliveries", "--edition", "2026-W41"]) == 0
        assert "provider events" not in capsys.readouterr().out
    finally:
        engine.dispose()


def test_subscribers_count_and_list_know_bounced_and_complained(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from digest.cli import main

    env, engine = _cli_world(tmp_path)
    try:
        for who in ("a@example.org", "b@example.org", "c@example.org"):
            subscribers.add(engine, who)
        ledger = Ledger(engine)
        ledger.ensure_edition("2026-W40", START)
        people = [[who, "", ""] for who in ("a@example.org", "b@example.org", "c@example.org")]
        ledger.add_deliveries("2026-W40", "email:mailgun", [("batch:0", people)])
        mid = sent(ledger, 0)
        record(engine, MailEvent("mailgun:1", "mailgun", "bounced", True, "a@example.org", mid, START), KEY)
        record(
            engine, MailEvent("mailgun:2", "mailgun", "complained", False, "b@example.org", mid, START), KEY
        )
        capsys.readouterr()
        assert main(["--env-file", str(env), "subscribers", "count"]) == 0
        assert capsys.readouterr().out.strip() == "1 subscribed, 0 unsubscribed, 1 bounced, 1 complained"
        assert main(["--env-file", str(env), "subscribers", "list", "--status", "bounced"]) == 0
        assert capsys.readouterr().out.splitlines()[1:] == ["a@example.org,,,bounced"]
    finally:
        engine.dispose()


def test_policy_and_counts_on_postgresql(pg_url: str) -> None:  # noqa: F811
    from digest.store.mail_events import edition_counts

    engine = open_store(pg_url)
    try:
        ledger = Ledger(engine)
        subscribers.add(engine, WHO)
        ids = []
        for week in range(3):
            ledger.ensure_edition(f"2026-W{40 + week}", START + timedelta(weeks=week))
            ledger.add_deliveries(f"2026-W{40 + week}", "email:mailgun", [(f"batch:{week}", [[WHO, "", ""]])])
            ids.append(sent(ledger, week, "unknown"))
        record(engine, event(0, "delivered", ids[0]), KEY)
        for n in range(3):
            assert record(engine, event(n + 1, "bounced", ids[n]), KEY)
        assert status(engine) == "bounced"
        assert [r.status for r in ledger.deliveries("2026-W40")] == ["sent"]
        assert edition_counts(engine)["2026-W40"] == {"delivered": 1, "bounced": 1, "complained": 0}
    finally:
        engine.dispose()
