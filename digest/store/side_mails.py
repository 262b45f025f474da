"""The side-email half of the ledger: sign-up confirmations and alerts (later receipts and
approvals), one message to one address outside any edition.

Each is recorded before its call (``sending``) under the idempotency key the provider gets, and
settled after it: ``sent`` with the provider's id, ``failed``, or ``unknown`` when it may have gone
out without an answer. A key already sent, sending or unknown is not sent again; a failed one may be.

A side email may also wait its turn (``queued``, :func:`queue_side_mail`) for a worker that claims it
(``claimed``: no call made yet, so one claimed long ago by a worker that died is claimed again) and
then records and settles it like any other; a queued email found not to be sent is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, or_, select, update

from digest.store import schema_web
from digest.store.rows import insert_ignore


class SideMailBook:
    engine: Engine

    def begin_side_mail(
        self, idem_key: str, kind: str, recipient: str, subject: str, provider: str, now: datetime
    ) -> bool:
        """Record the call about to be made; False when that key went out before (or may have)."""
        m = schema_web.side_mails
        row = {
            "idem_key": idem_key,
            "kind": kind,
            "recipient": recipient.strip().lower()[:320],
            "subject": subject[:1000],
            "status": "sending",
            "provider": provider[:32],
            "provider_id": "",
            "last_error": "",
            "created_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            if insert_ignore(conn, m, [row]):
                return True
            again = update(m).where(m.c.idem_key == idem_key, m.c.status.in_(("failed", "claimed")))
            values = {"status": "sending", "provider": provider[:32], "subject": subject[:1000]}
            retried = conn.execute(again.values(**values, payload="", updated_at=now))
            return retried.rowcount > 0

    def finish_side_mail(
        self, idem_key: str, status: str, now: datetime, *, provider_id: str = "", error: str = ""
    ) -> None:
        """How the call ended: sent, failed or unknown."""
        m = schema_web.side_mails
        values = {"status": status, "provider_id": provider_id, "last_error": error[:2000], "updated_at": now}
        with self.engine.begin() as conn:
            conn.execute(update(m).where(m.c.idem_key == idem_key).values(**values))


def side_mails_to(conn: Connection, address: str) -> list[Any]:
    """The side emails sent (or tried) to ``address``, oldest first (for a data-access request)."""
    m = schema_web.side_mails
    query = select(m.c.kind, m.c.subject, m.c.status, m.c.provider, m.c.provider_id, m.c.created_at)
    return list(conn.execute(query.where(m.c.recipient == address).order_by(m.c.id)).mappings())


def erase_recipient(conn: Connection, address: str, instead: str) -> int:
    """Put ``instead`` in place of ``address`` (an erasure): the ledger still knows each call was made."""
    m = schema_web.side_mails
    return max(conn.execute(update(m).where(m.c.recipient == address).values(recipient=instead)).rowcount, 0)


@dataclass(frozen=True)
class Queued:
    """A side email waiting for a worker."""

    idem_key: str
    kind: str
    recipient: str
    language: str
    payload: str


def queue_side_mail(engine: Engine, mail: Queued, now: datetime) -> None:
    """Put a side email in the queue (one row; the same key twice is one email)."""
    row = {
        "idem_key": mail.idem_key,
        "kind": mail.kind,
        "recipient": mail.recipient.strip().lower()[:320],
        "subject": "",
        "status": "queued",
        "provider": "",
        "provider_id": "",
        "last_error": "",
        "created_at": now,
        "updated_at": now,
        "language": mail.language[:8],
        "payload": mail.payload,
    }
    with engine.begin() as conn:
        insert_ignore(conn, schema_web.side_mails, [row])


def claim_queued(engine: Engine, now: datetime, stale: timedelta, limit: int) -> list[Queued]:
    """Take up to ``limit`` queued emails (and ones claimed before ``now - stale``), oldest first.

    Each row is taken by one worker only, however many run (a conditional update per row).
    """
    m = schema_web.side_mails
    waiting = or_(m.c.status == "queued", and_(m.c.status == "claimed", m.c.updated_at < now - stale))
    query = select(m.c.id, m.c.idem_key, m.c.kind, m.c.recipient, m.c.language, m.c.payload, m.c.status)
    taken = []
    with engine.connect() as conn:
        rows = conn.execute(query.where(waiting).order_by(m.c.id).limit(limit)).all()
    for row in rows:
        with engine.begin() as conn:
            claim = update(m).where(m.c.id == row.id, m.c.status == row.status)
            if row.status == "claimed":
                claim = claim.where(m.c.updated_at < now - stale)
            if conn.execute(claim.values(status="claimed", updated_at=now)).rowcount:
                taken.append(Queued(row.idem_key, row.kind, row.recipient, row.language, row.payload))
    return taken


def drop_claimed(engine: Engine, idem_key: str) -> None:
    """A claimed email that is not to be sent: nothing of it stays (it named an address)."""
    m = schema_web.side_mails
    with engine.begin() as conn:
        conn.execute(delete(m).where(m.c.idem_key == idem_key, m.c.status == "claimed"))


def fail_claimed(engine: Engine, idem_key: str, now: datetime, error: str) -> None:
    """A claimed email that could not even be tried (it never reached a provider): failed."""
    m = schema_web.side_mails
    values = {"status": "failed", "last_error": error[:2000], "payload": "", "updated_at": now}
    with engine.begin() as conn:
        conn.execute(update(m).where(m.c.idem_key == idem_key, m.c.status == "claimed").values(**values))


def unsettled_count(engine: Engine) -> int:
    """Side emails queued, claimed or being sent: not yet settled."""
    from sqlalchemy import func

    m = schema_web.side_mails
    with engine.connect() as conn:
        found = conn.scalar(select(func.count()).where(m.c.status.in_(("queued", "claimed", "sending"))))
    return int(found or 0)
