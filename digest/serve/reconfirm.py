"""`subscribers import --resubscribe`: a suppressed address may come back only by confirming again.

An address that bounced, complained or unsubscribed is not made active by an import
(someone else's spreadsheet is no consent). With --resubscribe it is put in the
sign-up queue and sent the same double opt-in email as `digest serve`'s form; the
link (served by `digest serve`) is what makes it active again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from digest.errors import DigestError

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.store import Engine


def ask_again(settings: Settings, engine: Engine, rows: Sequence[dict[str, str]]) -> tuple[int, int]:
    """Send a confirmation to each suppressed address among ``rows``; (emails sent, not sent now)."""
    from digest.store.subscribers import suppressed_among
    from digest.unsubscribe import secret_key

    wanted = suppressed_among(engine, [r["email"] for r in rows])
    if wanted and not settings.public_url:
        raise DigestError(
            "DIGEST_PUBLIC_URL is empty: set it to the address of digest serve, "
            "whose link confirms a resubscribe"
        )
    key, now, sent = secret_key(settings), datetime.now(UTC), 0
    for row in (r for r in rows if r["email"] in wanted):
        sent += _mail_one(settings, engine, key, row["email"], row.get("language") or settings.language, now)
    return sent, len(wanted) - sent


def _mail_one(settings: Settings, engine: Engine, key: bytes, address: str, lang: str, now: datetime) -> int:
    """1 when the confirmation went out; 0 when one went out lately, too many did, or sending failed."""
    from digest.serve.mail import confirm_token, send_confirmation
    from digest.serve.signup import RESEND_AFTER
    from digest.serve.words import words
    from digest.store.signups import request_signup, undo_send

    w, org = words(lang), settings.org_name
    if not request_signup(engine, address, lang, w["consent"].format(org=org), now, RESEND_AFTER):
        return 0
    link = f"{settings.public_url}/confirm/{confirm_token(key, address)}"
    lines = [w["confirm_mail_intro"].format(org=org), w["confirm_mail_action"]]
    try:
        send_confirmation(settings, address, w["confirm_mail_subject"].format(org=org), lines, link, now)
    except (DigestError, OSError):
        undo_send(engine, address)  # the next --resubscribe (or the form) may try again
        return 0
    return 1
