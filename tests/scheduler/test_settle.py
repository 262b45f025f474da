"""The scheduler settles a partly sent edition exactly when `digest send` would, and never resends
a non-idempotent unknown. Campaign providers against their local fakes; an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from digest.cli import main
from digest.errors import ProviderError
from digest.jobs.digest_job import check_digest
from digest.providers.base import Outgoing, SendResult
from digest.providers.outbox import OutboxProvider
from digest.store import open_store, schema
from digest.store.ledger import Ledger
from tests.delivery.test_campaign_providers import FAKES, settings_for, started
from tests.fakes.http_api import serve
from tests.fakes.smtp import Mailbox, smtp_server
from tests.scheduler.conftest import add_subscribers, editions, write_feed

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)
KEY = "weekly:2026-W23"
# Posts published without approval are queued as `pending` social rows by the check:
# they must not hold the email edition in `sending` once it is settled.
SOCIAL = {
    "DIGEST_SOCIAL_PLATFORMS": "mastodon",
    "DIGEST_SOCIAL_APPROVAL": "false",
    "DIGEST_MASTODON_TOKEN": "test-token-not-used",
    "DIGEST_MASTODON_BASE_URL": "http://127.0.0.1:9",  # the check only queues; nothing is published
}


def berlin(make_settings, tmp_path: Path, **extra: str):  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=1))])
    return make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="0 9 * * 1", DIGEST_TIMEZONE="Europe/Berlin", **extra
    )


def email_statuses(engine) -> list[str]:  # type: ignore[no-untyped-def]
    d = schema.deliveries
    with engine.connect() as conn:
        return sorted(conn.scalars(select(d.c.status).where(d.c.channel.like("email:%"))))


def alerts(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return list(conn.scalars(select(schema.alerts.c.key)))


CAMPAIGNS = sorted(n for n in FAKES if n != "buttondown")  # Buttondown's publish replays: never unknown


@pytest.mark.parametrize("name", CAMPAIGNS)
def test_unknown_campaign_start_is_settled_by_the_next_check(tmp_path, make_settings, name) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name][0]()
    fake.fail(FAKES[name][2], delay=2.5)  # the provider starts it; the answer comes too late
    with serve(fake) as api:
        settings = berlin(
            make_settings, tmp_path, DIGEST_PROVIDER=name, DIGEST_HTTP_TIMEOUT="1",
            **settings_for(name, api.base), **SOCIAL,
        )
        engine = open_store(settings.db_url)
        first = check_digest(settings, engine, MONDAY + timedelta(minutes=1))
        api.await_faults()  # the provider did start it, whenever the request reached the fake
        assert (first.key, first.outcome) == (KEY, "settling"), first.message
        assert not first.trouble  # the campaign's status settles it: nothing for a person
        assert email_statuses(engine) == ["unknown"] and editions(engine) == {KEY: "partial"}
        assert alerts(engine) == []
        # The watchdog's next look reads the campaign's status: it was started, so it is sent.
        second = check_digest(settings, engine, MONDAY + timedelta(minutes=16))
        third = check_digest(settings, engine, MONDAY + timedelta(minutes=31))
    assert api.violations == []
    assert (second.outcome, third.outcome) == ("sent", "done"), second.message
    assert len(started(api, name)) == 1  # never started twice
    assert editions(engine) == {KEY: "sent"} and email_statuses(engine) == ["sent"]
    assert alerts(engine) == []  # settled without a person: nobody was alerted
    kinds = [e["kind"] for e in Ledger(engine).recent_events(20)]
    assert "settled" in kinds


def test_campaign_status_unreadable_stays_partial_until_it_can_be_read(tmp_path, make_settings) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES["listmonk"][0]()
    fake.fail("/status", delay=2.5)
    with serve(fake) as api:
        settings = berlin(
            make_settings, tmp_path, DIGEST_PROVIDER="listmonk", DIGEST_HTTP_TIMEOUT="1",
            **settings_for("listmonk", api.base),
        )
        engine = open_store(settings.db_url)
        assert check_digest(settings, engine, MONDAY + timedelta(minutes=1)).outcome == "settling"
        api.await_faults()  # the campaign was started, whenever the request reached the fake
        fake.fail("GET /api/campaigns/1", status=500)  # the provider is having a bad moment
        stuck = check_digest(settings, engine, MONDAY + timedelta(minutes=16))
        assert stuck.outcome == "settling" and email_statuses(engine) == ["unknown"]
        assert len(api.started) == 1  # an unreadable status never leads to a second start
        later = check_digest(settings, engine, MONDAY + timedelta(minutes=31))
    assert later.outcome == "sent" and api.started == [1]
    assert api.violations == []
    reads = [r for r in api.requests if r.method == "GET" and r.path == "/api/campaigns/1"]
    assert len(reads) == 2
    # The unchanged partial state is not recorded again at every look (and no alert: the
    # campaign's status settles it, once it can be read).
    events = Ledger(engine).recent_events(30)
    assert [e["level"] for e in events if e["kind"] == "partial"] == ["warning"]


def test_non_idempotent_unknown_is_never_resent_by_the_scheduler(tmp_path, make_settings) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(data_replies=["", "drop"])  # the second message's DATA: connection gone, outcome unknown
    with smtp_server(box) as (box, port):
        settings = berlin(
            make_settings, tmp_path, DIGEST_PROVIDER="smtp", DIGEST_SMTP_HOST="127.0.0.1",
            DIGEST_SMTP_PORT=str(port), DIGEST_SMTP_SECURITY="none", DIGEST_SMTP_CONNECTIONS="1",
        )
        engine = open_store(settings.db_url)
        add_subscribers(engine, 3)
        first = check_digest(settings, engine, MONDAY + timedelta(minutes=1))
        assert first.outcome == "partial"
        assert email_statuses(engine) == ["sent", "sent", "unknown"]
        sessions = box.sessions
        for quarter in (1, 2, 3):
            again = check_digest(settings, engine, MONDAY + timedelta(minutes=1 + 15 * quarter))
            assert again.outcome == "done" and "nothing digest can settle" in again.message
        assert box.sessions == sessions  # not even a connection was opened
    assert len(box.raw) == 2 and email_statuses(engine) == ["sent", "sent", "unknown"]
    assert editions(engine) == {KEY: "partial"}
    # One alert, for a person, naming who may not have got it (the server cannot be asked).
    assert alerts(engine) == [f"unknown:{KEY}"]
    with engine.connect() as conn:
        message = conn.scalar(select(schema.alerts.c.message))
    [unknown] = Ledger(engine).deliveries(KEY, "email:smtp", statuses=("unknown",))
    assert unknown.data()[0][0] in message and "smtp cannot tell" in message


class FlakyOutbox(OutboxProvider):
    """Writes the files, then reports a lost answer on the first call (as a timeout would)."""

    calls = 0

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        FlakyOutbox.calls += 1
        result = super().send_batch(batch, idem_key)
        if FlakyOutbox.calls == 1:
            raise ProviderError(self.name, "no answer in time", outcome_unknown=True)
        return result


def test_idempotent_provider_unknown_is_resent_with_the_same_key(tmp_path, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = berlin(make_settings, tmp_path, **SOCIAL)
    engine = open_store(settings.db_url)
    emails = add_subscribers(engine, 3)
    FlakyOutbox.calls = 0
    flaky = FlakyOutbox.from_settings
    first = check_digest(settings, engine, MONDAY + timedelta(minutes=1), provider_factory=flaky)
    assert first.outcome == "settling" and email_statuses(engine) == ["unknown"]
    social = [r for r in Ledger(engine).deliveries(KEY) if r.channel.startswith("social:")]
    assert social and {r.status for r in social} == {"pending"}
    idem = Ledger(engine).deliveries(KEY, "email:outbox")[0].idem_key
    second = check_digest(settings, engine, MONDAY + timedelta(minutes=16), provider_factory=flaky)
    assert second.outcome == "sent", second.message
    assert FlakyOutbox.calls == 2
    row = Ledger(engine).deliveries(KEY, "email:outbox")[0]
    assert row.status == "sent" and row.idem_key == idem
    files = sorted(p.stem for p in (settings.data_dir / "outbox").glob("*/*.eml"))
    assert files == sorted(emails)
    assert editions(engine) == {KEY: "sent"}
    # Resending with the same key settles it: nobody was alerted, and `digest status` is fine.
    assert alerts(engine) == []
    env = tmp_path / "status.env"
    env.write_text(
        f"DIGEST_DATA_DIR={settings.data_dir}\nDIGEST_SOURCES={tmp_path / 'feed.xml'}\n"
        "DIGEST_SCHEDULE=0 9 * * 1\nDIGEST_TIMEZONE=Europe/Berlin\n",
        encoding="utf-8",
    )
    assert main(["--env-file", str(env), "status"]) == 0
