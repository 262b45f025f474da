"""Mailgun's webhook: signed with a test key as its documentation describes; bad signatures,
stale timestamps, replays, malformed and oversized bodies (over DIGEST_WEBHOOK_MAX_MB) record
nothing; a hard bounce suppresses the address, and the next edition sent through the local
Mailgun fake skips it."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path

import pytest

from digest.plugins import load_settings
from digest.serve import create_app
from digest.store.mail_events import counts
from digest.store.signups import lookup
from tests.fakes import esp_mailgun
from tests.fakes.http_api import serve as serve_api
from tests.paths import SAMPLE
from tests.serve.conftest import add_people
from tests.serve.helpers import app_client, sent_to

KEY = "mailgun-webhook-signing-key-test"
MESSAGE = "20261201.1@mg.example.org"  # the id Mailgun's answer gave our batch


def signed(event: dict, *, key: str = KEY, timestamp: float | None = None, token: str = "") -> dict:  # type: ignore[type-arg]
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    token = token or secrets.token_hex(25)  # Mailgun's tokens are 50 characters
    digest = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {"signature": {"timestamp": stamp, "token": token, "signature": digest}, "event-data": event}


OURS = {"message": {"headers": {"message-id": MESSAGE}}}


def bounce(recipient: str, severity: str = "permanent") -> dict:  # type: ignore[type-arg]
    return {
        "event": "failed",
        "severity": severity,
        "reason": "bounce",
        "recipient": recipient,
        "timestamp": time.time(),
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "message": {"headers": {"message-id": MESSAGE}},
        "delivery-status": {"code": 550, "message": "5.1.1 The email account does not exist"},
    }


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    people = ("gone@example.org", "angry@example.org", "fine@example.org", "soft@example.org")
    http, engine = app_client(tmp_path, people, DIGEST_MAILGUN_WEBHOOK_KEY=KEY)
    sent_to(engine, people, f"<{MESSAGE}>")  # as Mailgun's send answer has it, in angle brackets
    yield http, engine
    engine.dispose()


def status(engine, address: str) -> str:  # type: ignore[no-untyped-def]
    row = lookup(engine, address)
    return row.status if row else "absent"


def post(client, body) -> int:  # type: ignore[no-untyped-def]
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return int(client.post("/webhooks/mailgun", data=data, content_type="application/json").status_code)


def test_hard_bounce_and_complaint_suppress_soft_bounce_does_not(client) -> None:  # type: ignore[no-untyped-def]
    http, engine = client
    assert post(http, signed(bounce("Gone@example.org"))) == 200
    complaint = {"event": "complained", "recipient": "angry@example.org", "timestamp": time.time(), **OURS}
    assert post(http, signed(complaint)) == 200
    assert post(http, signed(bounce("soft@example.org", "temporary"))) == 200
    assert status(engine, "gone@example.org") == "bounced"
    assert status(engine, "angry@example.org") == "complained"
    assert status(engine, "soft@example.org") == "active"
    assert status(engine, "fine@example.org") == "active"


def test_bad_signature_stale_replay_malformed_and_oversized_record_nothing(client) -> None:  # type: ignore[no-untyped-def]
    http, engine = client
    event = bounce("gone@example.org")
    assert post(http, signed(event, key="not-the-key")) == 401
    forged = signed(event)
    forged["signature"]["signature"] = "0" * 64
    assert post(http, forged) == 401
    assert post(http, signed(event, timestamp=time.time() - 3600)) == 406
    assert post(http, b"{not json") == 400
    assert post(http, b"[1, 2]") == 400
    assert post(http, {"signature": "x", "event-data": event}) == 400
    assert post(http, signed({**event, "padding": "x" * 5 * 1024 * 1024})) == 413  # DIGEST_WEBHOOK_MAX_MB=5
    assert counts(engine) == {} and status(engine, "gone@example.org") == "active"
    # The same signed event twice (a replay, or Mailgun's retry): stored once, nothing more happens.
    once = signed({"event": "delivered", "recipient": "fine@example.org", "timestamp": time.time(), **OURS})
    assert post(http, once) == 200 and post(http, once) == 200
    assert counts(engine) == {"delivered": 1}
    # A replayed token with the signed fields reused but other event data: still the same event.
    swapped = {**once, "event-data": bounce("fine@example.org")}
    assert post(http, swapped) == 200
    assert counts(engine) == {"delivered": 1} and status(engine, "fine@example.org") == "active"


def test_without_a_key_the_webhook_is_off(tmp_path: Path) -> None:
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE)}
    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True)
    app = create_app(settings)
    assert post(app.test_client(), signed(bounce("a@example.org"))) == 404


def test_a_bounce_through_the_real_server_keeps_the_next_edition_away(make_server) -> None:  # type: ignore[no-untyped-def]
    import requests

    with serve_api(esp_mailgun.FakeMailgun()) as api:
        srv = make_server(
            DIGEST_PROVIDER="mailgun",
            DIGEST_MAILGUN_API_KEY=esp_mailgun.KEY,
            DIGEST_MAILGUN_DOMAIN=esp_mailgun.DOMAIN,
            DIGEST_MAILGUN_BASE_URL=api.base + "/v3",
            DIGEST_MAILGUN_WEBHOOK_KEY=KEY,
        )
        add_people(srv, ("stays@example.org", ""), ("bounces@example.org", ""))
        first = srv.cli("send")
        assert first.returncode == 0, first.stderr
        assert sorted(api.delivered) == ["bounces@example.org", "stays@example.org"]
        event = bounce("bounces@example.org")
        event["message"]["headers"]["message-id"] = f"batch1@{esp_mailgun.DOMAIN}"  # the fake's answer
        answer = requests.post(srv.url("/webhooks/mailgun"), json=signed(event), timeout=10)
        assert answer.status_code == 200
        again = srv.cli("send", DIGEST_SCHEDULE="0 9 * * *", DIGEST_SEND_WHEN_EMPTY="true")
        assert again.returncode == 0, again.stderr
        assert sorted(api.delivered) == ["bounces@example.org", "stays@example.org", "stays@example.org"]
        assert api.violations == []
        # An import of the same list does not bring the bounced address back.
        (srv.root / "again.csv").write_text("email\nbounces@example.org\n")
        srv.cli("subscribers", "import", "again.csv")
        engine = srv.engine()
        try:
            assert status(engine, "bounces@example.org") == "bounced"
        finally:
            engine.dispose()
