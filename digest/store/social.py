"""Social rows in the ledger: posts as deliveries, published parts, channel health, sessions.

A post is a delivery with channel ``social:<platform>`` and the article id as
target, so it shares the ledger's rules (recorded before the call, one idempotency
key for life, ``unknown`` reconciled before any retry). Social adds two states:
``review`` (waiting for approval) and ``skipped``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, select, update

from digest.store import schema
from digest.store.rows import SOCIAL, DeliveryRow, delivery_from_row, idem_key, insert_ignore, now_utc


def channel(platform: str) -> str:
    return SOCIAL + platform


@dataclass(frozen=True)
class Part:
    position: int
    remote_id: str
    container_id: str  # a platform's intermediate id: a container, or a record's cid
    url: str


class SocialStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- posts ----------------------------------------------------------------
    def add_posts(self, key: str, platform: str, posts: Sequence[tuple[str, Any]], status: str) -> int:
        """Record posts (article id, payload) once; existing rows are kept as they are."""
        stamp = now_utc()
        rows = [
            {
                "edition_key": key,
                "channel": channel(platform),
                "target": target,
                "payload": json.dumps(payload, ensure_ascii=False),
                "idem_key": idem_key(key, channel(platform), target),
                "status": status,
                "attempts": 0,
                "next_attempt_at": 0.0,
                "provider_id": "",
                "last_error": "",
                "updated_at": stamp,
            }
            for target, payload in posts
        ]
        with self.engine.begin() as conn:
            return insert_ignore(conn, schema.deliveries, rows)

    def posts(self, statuses: Iterable[str] = (), platform: str | None = None) -> list[DeliveryRow]:
        d = schema.deliveries
        query = select(d).where(d.c.channel.like(SOCIAL + "%")).order_by(d.c.id)
        if platform:
            query = query.where(d.c.channel == channel(platform))
        wanted = list(statuses)
        if wanted:
            query = query.where(d.c.status.in_(wanted))
        with self.engine.connect() as conn:
            return [delivery_from_row(r) for r in conn.execute(query)]

    def post(self, delivery_id: int) -> DeliveryRow | None:
        d = schema.deliveries
        query = select(d).where(d.c.id == delivery_id, d.c.channel.like(SOCIAL + "%"))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return delivery_from_row(row) if row else None

    def move(self, ids: Iterable[int], from_statuses: Sequence[str], to_status: str, note: str = "") -> int:
        """Change the status of the given posts that are in one of ``from_statuses``."""
        d = schema.deliveries
        wanted = list(ids)
        if not wanted:
            return 0
        values: dict[str, Any] = {"status": to_status, "updated_at": now_utc()}
        if note:
            values["last_error"] = note
        with self.engine.begin() as conn:
            result = conn.execute(
                update(d)
                .where(
                    d.c.id.in_(wanted), d.c.status.in_(list(from_statuses)), d.c.channel.like(SOCIAL + "%")
                )
                .values(**values)
            )
        return max(result.rowcount, 0)

    def editions_due(self, platform: str) -> list[str]:
        d = schema.deliveries
        query = (
            select(d.c.edition_key)
            .where(d.c.channel == channel(platform), d.c.status == "pending")
            .group_by(d.c.edition_key)
            .order_by(d.c.edition_key)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    # -- parts of a thread ------------------------------------------------------
    def parts(self, delivery_id: int) -> dict[int, Part]:
        p = schema.social_parts
        with self.engine.connect() as conn:
            rows = conn.execute(select(p).where(p.c.delivery_id == delivery_id))
            return {r.position: Part(r.position, r.remote_id, r.container_id, r.url) for r in rows}

    def save_part(self, delivery_id: int, position: int, **values: str) -> None:
        """Record progress on one part (container made, or published) as soon as it happens."""
        p = schema.social_parts
        with self.engine.begin() as conn:
            insert_ignore(
                conn,
                p,
                [
                    {
                        "delivery_id": delivery_id,
                        "position": position,
                        "remote_id": "",
                        "container_id": "",
                        "url": "",
                    }
                ],
            )
            if values.get("remote_id"):
                values = {**values, "published_at": now_utc()}  # type: ignore[dict-item]
            conn.execute(
                update(p)
                .where(and_(p.c.delivery_id == delivery_id, p.c.position == position))
                .values(**values)
            )

    # -- channel health ---------------------------------------------------------
    def needs_reauth(self, platform: str, fingerprint: str) -> str:
        """The message if the platform refused these same credentials before, else ""."""
        c = schema.social_channels
        with self.engine.connect() as conn:
            row = conn.execute(select(c).where(c.c.platform == platform)).first()
        if row and row.status == "needs_reauth" and row.fingerprint == fingerprint:
            return str(row.message)
        return ""

    def set_channel(self, platform: str, status: str, message: str = "", fingerprint: str = "") -> None:
        c = schema.social_channels
        with self.engine.begin() as conn:
            conn.execute(delete(c).where(c.c.platform == platform))
            conn.execute(
                c.insert().values(
                    platform=platform,
                    status=status,
                    message=message,
                    fingerprint=fingerprint,
                    updated_at=now_utc(),
                )
            )

    def channels(self) -> dict[str, tuple[str, str]]:
        c = schema.social_channels
        with self.engine.connect() as conn:
            return {r.platform: (r.status, r.message) for r in conn.execute(select(c))}

    # -- cached login sessions ------------------------------------------------------
    def session(self, platform: str) -> dict[str, Any] | None:
        s = schema.social_sessions
        with self.engine.connect() as conn:
            data = conn.scalar(select(s.c.data).where(s.c.platform == platform))
        return json.loads(data) if data else None

    def save_session(self, platform: str, data: dict[str, Any] | None) -> None:
        s = schema.social_sessions
        with self.engine.begin() as conn:
            conn.execute(delete(s).where(s.c.platform == platform))
            if data is not None:
                conn.execute(
                    s.insert().values(platform=platform, data=json.dumps(data), updated_at=now_utc())
                )


def fingerprint(*secrets: str) -> str:
    """A short hash telling whether credentials changed since a 401 (the secrets stay secret)."""
    return hashlib.sha256("\x00".join(secrets).encode()).hexdigest()[:12]
