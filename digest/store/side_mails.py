"""The side-email half of the ledger: sign-up confirmations and alerts (later receipts and
approvals), one message to one address outside any edition.

Each is recorded before its call (``sending``) under the idempotency key the provider gets, and
settled after it: ``sent`` with the provider's id, ``failed``, or ``unknown`` when it may have gone
out without an answer. A key already sent, sending or unknown is not sent again; a failed one may be.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from digest.store import schema
from digest.store.rows import insert_ignore


class SideMailBook:
    engine: Engine

    def begin_side_mail(
        self, idem_key: str, kind: str, recipient: str, subject: str, provider: str, now: datetime
    ) -> bool:
        """Record the call about to be made; False when that key went out before (or may have)."""
        m = schema.side_mails
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
            again = update(m).where(m.c.idem_key == idem_key, m.c.status == "failed")
            retried = conn.execute(again.values(status="sending", provider=provider[:32], updated_at=now))
            return retried.rowcount > 0

    def finish_side_mail(
        self, idem_key: str, status: str, now: datetime, *, provider_id: str = "", error: str = ""
    ) -> None:
        """How the call ended: sent, failed or unknown."""
        m = schema.side_mails
        values = {"status": status, "provider_id": provider_id, "last_error": error[:2000], "updated_at": now}
        with self.engine.begin() as conn:
            conn.execute(update(m).where(m.c.idem_key == idem_key).values(**values))


def side_mails_to(conn: Connection, address: str) -> list[Any]:
    """The side emails sent (or tried) to ``address``, oldest first (for a data-access request)."""
    m = schema.side_mails
    query = select(m.c.kind, m.c.subject, m.c.status, m.c.provider, m.c.provider_id, m.c.created_at)
    return list(conn.execute(query.where(m.c.recipient == address).order_by(m.c.id)).mappings())


def erase_recipient(conn: Connection, address: str, instead: str) -> int:
    """Put ``instead`` in place of ``address`` (an erasure): the ledger still knows each call was made."""
    m = schema.side_mails
    return max(conn.execute(update(m).where(m.c.recipient == address).values(recipient=instead)).rowcount, 0)
