"""Each edition's receipt (issue 21): one email to DIGEST_REPORT_EMAIL (else DIGEST_ALERT_EMAIL)
once the edition has gone out, and the same figures on the dashboard's edition page.

It says what a volunteer needs and nothing else: how many it reached and how many the provider
reported delivered; who bounced (by address) and complained; how many left the list since the
edition before; what is still unknown and what digest does about it by itself; the posts
published; the sources that could not be read. Sent through the one side-email path
(templates/email/receipt.*.j2, en and ko), under a key per edition: once, however many
schedulers or runs look.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from digest.config import Settings
from digest.deliver.counts import recipient_counts
from digest.deliver.modes import for_a_person
from digest.deliver.records import Asking
from digest.deliver.retries import what_next
from digest.deliver.side_email import SideEmail, send_side_email
from digest.errors import DigestError
from digest.providers import Provider, make_provider
from digest.providers.registry import provider_class
from digest.store import Engine
from digest.store import receipts as rows
from digest.store.ledger import EditionRow, Ledger
from digest.store.scheduler import retry_of
from digest.types import Recipient

log = logging.getLogger("digest.receipt")

# How far back the schedule looks for an edition without its receipt: an upgrade must not mail
# a receipt for every edition ever sent.
RECENT = timedelta(days=7)


@dataclass(frozen=True)
class Receipt:
    key: str
    status: str
    subject: str
    sent: int  # people the provider took the message for
    delivered: int  # people the provider reported delivered (its webhook), so far
    bounced: list[str] = field(default_factory=list)
    complained: list[str] = field(default_factory=list)
    unsubscribed: int = 0  # left the list since the edition before
    since: str = ""  # when that was ("" for the first edition)
    failed: int = 0
    unknown: int = 0
    next_steps: list[str] = field(default_factory=list)  # what digest does next, by itself or not
    posts: list[dict[str, str]] = field(default_factory=list)  # platform, status, url
    sources_failed: list[str] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        # The side email's own subject takes "subject" in its template context, so the
        # edition's subject travels under another name.
        return {**asdict(self), "edition_subject": self.subject}


def build_receipt(settings: Settings, engine: Engine, key: str, now: datetime) -> Receipt | None:
    """The receipt of edition ``key`` as the ledger and the providers' reports stand now."""
    ledger = Ledger(engine)
    edition = ledger.edition(key)
    if edition is None:
        return None
    people = recipient_counts(engine, key)
    events = rows.edition_mail_events(engine, key)
    before = _previous(ledger, edition)
    end = edition.sent_at or now
    posts = [
        {"platform": channel.split(":", 1)[-1], "status": status, "url": url}
        for channel, status, url in rows.edition_posts(engine, key)
    ]
    return Receipt(
        key=key,
        status=edition.status,
        subject=edition.subject,
        sent=people.get("sent", 0),
        delivered=len(events.get("delivered", [])),
        bounced=events.get("bounced", []),
        complained=events.get("complained", []),
        unsubscribed=rows.left_between(engine, before, end),
        since=f"{before:%Y-%m-%d %H:%M} UTC" if before else "",
        failed=people.get("failed", 0),
        unknown=people.get("unknown", 0),
        next_steps=_next_steps(settings, engine, key, now, people.get("unknown", 0)),
        posts=posts,
        sources_failed=rows.edition_messages(engine, key, "source skipped"),
    )


def send_receipt(settings: Settings, engine: Engine, key: str, now: datetime) -> str:
    """Email ``key``'s receipt unless it went out before; a line saying so ("" when nothing was
    sent). A failure is logged and returned, never raised: the edition itself went out."""
    name, address = parseaddr(settings.receipt_to)
    idem_key = receipt_idem(key)
    if not address or rows.side_mail_made(engine, idem_key):
        return ""
    receipt = build_receipt(settings, engine, key, now)
    if receipt is None:
        return ""
    mail = SideEmail("receipt", Recipient(email=address, name=name), settings.language,
                     receipt.context(), f"receipt:{key}", idem_key)
    try:
        send_side_email(settings, engine, mail, now)
    except (DigestError, OSError, NotImplementedError) as exc:
        log.error("could not email the receipt of %s to %s: %s", key, "DIGEST_REPORT_EMAIL", exc)
        return f"the receipt of {key} could not be emailed: {exc}"
    if provider_class(settings.provider).rehearsal:  # side emails go through DIGEST_PROVIDER
        return (
            f"receipt of {key} not emailed to {address}: DIGEST_PROVIDER={settings.provider} is a "
            "rehearsal and sends nothing (it keeps its own copy)"
        )
    return f"receipt of {key} emailed to {address}"


def receipt_idem(key: str) -> str:
    """The idempotency key of ``key``'s receipt: one per edition, whoever sends it."""
    return hashlib.sha256(f"receipt:{key}".encode()).hexdigest()[:40]


def send_receipts(settings: Settings, engine: Engine, now: datetime) -> list[str]:
    """The scheduler's look: each recent edition that is out (sent, partly sent, or failed with
    no retry planned) through the current provider gets its receipt, once."""
    if not settings.receipt_to:
        return []
    ledger = Ledger(engine)
    channel = _channel(settings)
    said = []
    for edition in ledger.editions(5):
        if not _out(engine, edition) or (edition.sent_at or edition.slot_utc) < now - RECENT:
            continue
        if channel and not ledger.counts(edition.key, channel):
            continue  # a rehearsal, or an edition of another provider: not this list's receipt
        said.append(send_receipt(settings, engine, edition.key, now))
    return [line for line in said if line]


def _out(engine: Engine, edition: EditionRow) -> bool:
    if edition.status in ("sent", "partial"):
        return True
    return edition.status == "failed" and retry_of(engine, edition.key) is None


def _previous(ledger: Ledger, edition: EditionRow) -> datetime | None:
    """When the edition before ``edition`` went out (None: it is the first)."""
    earlier = [e.sent_at for e in ledger.editions(20) if e.sent_at and e.slot_utc < edition.slot_utc]
    return max(earlier, default=None)


def _next_steps(settings: Settings, engine: Engine, key: str, now: datetime, unknown: int) -> list[str]:
    provider = _provider(settings)
    if provider is None:
        return []
    try:
        asking = Asking(now.timestamp(), settings.reconcile_after)
        lines = [line for line in what_next(engine, provider, key, asking).splitlines() if line]
        left = for_a_person(engine, provider, key, asking) if unknown else []
    finally:
        provider.close()
    if left:
        lines.append(
            f"{len(left)} delivery(ies) nothing can settle by itself: see digest deliveries --edition {key} "
            "and mark each sent or send it again (digest deliveries resolve)"
        )
    return lines


def _provider(settings: Settings) -> Provider | None:
    try:
        return make_provider(settings)
    except DigestError:
        return None  # its settings are broken: the alerts say so; the receipt goes without plans


def _channel(settings: Settings) -> str:
    provider = _provider(settings)
    if provider is None:
        return ""
    try:
        return provider.channel()
    finally:
        provider.close()
