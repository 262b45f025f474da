"""The side-email queue: what a web request asks for is sent by a worker, not while it waits.

A sign-up answers as soon as its request is queued (:func:`queue_confirmation`: one row in
``side_mails``, whoever the address belongs to), so its answer takes the same time for a new
address, a waiting one, a subscriber and a forgotten one; whether a confirmation goes out is
decided later by :func:`drain`, which `digest serve`'s worker runs (:mod:`digest.serve.worker`).
What is not sent is deleted; what is sent goes through the one side-email path
(:mod:`digest.deliver.side_email`) under the key it was queued with.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from digest.config import Settings
from digest.deliver.confirm import SignUp, ask_to_confirm
from digest.deliver.side_email import SideEmail, send_side_email
from digest.deliver.signin import send_sign_in
from digest.store import Engine
from digest.store.side_mails import Queued, claim_queued, drop_claimed, fail_claimed, queue_side_mail
from digest.types import Recipient

log = logging.getLogger("digest.deliver")

STALE = timedelta(minutes=10)  # a claim this old belongs to a worker that stopped: take it again
BATCH = 20


def queue_confirmation(engine: Engine, signup: SignUp, now: datetime) -> None:
    """Queue the confirmation a sign-up asks for (checked and sent by :func:`drain`)."""
    nonce = secrets.token_hex(8)  # two requests in the same microsecond are still two rows
    idem_key = hashlib.sha256(f"confirm|{signup.address}|{now.isoformat()}|{nonce}".encode()).hexdigest()[:40]
    payload = json.dumps({"consent": signup.consent}, ensure_ascii=False)
    queue_side_mail(engine, Queued(idem_key, "confirm", signup.address, signup.language, payload), now)


def queue_welcome(engine: Engine, address: str, language: str, archive: str, now: datetime) -> None:
    """Queue the welcome of an address that has just confirmed (sent by :func:`drain`); ``archive``
    is the public page of the latest edition (or of the archive)."""
    idem_key = hashlib.sha256(f"welcome|{address}|{now.isoformat()}".encode()).hexdigest()[:40]
    payload = json.dumps({"archive": archive})
    queue_side_mail(engine, Queued(idem_key, "welcome", address, language, payload), now)


def queue_sign_in(engine: Engine, address: str, now: datetime) -> None:
    """Queue a volunteer's sign-in link (sent by :func:`drain` only if the address has an account)."""
    nonce = secrets.token_hex(8)
    idem_key = hashlib.sha256(f"login|{address}|{now.isoformat()}|{nonce}".encode()).hexdigest()[:40]
    queue_side_mail(engine, Queued(idem_key, "login", address, "", ""), now)


def drain(
    settings: Settings,
    engine: Engine,
    key: bytes,
    clock: Callable[[], datetime],
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Send (or drop) every side email waiting, until ``stopping()``; how many were handled.

    Stopping between emails leaves the rest of a batch claimed: another worker (or this one,
    started again) takes them after STALE.
    """
    handled = 0
    while not stopping() and (batch := claim_queued(engine, clock(), STALE, BATCH)):
        for mail in batch:
            if stopping():
                break
            _handle(settings, engine, key, mail, clock())
            handled += 1
    return handled


def _handle(settings: Settings, engine: Engine, key: bytes, mail: Queued, now: datetime) -> None:
    send = {"confirm": _confirm, "welcome": _welcome, "login": _sign_in}.get(mail.kind)
    if send is None or "@" not in mail.recipient:  # forgotten since it was queued
        drop_claimed(engine, mail.idem_key)
        return
    try:
        sent = send(settings, engine, key, mail, now)
    except Exception as exc:  # noqa: BLE001 - one email's failure never stops the queue
        log.error("could not send a %s email: %s", mail.kind, type(exc).__name__)
        fail_claimed(engine, mail.idem_key, now, f"{type(exc).__name__}: {exc}")
        return
    if not sent:  # subscribed, forgotten, asked too often, left: nothing goes out, nothing stays
        drop_claimed(engine, mail.idem_key)


def _confirm(settings: Settings, engine: Engine, key: bytes, mail: Queued, now: datetime) -> bool:
    consent = str(json.loads(mail.payload or "{}").get("consent", ""))
    signup = SignUp(mail.recipient, mail.language, consent)
    return ask_to_confirm(
        settings, engine, signup, key=key, public_url=settings.public_url, now=now, idem_key=mail.idem_key
    )


def _sign_in(settings: Settings, engine: Engine, key: bytes, mail: Queued, now: datetime) -> bool:
    return send_sign_in(settings, engine, mail.recipient, mail.idem_key, now)


def _welcome(settings: Settings, engine: Engine, key: bytes, mail: Queued, now: datetime) -> bool:
    """The welcome, unless the address left (or was forgotten) since it confirmed."""
    from digest.store.subscribers import active_among
    from digest.unsubscribe import PREFERENCES, UNSUBSCRIBE, day_of, link_url, token_for

    address = mail.recipient
    if not active_among(engine, [address]) or not settings.public_url:
        return False
    made = day_of(now)
    archive = str(json.loads(mail.payload or "{}").get("archive", ""))
    manage, leave = (token_for(engine, key, purpose, address, made) for purpose in (PREFERENCES, UNSUBSCRIBE))
    links = {
        "archive": archive or settings.public_url + "/archive",
        "manage": link_url(settings.preferences_template, manage),
        "unsubscribe": link_url(settings.unsubscribe_template, leave),
    }
    welcome = SideEmail(
        kind="welcome",
        to=Recipient(email=address),
        language=mail.language,
        context=links,
        key="welcome:" + hashlib.sha256(address.encode()).hexdigest()[:16],
        idem_key=mail.idem_key,
    )
    send_side_email(settings, engine, welcome, now)
    return True
