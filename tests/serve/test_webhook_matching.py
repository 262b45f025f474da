"""Issue 20: only events about a message we sent are stored, and a forgotten address stays forgotten.

Events come through the signed or secret webhooks of the real app, shaped as each provider documents
them; strangers (addresses we never mailed, or our message id with someone else's address) leave no
trace in the database or the log, only a count."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.store.forgotten import address_hash, forget
from digest.store.ledger import Ledger
from digest.store.mail_events import counts
from digest.store.signups import lookup
from tests.serve.helpers import app_client, sendgrid_headers, sendgrid_key_pair, sent_to

SG_KEY, SG_PUBLIC = sendgrid_key_pair()
SECRET_KEY = "webhook-matching-test-key-0123456789"
SECRET = "webhook-secret-for-tests-0123456789abcdef"
OURS = [f"reader{n}@example.org" for n in range(5)]
STRANGERS = [f"stranger{n}@elsewhere.example" for n in range(20)]


@pytest.fixture
def hooks(tmp_path: Path):  # type: ignore[no-untyped-def]
    keys = {
        "DIGEST_SENDGRID_WEBHOOK_KEY": SG_PUBLIC,
        "DIGEST_POSTMARK_WEBHOOK_KEY": SECRET,
        "DIGEST_BREVO_WEBHOOK_KEY": SECRET,
        "DIGEST_SECRET_KEY": SECRET_KEY,
    }
    client, engine = app_client(tmp_path, OURS, **keys)
    yield client, engine, tmp_path / "var" / "digest.db"
    engine.dispose()


def dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(conn.iterdump()).lower()


def sendgrid(client, events: list) -> int:  # type: ignore[no-untyped-def,type-arg]
    body = json.dumps(events).encode()
    return int(
        client.post("/webhooks/sendgrid", data=body, headers=sendgrid_headers(SG_KEY, body)).status_code
    )


def sg_event(email: str, n: int, message: str = "Xm1", kind: str = "bounce", **extra: str) -> dict:  # type: ignore[type-arg]
    return {
        "email": email,
        "timestamp": int(time.time()),
        "event": kind,
        "type": "bounce",
        "sg_event_id": f"ev-{n}",
        "sg_message_id": f"{message}.filterdrecv-1.{n}",
        "reason": f"550 5.1.1 <{email}>: Recipient address rejected",
        **extra,
    }


def test_strangers_are_not_stored_and_the_log_only_counts_them(hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    client, engine, db = hooks
    sent_to(engine, OURS, "Xm1", provider="sendgrid")
    caplog.set_level(logging.INFO, logger="digest.serve")
    batch = [sg_event(who, n) for n, who in enumerate(STRANGERS)]
    batch += [sg_event(who, 100 + n) for n, who in enumerate(OURS[:2])]
    batch.append(sg_event("intruder@elsewhere.example", 200))  # our message id, not our recipient
    batch.append(sg_event(OURS[2], 201, message="NotOurs"))  # our recipient, someone else's message
    assert sendgrid(client, batch) == 200
    assert counts(engine) == {"bounced": 2}
    assert lookup(engine, OURS[0]).status == "bounced" and lookup(engine, OURS[2]).status == "active"  # type: ignore[union-attr]
    text = dump(db)
    assert not any(who in text for who in STRANGERS) and "intruder" not in text
    assert "22 event(s) about no message of ours dropped" in caplog.text
    assert "stranger" not in caplog.text and "intruder" not in caplog.text


def test_sendgrid_events_match_by_our_custom_args_too(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine, _ = hooks
    delivery = sent_to(engine, OURS, "", provider="sendgrid")  # the answer's id was lost
    [row] = [r for r in Ledger(engine).deliveries("2026-W48") if r.id == delivery]
    tag = row.idem_key[:16]
    assert sendgrid(client, [sg_event(OURS[0], 1, message="Lost", digest_batch=tag)]) == 200
    assert sendgrid(client, [sg_event(STRANGERS[0], 2, message="Lost", digest_batch=tag)]) == 200
    assert counts(engine) == {"bounced": 1}


def test_postmark_batches_match_each_message_by_its_metadata(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine, db = hooks
    delivery = sent_to(engine, OURS, "first-message-id", provider="postmark")
    [row] = [r for r in Ledger(engine).deliveries("2026-W48") if r.id == delivery]
    auth = ("digest", SECRET)
    for n, who in enumerate([OURS[3], STRANGERS[1]]):
        bounce = {
            "RecordType": "Bounce",
            "ID": 100 + n,
            "Type": "HardBounce",
            "MessageID": f"0a1b2c3d-0000-4000-8000-00000000000{n}",  # each message of a batch has its own
            "Email": who,
            "BouncedAt": "2026-12-01T10:00:00Z",
            "Metadata": {"digest_batch": row.idem_key[:16]},
        }
        assert client.post("/webhooks/postmark", json=bounce, auth=auth).status_code == 200
    assert counts(engine) == {"bounced": 1} and lookup(engine, OURS[3]).status == "bounced"  # type: ignore[union-attr]
    assert STRANGERS[1] not in dump(db)


def test_brevo_campaign_events_in_a_batch_are_the_providers_list(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine, db = hooks
    ledger = Ledger(engine)
    ledger.ensure_edition("2026-W48", datetime(2026, 11, 30, 9, tzinfo=UTC))
    ledger.add_deliveries("2026-W48", "email:brevo", [("campaign", None)])
    [row] = ledger.deliveries("2026-W48")
    ledger.finish(row.id, "sent", provider_id="77")
    batch = [
        {
            "event": "hard_bounce",
            "email": "on-brevos-list@example.org",
            "camp_id": 77,
            "ts_epoch": 1764583200000,
        },
        {"event": "spam", "email": "someone@example.org", "camp_id": 78, "ts_epoch": 1764583200000},
    ]
    bearer = {"Authorization": f"Bearer {SECRET}"}
    assert client.post("/webhooks/brevo", json=batch, headers=bearer).status_code == 200
    assert counts(engine) == {"bounced": 1}
    assert "on-brevos-list@example.org" in dump(db) and "someone@example.org" not in dump(db)


def test_an_event_about_a_side_email_is_ours(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine, _ = hooks
    ledger, now = Ledger(engine), datetime(2026, 12, 1, tzinfo=UTC)
    assert ledger.begin_side_mail("ab" * 20, "confirm", "new@example.org", "Please confirm", "sendgrid", now)
    ledger.finish_side_mail("ab" * 20, "sent", now, provider_id="Side1")
    assert sendgrid(client, [sg_event("new@example.org", 1, message="Side1")]) == 200
    assert counts(engine) == {"bounced": 1}


def test_after_forget_an_event_keeps_only_the_keyed_hash(hooks) -> None:  # type: ignore[no-untyped-def]
    client, engine, db = hooks
    sent_to(engine, OURS, "Xm1", provider="sendgrid")
    key = SECRET_KEY.encode()
    forget(engine, key, OURS[4])
    assert OURS[4] not in dump(db)
    assert sendgrid(client, [sg_event(OURS[4].upper(), 1)]) == 200  # the bounce text quotes the address
    assert counts(engine) == {"bounced": 1}
    text = dump(db)
    assert OURS[4] not in text and f"forgotten:{address_hash(key, OURS[4])}" in text
    assert lookup(engine, OURS[4]) is None  # nothing came back
