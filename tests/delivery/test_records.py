"""Outcomes in doubt settled from the provider's own records (issue 21), against local fakes that
serve each provider's documented records API and check every request against it.

A 5xx or a time-out after a batch left leaves it ``unknown``. Once DIGEST_RECONCILE_AFTER has
passed, the next `digest send` asks the provider: found -> sent at once; not found -> sent again
once, but only after the provider's settle window (its records arrive late), never twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digest.deliver.modes import for_a_person
from digest.deliver.records import Asking
from digest.providers import make_provider
from tests.delivery.test_http_providers import FAKES, PATHS, run
from tests.fakes import esp_mailgun, esp_sendgrid
from tests.fakes.http_api import FakeApi, serve

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)  # a Wednesday: the week's edition, far from its edges
LATER = timedelta(minutes=31)  # past every provider's settle window (half an hour)
RECORDS = {"mailgun": "/events", "postmark": "/messages/outbound", "sendgrid": "/v3/messages"}


def world_at(world, name: str, api: FakeApi, n: int, **extra: str):  # type: ignore[no-untyped-def]
    extra.setdefault("DIGEST_RECONCILE_AFTER", "0s")
    w, emails = run(world, name, api, n, **extra)
    w.now = NOW
    return w, emails


def record_reads(api: FakeApi, name: str) -> list[str]:
    return [r.path for r in api.requests if r.method == "GET" and RECORDS[name] in r.path]


@pytest.mark.parametrize("name", sorted(FAKES))
def test_a_batch_the_provider_got_before_its_5xx_is_marked_sent_at_once(world, name: str) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name]()
    fake.fail(PATHS[name], status=500, handled=True, body={"message": "upstream hiccup"})
    with serve(fake) as api:
        w, emails = world_at(world, name, api, 1_200)
        first = w.send()
        calls = api.calls  # type: ignore[attr-defined]
        second = w.send()  # the same minute: finding it needs no settle window
    assert api.violations == []
    assert first.counts == {"sent": first.counts["sent"], "unknown": 1}, first.message
    assert second.status == "sent", second.message
    assert api.calls == calls  # type: ignore[attr-defined]  # nothing made again
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]  # each once
    assert record_reads(api, name)
    [row] = [r for r in w.rows() if "records show it got" in r.last_error]
    assert row.status == "sent"
    assert any(e["kind"] == "reconciled" for e in w.ledger.recent_events(10))


@pytest.mark.parametrize("name", sorted(FAKES))
def test_a_batch_the_provider_never_got_is_sent_again_once_after_the_settle_window(world, name: str) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name]()
    fake.fail(PATHS[name], status=502, body={"message": "bad gateway"})  # refused before acting
    with serve(fake) as api:
        w, emails = world_at(world, name, api, 40)
        first = w.send()
        early = w.send()  # absence proves nothing yet: no second call
        calls = api.calls  # type: ignore[attr-defined]
        w.now = NOW + LATER
        later = w.send()
        again = w.send()
    assert api.violations == []
    assert first.counts == {"unknown": 1} and early.counts == {"unknown": 1}, early.message
    assert calls == 0  # type: ignore[comparison-overlap]  # the 502 call was never handled
    assert later.status == "sent", later.message
    assert api.calls == 1  # type: ignore[attr-defined]  # sent again once
    assert "already sent" in again.message and api.calls == 1  # type: ignore[attr-defined]
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]
    assert w.rows()[0].resends == 1


def test_mailgun_429_then_a_500_that_accepted_nothing_misses_nobody_and_doubles_nobody(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_mailgun.FakeMailgun()
    fake.fail("/messages", status=429, headers={"Retry-After": "1"}, body={"message": "slow down"})
    fake.fail("/messages", status=500, body={"message": "Internal Server Error"})
    with serve(fake) as api:
        w, emails = world_at(world, "mailgun", api, 2_500)  # three batches
        first = w.send()
        w.now = NOW + LATER
        second = w.send()
    assert api.violations == []
    assert first.counts == {"sent": 2, "unknown": 1}, first.message
    assert second.status == "sent", second.message
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]  # nobody missed, nobody twice
    # Every batch carried the edition's tag; the events were asked for by that tag.
    key = w.ledger.editions(1)[0].key
    tag = "digest-" + key.replace(":", "-")
    assert all(tag.lower() in e["tags"] for e in api.events)  # type: ignore[attr-defined]
    reads = record_reads(api, "mailgun")
    assert reads and f"tags={tag}" in reads[0]  # then page by page: paging.next, to an empty page


@pytest.mark.parametrize("name", sorted(FAKES))
def test_part_of_a_batch_the_provider_never_got_goes_again_in_a_call_of_its_own(world, name: str) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name]()
    fake.fail(PATHS[name], delay=2.5)  # handled, answered too late: unknown
    with serve(fake) as api:
        w, emails = world_at(world, name, api, 30, DIGEST_HTTP_TIMEOUT="1")
        w.send()
        lost = set(emails[3:6])
        api.forget(lost)  # type: ignore[attr-defined]  # as if the provider got only part of it
        w.now = NOW + LATER
        report = w.send()
    assert api.violations == []
    assert report.status == "sent", report.message
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]
    rows = w.rows()
    assert [r.target for r in rows] == ["batch:000001", "batch:000001~again"]
    assert {r[0] for r in rows[1].data()} == lost and len(rows[0].data()) == 27
    assert rows[1].resends == 1


def test_a_call_sent_again_and_in_doubt_again_is_left_for_a_person(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_mailgun.FakeMailgun()
    fake.fail("/messages", status=503, body={"message": "unavailable"})
    fake.fail("/messages", status=503, body={"message": "unavailable"})
    with serve(fake) as api:
        w, _ = world_at(world, "mailgun", api, 5)
        w.send()
        w.now = NOW + LATER
        second = w.send()  # never got it: sent again once, and that one is in doubt too
        w.now = NOW + 3 * LATER
        third = w.send()
        provider = make_provider(w.settings)
        left = for_a_person(w.engine, provider, w.rows()[0].edition_key, Asking(w.now.timestamp(), 0))
    assert second.counts == third.counts == {"unknown": 1}
    assert len([r for r in api.requests if r.method == "POST"]) == 2  # never a third call
    assert api.delivered == []  # type: ignore[attr-defined]
    assert [r.id for r in left] == [w.rows()[0].id]


def test_records_that_cannot_be_read_change_nothing_until_they_can(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_mailgun.FakeMailgun()
    fake.fail("/messages", status=500, handled=True, body={"message": "oops"})
    fake.fail("/events", status=500, body={"message": "events are down"})
    with serve(fake) as api:
        w, emails = world_at(world, "mailgun", api, 8)
        w.send()
        stuck = w.send()
        after = w.send()
    assert stuck.counts == {"unknown": 1}
    events = w.ledger.recent_events(10)
    assert any(e["kind"] == "records" and "could not be read" in e["message"] for e in events)
    assert after.status == "sent" and sorted(api.delivered) == emails  # type: ignore[attr-defined]


def test_records_are_asked_only_once_reconcile_after_has_passed(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_mailgun.FakeMailgun()
    fake.fail("/messages", status=500, handled=True, body={"message": "oops"})
    with serve(fake) as api:
        w, _ = world_at(world, "mailgun", api, 8, DIGEST_RECONCILE_AFTER="10m")
        w.send()
        w.now = NOW + timedelta(minutes=2)
        early = w.send()
        reads = len(record_reads(api, "mailgun"))
        w.now = NOW + timedelta(minutes=11)
        late = w.send()
    assert early.counts == {"unknown": 1} and reads == 0
    assert late.status == "sent" and record_reads(api, "mailgun")


def test_sendgrid_without_email_activity_trusts_only_its_webhook_events(world) -> None:  # type: ignore[no-untyped-def]
    from digest.store.mail_events import record
    from digest.types import MailEvent
    from digest.unsubscribe import secret_key

    fake = esp_sendgrid.FakeSendGrid(activity=False)
    fake.fail("/v3/mail/send", status=500, handled=True, body={"errors": [{"message": "oops"}]})
    with serve(fake) as api:
        w, emails = world_at(world, "sendgrid", api, 6)
        w.send()
        w.now = NOW + LATER
        waiting = w.send()  # no Email Activity, no event: it cannot tell, and nothing is resent
        row = w.rows()[0]
        provider = make_provider(w.settings)
        left = for_a_person(w.engine, provider, row.edition_key, Asking(w.now.timestamp(), 0))
        # Its webhook then brings a "processed" event for each recipient, naming the batch.
        for n, address in enumerate(emails):
            event = MailEvent(
                event_id=f"sendgrid:ev{n}", provider="sendgrid", kind="other", hard=False,
                recipient=address, message_id="", at=NOW, detail="processed", tag=row.idem_key[:16],
            )
            assert record(w.engine, event, secret_key(w.settings))
        told = w.send()
    assert api.violations == []
    assert waiting.counts == {"unknown": 1} and api.calls == 1  # type: ignore[attr-defined]
    assert [r.id for r in left] == [row.id] and "cannot tell" in row.last_error
    assert told.status == "sent" and sorted(api.delivered) == emails  # type: ignore[attr-defined]


def test_mailgun_follows_its_pages_only_on_the_configured_api() -> None:
    from digest.providers.mailgun import same_api

    root = "http://127.0.0.1:8025/v3"
    # Mailgun names its own host in paging.next: the page is read from the configured one.
    page = "https://api.mailgun.net/v3/mg.example.org/events/W3siYiI6IDF9XQ=="
    assert same_api(root, page) == "http://127.0.0.1:8025/v3/mg.example.org/events/W3siYiI6IDF9XQ=="
    assert same_api(root, "https://elsewhere.example/v3/mg.example.org/events/x").startswith(root + "/")
    assert same_api(root, "https://elsewhere.example/collect?key=1") == ""  # outside the API
    assert same_api(root, "") == ""
