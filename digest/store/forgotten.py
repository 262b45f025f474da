"""Data-access requests and erasure: everything held about an address, and forgetting it.

``forget`` erases an address everywhere it is stored (the subscriber row, the
recipient fields of its deliveries and side emails, the provider events about it, a
waiting sign-up, the id its links carry, the address in status messages) and keeps only a keyed hash of it in
``forgotten``, so an import or a sign-up can recognise the address without our
keeping it. The hash is an HMAC with the secret key: without the key nobody can
test guessed addresses against the table.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, String, delete, func, select, update

from digest.store import schema, schema_web
from digest.store.rows import insert_ignore, now_utc, people_of
from digest.store.side_mails import erase_recipient, side_mails_to

ERASED = "[forgotten]"


@dataclass(frozen=True)
class Erased:
    subscribers: int
    deliveries: int
    mail_events: int
    signups: int
    events: int
    side_mails: int = 0


def address_hash(key: bytes, address: str) -> str:
    """The keyed hash kept of a forgotten address (hex HMAC-SHA256 of the lower-cased address)."""
    # Not the one-shot hmac.digest, which gives up the interpreter lock (see unsubscribe._mac).
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


def forgotten_among(conn: Connection, key: bytes, addresses: Iterable[str]) -> set[str]:
    """The addresses of ``addresses`` that were forgotten (compared by their keyed hash)."""
    by_hash = {address_hash(key, a): a for a in addresses}
    f = schema_web.forgotten
    found: set[str] = set()
    hashes = list(by_hash)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        found.update(by_hash[h] for h in conn.scalars(select(f.c.digest).where(f.c.digest.in_(chunk))))
    return found


def is_forgotten(engine: Engine, key: bytes, address: str) -> bool:
    """Whether ``address`` was forgotten (an old link that holds it must then lead nowhere)."""
    with engine.connect() as conn:
        return bool(forgotten_among(conn, key, [address]))


def forget(engine: Engine, key: bytes, address: str) -> Erased:
    """Erase ``address`` and its history in one transaction; keep its keyed hash."""
    address = address.strip().lower()
    digest = address_hash(key, address)
    s, m, g = schema.subscribers, schema_web.mail_events, schema_web.signups
    with engine.begin() as conn:
        insert_ignore(conn, schema_web.forgotten, [{"digest": digest, "forgotten_at": now_utc()}])
        subs = conn.execute(delete(s).where(s.c.email == address)).rowcount
        dels = _erase_in_deliveries(conn, address, digest)
        evs = conn.execute(delete(m).where(func.lower(m.c.recipient) == address)).rowcount
        sups = conn.execute(delete(g).where(g.c.email == address)).rowcount
        # Its links' id goes too: a forwarded or kept link then leads nowhere and names nobody.
        conn.execute(delete(schema_web.link_refs).where(schema_web.link_refs.c.email == address))
        msgs = _erase_in_messages(conn, address)
        sides = erase_recipient(conn, address, f"forgotten:{digest}")
        msgs += _sweep(conn, address)
    return Erased(subs, dels, evs, sups, msgs, sides)


# What digest published (articles and the editions made of them) is not about a subscriber.
PUBLISHED = ("articles", "editions", "edition_articles", "edition_bodies", "forgotten", "schema_versions")


def _sweep(conn: Connection, address: str) -> int:
    """Every other text the address is still written in (an error, an alert, a run's outcome, a
    side email's subject), in any case: the address becomes [forgotten]. Returns rows changed."""
    changed = 0
    pattern = _containing(address)
    for table in schema.metadata.sorted_tables:
        if table.name in PUBLISHED:
            continue
        keys = list(table.primary_key.columns)
        texts = [c for c in table.columns if isinstance(c.type, String) and c not in keys]
        for column in texts:
            found = conn.execute(
                select(*keys, column).where(func.lower(column).like(pattern, escape="\\"))
            ).all()
            for *ids, text in found:
                where = [key == value for key, value in zip(keys, ids, strict=True)]
                conn.execute(update(table).where(*where).values({column.name: redacted(text, address)}))
                changed += 1
    return changed


def reclaim(engine: Engine) -> None:
    """After an erasure, leave no copy of what was erased in the database's files: SQLite keeps
    deleted rows in free pages and the WAL until they are reused, so the file is rebuilt (VACUUM)
    and the WAL emptied. PostgreSQL keeps them until its own vacuum reuses the space (see
    docs/subscribers.md)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # outside SQLAlchemy's transactions: VACUUM refuses to run in one
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def _deliveries_of(conn: Connection, address: str) -> list[Any]:
    """Email deliveries whose payload (a list of [email, name, language]) names ``address``."""
    d = schema.deliveries
    pattern = _containing(json.dumps(address))  # how the address appears inside the payload
    query = (
        select(d.c.id, d.c.edition_key, d.c.channel, d.c.target, d.c.payload, d.c.status)
        .add_columns(d.c.attempts, d.c.provider_id, d.c.updated_at)
        .where(d.c.channel.like("email:%"), func.lower(d.c.payload).like(pattern, escape="\\"))
        .order_by(d.c.id)
    )
    return [row for row in conn.execute(query) if address in _addresses(row.payload)]


def _addresses(payload: str) -> list[str]:
    try:
        data = json.loads(payload)
    except ValueError:
        return []
    return [str(r[0]).lower() for r in data if isinstance(r, list) and r] if isinstance(data, list) else []


def _erase_in_deliveries(conn: Connection, address: str, digest: str) -> int:
    """Take the address (and the name with it) out of every delivery; the rest of the row stays,
    so the ledger still knows each call was made and a resend never reaches the address."""
    d = schema.deliveries
    rows = _deliveries_of(conn, address)
    for row in rows:
        kept = [r for r in json.loads(row.payload) if str(r[0]).lower() != address]
        target = f"to:forgotten:{digest}" if row.target == f"to:{address}" else row.target
        values = {"payload": json.dumps(kept), **people_of(target, kept), "target": target, "last_error": ""}
        conn.execute(update(d).where(d.c.id == row.id).values(**values))
    return len(rows)


def _erase_in_messages(conn: Connection, address: str) -> int:
    """Status messages naming the address keep their text with the address replaced."""
    e = schema.events
    pattern = _containing(address)
    rows = conn.execute(
        select(e.c.id, e.c.message).where(func.lower(e.c.message).like(pattern, escape="\\"))
    ).all()
    for row_id, message in rows:
        conn.execute(update(e).where(e.c.id == row_id).values(message=redacted(message, address)))
    return len(rows)


def _containing(text: str) -> str:
    """A LIKE pattern (escape character backslash) matching any text that contains ``text``."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def redacted(message: str, address: str) -> str:
    """``message`` with ``address`` (in any case) replaced by [forgotten]."""
    lower, out, start = message.lower(), [], 0
    while (at := lower.find(address, start)) >= 0:
        out.append(message[start:at] + ERASED)
        start = at + len(address)
    return "".join(out) + message[start:]


def export(engine: Engine, address: str | None) -> list[dict[str, Any]]:
    """Everything held about one address (or every subscriber when None), one dict per address."""
    s = schema.subscribers
    with engine.connect() as conn:
        if address is None:
            emails = sorted(
                set(conn.scalars(select(s.c.email))) | set(conn.scalars(select(schema_web.signups.c.email)))
            )
        else:
            emails = [address.strip().lower()]
        return [_about(conn, email) for email in emails]


def _about(conn: Connection, email: str) -> dict[str, Any]:
    s, m, g = schema.subscribers, schema_web.mail_events, schema_web.signups
    sub = conn.execute(select(s).where(s.c.email == email)).mappings().first()
    signup = conn.execute(select(g).where(g.c.email == email)).mappings().first()
    fields = ("edition_key", "channel", "status", "attempts", "provider_id", "updated_at")
    deliveries = [{f: getattr(row, f) for f in fields} for row in _deliveries_of(conn, email)]
    events = conn.execute(
        select(m.c.provider, m.c.kind, m.c.hard, m.c.message_id, m.c.at, m.c.detail)
        .where(func.lower(m.c.recipient) == email)
        .order_by(m.c.at)
    ).mappings()
    return {
        "email": email,
        "subscriber": _plain(sub),
        "signup": _plain(signup),
        "deliveries": [_plain(r) for r in deliveries],
        "events": [_plain(r) for r in events],
        "side_emails": [_plain(r) for r in side_mails_to(conn, email)],
    }


def _plain(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in dict(row).items()}
