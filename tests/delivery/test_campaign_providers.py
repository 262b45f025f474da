"""Campaign providers against local fakes: draft, then start once; after a crash, read the status first."""

from __future__ import annotations

import pytest

from tests.fakes import esp_brevo, esp_buttondown, esp_listmonk, esp_mailchimp, esp_sendgrid
from tests.fakes.http_api import FakeApi, serve


def settings_for(name: str, base: str) -> dict[str, str]:
    return {
        "buttondown": {
            "DIGEST_BUTTONDOWN_API_KEY": esp_buttondown.KEY,
            "DIGEST_BUTTONDOWN_BASE_URL": base + "/v1",
        },
        "mailchimp": {
            "DIGEST_MAILCHIMP_API_KEY": esp_mailchimp.KEY,
            "DIGEST_MAILCHIMP_LIST_ID": "list1",
            "DIGEST_MAILCHIMP_BASE_URL": base + "/3.0",
        },
        "listmonk": {
            "DIGEST_LISTMONK_BASE_URL": base + "/api",
            "DIGEST_LISTMONK_USERNAME": esp_listmonk.USER,
            "DIGEST_LISTMONK_API_KEY": esp_listmonk.TOKEN,
            "DIGEST_LISTMONK_LIST_IDS": "3",
        },
        "brevo": {
            "DIGEST_BREVO_API_KEY": esp_brevo.KEY,
            "DIGEST_BREVO_BASE_URL": base + "/v3",
            "DIGEST_BREVO_LIST_IDS": "7",
        },
        "sendgrid-campaign": {
            "DIGEST_SENDGRID_API_KEY": esp_sendgrid.KEY,
            "DIGEST_SENDGRID_BASE_URL": base,
            "DIGEST_SENDGRID_LIST_IDS": "l-1",
            "DIGEST_SENDGRID_SENDER_ID": "42",
        },
    }[name]


FAKES = {
    "buttondown": (esp_buttondown.FakeButtondown, "published", "/publish"),
    "mailchimp": (esp_mailchimp.FakeMailchimp, "sent", "/actions/send"),
    "listmonk": (esp_listmonk.FakeListmonk, "started", "/status"),
    "brevo": (esp_brevo.FakeBrevo, "sent", "/sendNow"),
    "sendgrid-campaign": (esp_sendgrid.FakeSendGrid, "scheduled", "/schedule"),
}
CREATE = {
    "buttondown": "POST /v1/emails",
    "mailchimp": "POST /3.0/campaigns",
    "listmonk": "POST /api/campaigns",
    "brevo": "POST /v3/emailCampaigns",
    "sendgrid-campaign": "POST /v3/marketing/singlesends",
}


def started(api: FakeApi, name: str) -> list:  # type: ignore[type-arg]
    return getattr(api, FAKES[name][1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(FAKES))
def test_one_campaign_created_as_draft_and_started_once(world, name: str) -> None:  # type: ignore[no-untyped-def]
    with serve(FAKES[name][0]()) as api:
        w = world(DIGEST_PROVIDER=name, **settings_for(name, api.base))
        report = w.send()
        again = w.send()
    assert api.violations == []
    assert report.status == "sent", report.message
    assert len(started(api, name)) == 1
    assert "nothing sent again" in again.message
    row = w.rows()[0]
    assert row.target == "campaign" and row.provider_id == str(started(api, name)[0])


@pytest.mark.parametrize("name", sorted(FAKES))
def test_timeout_on_start_is_reconciled_from_the_campaign_status(world, name: str) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name][0]()
    fake.fail(FAKES[name][2], delay=2.5)  # the provider starts it; we do not hear back in time
    with serve(fake) as api:
        w = world(DIGEST_PROVIDER=name, DIGEST_HTTP_TIMEOUT="1", **settings_for(name, api.base))
        first = w.send()
        api.await_faults()  # the provider did start it, whenever the request reached the fake
        if name == "buttondown":
            # Its publish carries an idempotency key: repeating it replays the answer, nothing is unknown.
            assert first.counts == {"sent": 1} and len(started(api, name)) == 1
            return
        assert first.counts == {"unknown": 1}
        assert w.ledger.edition(first.key).status == "partial"  # type: ignore[union-attr]
        # The next run (a person or the scheduler) reads the status: settled without a second start.
        second = w.send()
    assert api.violations == []
    assert second.status == "sent" and second.counts == {"sent": 1}
    assert len(started(api, name)) == 1


@pytest.mark.parametrize("name", sorted(FAKES))
def test_server_errors_on_create_are_retried(world, name: str) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name][0]()
    fake.fail(CREATE[name], status=503, headers={"Retry-After": "0"})
    fake.fail(CREATE[name], status=429)
    with serve(fake) as api:
        w = world(DIGEST_PROVIDER=name, **settings_for(name, api.base))
        report = w.send()
    assert api.violations == []
    assert report.status == "sent" and report.stats.retried == 2
    assert len(started(api, name)) == 1


def test_a_draft_left_by_a_crash_is_started_not_recreated(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_listmonk.FakeListmonk()
    fake.fail("/status", drop="before")  # the start never reached the provider
    with serve(fake) as api:
        w = world(DIGEST_PROVIDER="listmonk", **settings_for("listmonk", api.base))
        first = w.send()
        assert first.counts == {"unknown": 1}
        second = w.send()
    assert second.status == "sent"
    assert len(api.campaigns) == 1 and api.started == [1]
    assert api.violations == []


def test_buttondown_replays_a_create_with_the_same_idempotency_key(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_buttondown.FakeButtondown()
    fake.fail("POST /v1/emails", drop="after")  # created, answer lost
    with serve(fake) as api:
        w = world(DIGEST_PROVIDER="buttondown", **settings_for("buttondown", api.base))
        report = w.send()
    # The create is safe to repeat (same key): one draft, published once, no unknown left.
    assert report.status == "sent", report.message
    assert len(api.emails) == 1 and api.published == ["em_1"]
    keys = [r.header("X-Idempotency-Key") for r in api.requests if r.path == "/v1/emails"]
    assert len(keys) == 2 and keys[0] == keys[1]


@pytest.mark.parametrize("name", ["buttondown", "mailchimp", "brevo"])
def test_send_test_sends_one_copy_and_leaves_the_edition_alone(world, name: str) -> None:  # type: ignore[no-untyped-def]
    from digest.deliver.testcopy import send_test
    from digest.providers import make_provider

    with serve(FAKES[name][0]()) as api:
        w = world(DIGEST_PROVIDER=name, **settings_for(name, api.base))
        message = send_test(w.settings, w.engine, make_provider(w.settings), "me@example.org", now=w.now)
    assert "test copy sent to me@example.org" in message
    assert started(api, name) == []
    assert api.violations == []
    assert all(e.status != "sent" for e in w.ledger.editions())
    subjects = [
        r.json().get("subject") or r.json().get("settings", {}).get("subject_line")
        for r in api.requests
        if r.method == "POST" and r.path in ("/v1/emails", "/3.0/campaigns", "/v3/emailCampaigns")
    ]
    assert subjects and all(s.startswith("[TEST] ") for s in subjects)
