"""The opaque ids that links carry instead of an address (``link_refs``, migration 43).

An address gets its id the first time a link is made for it (an email's unsubscribe and
preferences links, a sign-up's confirmation link) and keeps it; the id is 12 random bytes,
so it says nothing about the address, the list or its order. ``forget`` deletes the row:
every link made for the address then leads nowhere.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, select

from digest.store import schema, schema_web
from digest.store.db import reading
from digest.store.migrations import LINK_REFS_STEP
from digest.store.rows import _aware, insert_ignore, now_utc
from digest.store.subscribers import after_in_list

REF_BYTES = 12
PAGE = 500


def new_ref() -> str:
    return new_refs(1)[0]


def new_refs(n: int) -> list[str]:
    """``n`` new ids, drawn at once (12 bytes each, 16 characters: base64 needs no padding)."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(REF_BYTES * n)).decode()
    size = REF_BYTES * 4 // 3
    return [text[i : i + size] for i in range(0, len(text), size)]


def refs_for(engine: Engine, emails: Iterable[str]) -> dict[str, str]:
    """address -> id for each of ``emails`` (lower-cased), made for those that have none yet.

    Reading takes no write lock (the send path calls this once per batch); only a missing id
    is written. Two processes making one at once keep the first: the insert ignores the
    loser's row and both read the winner's back.
    """
    wanted = sorted({e.strip().lower() for e in emails if e})
    with reading(engine) as conn:
        found = _read(conn, wanted)
    missing = [e for e in wanted if e not in found]
    if missing:
        with engine.begin() as conn:
            for start in range(0, len(missing), PAGE):
                insert_ignore(conn, schema_web.link_refs, _new_rows(missing[start : start + PAGE]))
            found.update(_read(conn, missing))
    return found


def make_refs_for_the_list(engine: Engine) -> int:
    """Give every active subscriber without an id one, in one transaction, before a send makes its
    calls (so the calls only read them). Returns how many were made."""
    s, r = schema.subscribers, schema_web.link_refs
    # A page at a time in the list's order (ix_subscribers_status), each page going on from the
    # last subscriber: the list is read once, not again from its start for every page.
    without = (
        select(s.c.email, s.c.language)
        .outerjoin(r, r.c.email == s.c.email)
        .where(s.c.status == "active", r.c.ref.is_(None))
        .order_by(s.c.language, s.c.email)
        .limit(PAGE)
    )
    made = 0
    after: tuple[str, str] | None = None
    with engine.begin() as conn:
        while page := conn.execute(without.where(after_in_list(*after)) if after else without).all():
            made += insert_ignore(conn, r, _new_rows([email for email, _ in page]))
            after = page[-1][1], page[-1][0]
    return made


def _new_rows(emails: list[str]) -> list[dict[str, Any]]:
    """A new id row for each of ``emails``, made now."""
    stamp = now_utc()
    return [
        {"ref": ref, "email": email, "created_at": stamp}
        for email, ref in zip(emails, new_refs(len(emails)), strict=True)
    ]


def _read(conn: Connection, emails: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(emails), PAGE):
        found.update((e, ref) for e, ref in conn.execute(read_query(emails[start : start + PAGE])))
    return found


def read_query(emails: Sequence[Any]) -> Select[Any]:
    """(address, id) of each of ``emails`` that has an id."""
    r = schema_web.link_refs
    return select(r.c.email, r.c.ref).where(r.c.email.in_(emails))


def email_of(engine: Engine, ref: str) -> str | None:
    """The address whose id is ``ref``; None when there is none (never made, or forgotten)."""
    r = schema_web.link_refs
    with engine.connect() as conn:
        found = conn.scalar(select(r.c.email).where(r.c.ref == ref))
    return str(found) if found is not None else None


def link_refs_since(engine: Engine) -> datetime | None:
    """When this database started giving links opaque ids (before it, links held the address)."""
    v = schema.schema_versions
    with engine.connect() as conn:
        found = conn.scalar(select(v.c.applied_at).where(v.c.version == LINK_REFS_STEP))
    return _aware(found)
