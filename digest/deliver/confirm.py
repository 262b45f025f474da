"""Double opt-in: one confirmation sequence for every way an address asks to join.

`digest serve`'s sign-up form and `digest subscribers import --resubscribe` both go through
:func:`ask_to_confirm`: record the request (refused for an address that is subscribed, was
forgotten, was asked less than RESEND_AFTER ago or MAX_CONFIRMATION_EMAILS times), then email
a signed link that expires after a week (its token carries the address's opaque id, never the
address: :mod:`digest.unsubscribe`); the address joins the list only when the page behind
the link is confirmed with a POST (``digest serve``, /confirm/<token>). A send that fails is
undone, so the next request may try again at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from digest import clock
from digest.config import Settings
from digest.deliver.modes import keeps_list
from digest.deliver.side_email import SideEmail, send_side_email
from digest.errors import DigestError
from digest.store import Engine
from digest.types import Recipient

CONFIRM_PATH = "/confirm/"
RESEND_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class SignUp:
    address: str  # normalised
    language: str
    consent: str  # the consent line as the person was shown it


def takes_sign_ups(settings: Settings) -> bool:
    """Sign-up is ours only when we keep the list (campaign providers keep theirs)."""
    from digest.providers import providers

    provider = providers().get(settings.provider)
    return provider is not None and keeps_list(provider)


def ask_to_confirm(
    settings: Settings,
    engine: Engine,
    signup: SignUp,
    *,
    key: bytes,
    public_url: str,
    now: datetime,
    idem_key: str = "",
) -> bool:
    """Record ``signup`` and email its confirmation link; False when no email goes out now.

    ``idem_key`` names the side email (a queued one's key); by default one is made from the
    address and ``now``. Raises what the send raised (DigestError, OSError, ...) after undoing
    the record, and DigestError without a public URL (a link's host never comes from a request).
    """
    from digest.store.signups import request_signup, undo_send

    if not public_url:
        raise DigestError("DIGEST_PUBLIC_URL is empty: set it to the public address of digest serve")
    address = signup.address
    if not request_signup(engine, address, signup.language, signup.consent, now, RESEND_AFTER, key):
        return False
    link = _confirm_link(engine, key, public_url, address, now)
    mail = SideEmail(
        kind="confirm",
        to=Recipient(email=address),
        language=signup.language,
        context={"link": link},
        key="confirm:" + hashlib.sha256(address.encode()).hexdigest()[:16],
        idem_key=idem_key or hashlib.sha256(f"confirm|{address}|{now.isoformat()}".encode()).hexdigest()[:40],
    )
    try:
        send_side_email(settings, engine, mail, now)
    except Exception:
        undo_send(engine, address)  # the next request (or --resubscribe) may try again
        raise
    return True


def link_hash(token: str) -> str:
    """What the store keeps of a confirmation link: enough to recognise it, not to make it."""
    return hashlib.sha256(token.encode()).hexdigest()


def _confirm_link(engine: Engine, key: bytes, public_url: str, address: str, now: datetime) -> str:
    """The link for this request, noted as one that may confirm it (once, until the address leaves)."""
    from digest.store.signups import remember_link
    from digest.unsubscribe import CONFIRM, day_of, token_for

    token = token_for(engine, key, CONFIRM, address, day_of(now))
    remember_link(engine, address, link_hash(token), now)
    return public_url.rstrip("/") + CONFIRM_PATH + token


def ask_again(
    settings: Settings,
    engine: Engine,
    rows: Sequence[dict[str, str]],
    consent: Callable[[str], str],
    now: datetime | None = None,
) -> tuple[int, int]:
    """`subscribers import --resubscribe`: a confirmation to each suppressed address among ``rows``
    (someone else's spreadsheet is no consent); (emails sent, not sent now). ``consent`` gives the
    consent line of a language."""
    from digest.store.subscribers import suppressed_among
    from digest.unsubscribe import secret_key

    wanted = suppressed_among(engine, [r["email"] for r in rows])
    if wanted and not settings.public_url:
        raise DigestError(
            "DIGEST_PUBLIC_URL is empty: set it to the address of digest serve, "
            "whose link confirms a resubscribe"
        )
    if wanted and not takes_sign_ups(settings):
        raise DigestError(f"DIGEST_PROVIDER={settings.provider} keeps its own list; resubscribe there")
    key, now, sent = secret_key(settings), now or clock.now(), 0
    for row in (r for r in rows if r["email"] in wanted):
        lang = row.get("language") or settings.language
        signup = SignUp(row["email"], lang, consent(lang))
        try:
            sent += ask_to_confirm(settings, engine, signup, key=key, public_url=settings.public_url, now=now)
        except (DigestError, OSError):
            continue
    return sent, len(wanted) - sent
