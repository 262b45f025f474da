"""SendGrid (ECDSA over timestamp + raw body), Postmark and Brevo (a secret in basic auth or a
bearer token) webhooks, with payloads shaped like their documentation: good ones suppress as the
policy says, bad credentials and forged signatures record nothing, retries are stored once."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from digest.store.mail_events import counts
from digest.store.signups import lookup
from tests.serve.helpers import app_client, sendgrid_headers, sendgrid_key_pair, sent_to

SECRET = "a-long-random-webhook-secret-0123456789"
SG_KEY, SG_PUBLIC = sendgrid_key_pair()
PEOPLE = ("hard@example.org", "soft@example.org", "spam@example.org", "leave@example.org", "fine@example.org")
# The ids the providers' answers gave our calls to PEOPLE, as the events below name them.
SENT = ("msg1", "msg2", "msg3", "msg4", "msg5", "883953f4-6105-42a2-a16a-77a8eac79483", "m3", "m4",
        "<201798300811.5787683@relay.domain.com>")


@pytest.fixture
def hooks(tmp_path: Path):  # type: ignore[no-untyped-def]
    keys = {"DIGEST_POSTMARK_WEBHOOK_KEY": SECRET, "DIGEST_BREVO_WEBHOOK_KEY": SECRET}
    client, engine = app_client(tmp_path, PEOPLE, DIGEST_SENDGRID_WEBHOOK_KEY=SG_PUBLIC, **keys)
    for provider_id in SENT:
        sent_to(engine, PEOPLE, provider_id)
    yield client, engine
    engine.dispose()


def statuses(engine) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a: lookup(engine, a).status for a in PEOPLE}  # type: ignore[union-attr]


def sendgrid_post(client, events: list, *, key=SG_KEY, stamp: str = "", tamper: bool = False):  # type: ignore[no-untyped-def,type-arg]
    body = json.dumps(events).encode()
    sent = body.replace(b"fine@", b"hard@") if tamper else body
    return client.post("/webhooks/sendgrid", data=sent, headers=sendgrid_headers(key, body, stamp))


def sg(event: str, email: str, n: int, **extra: str) -> dict:  # type: ignore[type-arg]
    return {
        "email": email,
        "timestamp": int(time.time()),
        "event": event,
        "sg_event_id": f"sg-{n}",
        "sg_message_id": f"msg{n}.filter",
        **extra,
    }


def test_sendgrid_signed_batch_applies_policy_and_forgeries_record_nothing(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine = hooks
    other = ec.generate_private_key(ec.SECP256R1())
    batch = [
        sg("bounce", "hard@example.org", 1, type="bounce"),
        sg("bounce", "soft@example.org", 2, type="blocked"),
        sg("spamreport", "spam@example.org", 3),
        sg("group_unsubscribe", "leave@example.org", 4),
        sg("delivered", "fine@example.org", 5),
    ]
    assert sendgrid_post(client, batch, key=other).status_code == 401
    assert sendgrid_post(client, batch, tamper=True).status_code == 401  # a re-serialised or altered body
    assert sendgrid_post(client, batch, stamp=str(int(time.time()) - 3600)).status_code == 400
    assert counts(engine) == {} and set(statuses(engine).values()) == {"active"}
    assert sendgrid_post(client, batch).status_code == 200
    assert sendgrid_post(client, batch).status_code == 200  # SendGrid's retry: stored once
    assert statuses(engine) == {
        "hard@example.org": "bounced",
        "soft@example.org": "active",
        "spam@example.org": "complained",
        "leave@example.org": "unsubscribed",
        "fine@example.org": "active",
    }
    assert sum(counts(engine).values()) == 5
    assert sendgrid_post(client, [{"no": "email"}]).status_code == 400


def test_postmark_needs_the_secret_and_follows_its_record_types(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine = hooks
    hard = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": "hard@example.org",
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Description": "The server was unable to deliver your message",
    }
    soft = {**hard, "ID": 2, "Type": "SoftBounce", "TypeCode": 4096, "Email": "soft@example.org"}
    spam = {
        "RecordType": "SpamComplaint",
        "ID": 3,
        "Type": "SpamComplaint",
        "Email": "spam@example.org",
        "MessageID": "m3",
        "BouncedAt": "2026-12-01T10:00:00Z",
    }
    change = {
        "RecordType": "SubscriptionChange",
        "MessageID": "m4",
        "Recipient": "leave@example.org",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "ChangedAt": "2026-12-01T10:00:00Z",
    }
    wrong = ("digest", "not-the-secret")
    assert client.post("/webhooks/postmark", json=hard).status_code == 401
    assert client.post("/webhooks/postmark", json=hard, auth=wrong).status_code == 401
    assert counts(engine) == {}
    for item in (hard, soft, spam, change, hard):
        assert client.post("/webhooks/postmark", json=item, auth=("digest", SECRET)).status_code == 200
    assert statuses(engine)["hard@example.org"] == "bounced"
    assert statuses(engine)["soft@example.org"] == "active"
    assert statuses(engine)["spam@example.org"] == "complained"
    assert statuses(engine)["leave@example.org"] == "unsubscribed"
    assert sum(counts(engine).values()) == 4  # the repeated hard bounce was stored once


def test_brevo_accepts_a_bearer_token_and_dedupes_without_event_ids(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine = hooks
    event = {
        "event": "hard_bounce",
        "email": "hard@example.org",
        "id": 1,
        "message-id": "<201798300811.5787683@relay.domain.com>",
        "ts_epoch": 1764583200000,
        "reason": "unknown user",
    }
    spam = {**event, "event": "spam", "email": "spam@example.org"}
    bearer = {"Authorization": f"Bearer {SECRET}"}
    assert (
        client.post("/webhooks/brevo", json=event, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    assert client.post("/webhooks/brevo", json=event).status_code == 401
    assert client.post("/webhooks/brevo", json=event, headers=bearer).status_code == 200
    assert client.post("/webhooks/brevo", json=event, headers=bearer).status_code == 200
    assert client.post("/webhooks/brevo", json=spam, auth=("digest", SECRET)).status_code == 200
    assert (
        client.post(
            "/webhooks/brevo", data=b"{oops", headers=bearer, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        statuses(engine)["hard@example.org"] == "bounced"
        and statuses(engine)["spam@example.org"] == "complained"
    )
    assert counts(engine) == {"bounced": 1, "complained": 1}
