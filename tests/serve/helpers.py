"""Helpers of the serve tests: the app over a fresh store, forms with their CSRF token, emails
caught in the outbox, or sent for real through SMTP."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests

from tests.paths import SAMPLE


def app_client(root: Path, people: Iterable[str] = (), **env: str) -> tuple[Any, Any]:
    """`digest serve`'s app as a Flask test client over a fresh store in ``root`` (settings from
    ``env`` only), with ``people`` subscribed; and the store's engine (the caller disposes of it)."""
    from digest import subscribers
    from digest.plugins import load_settings
    from digest.serve import create_app
    from digest.store import open_store

    values = {"DIGEST_DATA_DIR": str(root / "var"), "DIGEST_SOURCES": str(SAMPLE), **env}
    settings = load_settings(environ=values, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    for address in people:
        subscribers.add(engine, address)
    return create_app(settings, engine).test_client(), engine


def sent_to(
    engine: Any,
    addresses: Iterable[str],
    provider_id: str,
    *,
    provider: str = "mailgun",
    edition: str = "2026-W48",
) -> int:
    """Record in the ledger a sent call of ``provider`` to ``addresses`` that its answer named
    ``provider_id`` (what a webhook event must match to be stored); returns the delivery's id."""
    from datetime import UTC, datetime

    from digest.store.ledger import Ledger

    ledger = Ledger(engine)
    ledger.ensure_edition(edition, datetime(2026, 11, 30, 9, tzinfo=UTC))
    target = f"batch:{provider_id}"
    ledger.add_deliveries(edition, f"email:{provider}", [(target, [[a, "", ""] for a in addresses])])
    row = next(r for r in ledger.deliveries(edition) if r.target == target)
    ledger.finish(row.id, "sent", provider_id=provider_id)
    return row.id


def sendgrid_key_pair() -> tuple[Any, str]:
    """A P-256 key pair as SendGrid makes one: the private key (to sign events) and the public key
    as SendGrid shows it (base64 DER, the value of DIGEST_SENDGRID_WEBHOOK_KEY)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(der).decode()


def sendgrid_headers(private_key: Any, body: bytes, stamp: str = "") -> dict[str, str]:
    """The headers of SendGrid's Signed Event Webhook for ``body``: an ECDSA P-256/SHA-256 signature
    over the timestamp followed by the raw body, made with ``private_key``."""
    import base64
    import time

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    stamp = stamp or str(int(time.time()))
    signature = private_key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def submit(session: requests.Session, url: str, **fields: str) -> requests.Response:
    """GET the form at ``url`` and POST it back with its hidden fields (the CSRF token) and ``fields``."""
    page = session.get(url)
    assert page.status_code == 200, page.status_code
    return session.post(url, data={**hidden_fields(page.text), **fields}, allow_redirects=False)


def queue_settled(root: Path, timeout: float = 30.0) -> None:
    """Wait until `digest serve`'s worker has sent (or dropped) every side email queued in the
    SQLite store under ``root`` (a sign-up's confirmation goes out after its answer)."""
    import time

    from digest.store import open_store
    from digest.store.side_mails import unsettled_count

    db = root / "var" / "digest.db"
    if not db.exists():
        return
    engine = open_store(f"sqlite:///{db}")
    try:
        deadline = time.monotonic() + timeout
        while unsettled_count(engine):
            assert time.monotonic() < deadline, "the side-email queue was not drained"
            time.sleep(0.05)
    finally:
        engine.dispose()


def outbox_messages(root: Path, address: str) -> list[EmailMessage]:
    """The emails written for ``address``, once every queued side email went out."""
    queue_settled(root)
    found = sorted((root / "var" / "outbox").rglob(f"{address}.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in found]  # type: ignore[misc]


OWN_IDENTITY = {"DIGEST_ORG_NAME": "Hanbit Bridge", "DIGEST_FROM": "Hanbit Bridge <news@hanbit.example>",
                "DIGEST_POSTAL_ADDRESS": "12 Real Street, Seoul"}


def sent_for_real(server: Any, address: str = "") -> list[EmailMessage]:
    """`digest send` through a real SMTP server (aiosmtpd), so the edition is published in the
    archive (an outbox send is a rehearsal, never published); the emails ``address`` got (all
    of them without one)."""
    from tests.fakes.smtp import smtp_server

    with smtp_server() as (box, port):
        done = server.cli("send", DIGEST_PROVIDER="smtp", DIGEST_SMTP_HOST="127.0.0.1",
                          DIGEST_SMTP_PORT=str(port), DIGEST_SMTP_SECURITY="none", **OWN_IDENTITY)
    assert done.returncode == 0, done.stderr
    messages = [email.message_from_bytes(raw, policy=email.policy.default) for raw in box.raw]
    return [m for m in messages if address in str(m["To"])]  # type: ignore[misc]  # "" is in every one


def first_link(message: EmailMessage, path: str) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"(https?://\S+" + re.escape(path) + r"\S+)", text)
    assert found, text
    return found.group(1)
