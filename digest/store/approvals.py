"""Approval requests and decisions of editions (DIGEST_APPROVAL=email).

A request is a row per approver and edition content hash, found by the SHA-256 of its opaque
token; using it sets its decision once (a second use changes nothing). The dashboard's decisions
are rows too, already decided. An edition's approval state is the latest decision made for its
current content hash: decisions about other bytes count for nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from digest.store import schema, schema_web
from digest.store.rows import _aware
from digest.store.watch import Request


def _request(row: Any) -> Request:
    requested = _aware(row.requested_at)
    assert requested is not None
    return Request(row.edition_key, row.content_sha256, row.approver, row.decision, requested,
                   _aware(row.decided_at))


def add_request(engine: Engine, token_hash: str, key: str, sha: str, approver: str, now: datetime) -> None:
    row = {"token_hash": token_hash, "edition_key": key, "content_sha256": sha,
           "approver": approver.strip().lower()[:320], "decision": "", "requested_at": now}
    with engine.begin() as conn:
        conn.execute(insert(schema_web.approvals).values(**row))


def drop_request(engine: Engine, token_hash: str) -> None:
    """Forget a request whose email could not be sent (the next look mails a new one)."""
    with engine.begin() as conn:
        conn.execute(delete(schema_web.approvals).where(schema_web.approvals.c.token_hash == token_hash))


def asked(engine: Engine, key: str, sha: str) -> set[str]:
    """The approvers a request for these bytes of edition ``key`` went to."""
    a = schema_web.approvals
    query = select(a.c.approver).where(a.c.edition_key == key, a.c.content_sha256 == sha,
                                       ~a.c.token_hash.startswith("dashboard:"))
    with engine.connect() as conn:
        return set(conn.scalars(query))


def find(engine: Engine, token_hash: str) -> Request | None:
    a = schema_web.approvals
    with engine.connect() as conn:
        row = conn.execute(select(a).where(a.c.token_hash == token_hash)).first()
    return _request(row) if row else None


def use(engine: Engine, token_hash: str, decision: str, now: datetime) -> bool:
    """Spend the token on ``decision`` (approve or hold); False when it was used before."""
    a = schema_web.approvals
    with engine.begin() as conn:
        done = conn.execute(update(a).where(a.c.token_hash == token_hash, a.c.decision == "")
                            .values(decision=decision, decided_at=now))
    return done.rowcount == 1


def record(engine: Engine, key: str, sha: str, who: str, decision: str, now: datetime) -> None:
    """A decision made on the dashboard (no token: the log-in is the credential)."""
    row = {"token_hash": "dashboard:" + secrets.token_hex(16), "edition_key": key, "content_sha256": sha,
           "approver": who[:320], "decision": decision, "requested_at": now, "decided_at": now}
    with engine.begin() as conn:
        conn.execute(insert(schema_web.approvals).values(**row))


def reopen(engine: Engine, key: str) -> bool:
    """Unfreeze edition ``key`` so it is built again (an edit before its slot): only while it is
    ``ready`` with no delivery recorded. Its requests and decisions stay, bound to the old bytes."""
    e = schema.editions
    with engine.begin() as conn:
        sent = conn.scalar(select(func.count()).select_from(schema.deliveries)
                           .where(schema.deliveries.c.edition_key == key))
        if sent:
            return False
        done = conn.execute(update(e).where(e.c.key == key, e.c.status == "ready")
                            .values(status="building", subject="", html="", text="", content_sha256=""))
        if done.rowcount != 1:
            return False
        for table in (schema.edition_articles, schema.edition_bodies):
            conn.execute(delete(table).where(table.c.edition_key == key))
    return True
