"""The edition half of the ledger: periods, frozen bodies, articles taken, events."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from digest import clock
from digest.store import overview, schema
from digest.store.rows import (
    DONE_STATUSES,
    EditionRow,
    delivery_rows,
    insert_ignore,
    now_utc,
)


class EditionBook:
    """Editions are keyed by period; a frozen edition keeps its first bytes."""

    engine: Engine

    # -- editions -----------------------------------------------------------
    def ensure_edition(self, key: str, slot: datetime) -> bool:
        """Create the edition row if missing. True if this call created it."""
        with self.engine.begin() as conn:
            row = {
                "key": key,
                "slot_utc": slot.astimezone(UTC),
                "status": "building",
                "reason": "",
                "subject": "",
                "html": "",
                "text": "",
                "content_sha256": "",
                "created_at": now_utc(),
            }
            return insert_ignore(conn, schema.editions, [row]) == 1

    def editions(self, limit: int = 20) -> list[EditionRow]:
        return overview.edition_rows(self.engine, limit)

    def freeze_edition(
        self,
        key: str,
        subject: str,
        html: str,
        text: str,
        items: Iterable[tuple[str, str]],
        bodies: dict[str, tuple[str, str, str]] | None = None,
        merged: Iterable[tuple[str, str]] = (),
        sources: Mapping[str, str] | None = None,
    ) -> bool:
        """Store the rendered edition once; later calls keep the first bytes.

        ``items`` is (article ident, blurb) in order; ``bodies`` the same email in
        further languages (language -> subject, html, text), frozen in the same
        transaction; ``merged`` (article ident, ident of the entry it was merged into): the
        same story from other sources, taken with the edition; ``sources``: by article ident, where
        its blurb's sentences came from (JSON). Returns True if this call froze it.
        """
        sha = hashlib.sha256(f"{subject}\n{html}\n{text}".encode()).hexdigest()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(schema.editions)
                .where(schema.editions.c.key == key, schema.editions.c.status == "building")
                .values(status="ready", subject=subject, html=html, text=text, content_sha256=sha)
            )
            if result.rowcount != 1:
                return False
            rows = [
                {"edition_key": key, "article_ident": ident, "position": n, "blurb": blurb, "merged_into": "",
                 "sources": (sources or {}).get(ident, "")}
                for n, (ident, blurb) in enumerate(items)
            ]
            rows += [
                {"edition_key": key, "article_ident": ident, "position": len(rows) + n, "blurb": "",
                 "merged_into": lead, "sources": ""}
                for n, (ident, lead) in enumerate(merged)
            ]
            insert_ignore(conn, schema.edition_articles, rows)
            extra = [
                {
                    "edition_key": key,
                    "language": lang,
                    "subject": b[0],
                    "html": b[1],
                    "text": b[2],
                    "content_sha256": hashlib.sha256("\n".join(b).encode()).hexdigest(),
                }
                for lang, b in (bodies or {}).items()
            ]
            insert_ignore(conn, schema.edition_bodies, extra)
            return True

    def set_status(self, key: str, status: str, reason: str = "", *, now: datetime | None = None) -> None:
        """``now``: the caller's time, stamped as ``sent_at`` when the edition is done; without it,
        digest's clock (the tests' fixed time under DIGEST_TEST_NOW), never the wall clock alone."""
        values: dict[str, Any] = {"status": status, "reason": reason}
        if status in DONE_STATUSES:
            values["sent_at"] = now or clock.now()
        with self.engine.begin() as conn:
            conn.execute(update(schema.editions).where(schema.editions.c.key == key).values(**values))

    def drop_unbuilt(self, key: str) -> bool:
        """Delete edition ``key`` while it is still ``building`` with nothing recorded under it (a send
        refused before anything was frozen: there is no edition to show). True if it went."""
        e = schema.editions
        with self.engine.begin() as conn:
            for table in (schema.deliveries, schema.edition_articles, schema.edition_bodies):
                used = select(table.c.edition_key).where(table.c.edition_key == key).limit(1)
                if conn.execute(used).first():
                    return False
            result = conn.execute(delete(e).where(e.c.key == key, e.c.status == "building"))
        return result.rowcount == 1

    def mark_missed(self, key: str, reason: str) -> bool:
        """Give up on an edition nothing of which was sent yet. True if this call did it.

        Conditional, so that of several instances noticing the same late slot only
        one reports it, and an edition already sending is never marked.
        """
        with self.engine.begin() as conn:
            result = conn.execute(
                update(schema.editions)
                .where(schema.editions.c.key == key, schema.editions.c.status.in_(("building", "ready")))
                .values(status="missed", reason=reason, sent_at=None)
            )
        return result.rowcount == 1

    # -- per-language bodies ------------------------------------------------
    def snapshot(
        self, key: str, channel: str, targets: Callable[[Connection], Iterable[tuple[str, Any]]]
    ) -> int:
        """Record every delivery of an edition and mark it ``sending``, in one transaction.

        One transaction, so a crash part-way leaves no half snapshot behind: the
        resumed run takes the whole list again, and batch numbers cannot shift.
        Does nothing (returns 0) unless the edition is ``ready``. ``targets`` gets
        the transaction's connection to read from (SQLite allows no second one).
        """
        total = 0
        with self.engine.begin() as conn:
            status = conn.scalar(select(schema.editions.c.status).where(schema.editions.c.key == key))
            if status != "ready":
                return 0
            chunk: list[tuple[str, Any]] = []
            weight = 0  # recipients held in memory: batch targets carry up to 1,000 each
            for target in targets(conn):
                chunk.append(target)
                weight += len(target[1]) if isinstance(target[1], list) else 1
                if weight >= 1000:
                    total += insert_ignore(conn, schema.deliveries, delivery_rows(key, channel, chunk))
                    chunk, weight = [], 0
            total += insert_ignore(conn, schema.deliveries, delivery_rows(key, channel, chunk))
            conn.execute(update(schema.editions).where(schema.editions.c.key == key).values(status="sending"))
        return total

    def bodies(self, key: str) -> dict[str, tuple[str, str, str]]:
        """language -> (subject, html, text) of the further languages frozen for ``key``."""
        b = schema.edition_bodies
        query = select(b.c.language, b.c.subject, b.c.html, b.c.text).where(b.c.edition_key == key)
        with self.engine.connect() as conn:
            return {lang: (subject, html, text) for lang, subject, html, text in conn.execute(query)}

    # -- events -------------------------------------------------------------
    def frozen_articles(self, key: str) -> list[tuple[str, str, str, str, str, str, str]]:
        """(ident, blurb, title, url, source, image, image alt) of the articles frozen into ``key``,
        in their order."""
        ea, a = schema.edition_articles, schema.articles
        query = (
            select(ea.c.article_ident, ea.c.blurb, a.c.title, a.c.url, a.c.source, a.c.image, a.c.image_alt)
            .join(a, a.c.ident == ea.c.article_ident)
            .where(ea.c.edition_key == key, ea.c.merged_into == "")
            .order_by(ea.c.position)
        )
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]

    def frozen_sources(self, key: str) -> dict[str, str]:
        """Article ident -> where its blurb's sentences came from (JSON; "" when not kept)."""
        ea = schema.edition_articles
        query = select(ea.c.article_ident, ea.c.sources).where(ea.c.edition_key == key)
        with self.engine.connect() as conn:
            return {ident: sources for ident, sources in conn.execute(query)}

    def event(self, level: str, kind: str, message: str, edition_key: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(schema.events).values(
                    at=now_utc(), level=level, kind=kind, edition_key=edition_key, message=message
                )
            )

    def has_event(self, kind: str, edition_key: str) -> bool:
        e = schema.events
        query = select(e.c.id).where(e.c.kind == kind, e.c.edition_key == edition_key).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def recent_events(self, limit: int = 20) -> list[dict[str, Any]]:
        return overview.recent_events(self.engine, limit)
