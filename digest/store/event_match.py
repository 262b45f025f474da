"""Which message of ours a provider's event is about; an event about none is not stored.

A webhook tells of messages its service handled, and a service account may send more than
digest's mail, so an event is kept only when it names a call in our ledger and an address
that call was for:

- by the message id the send's answer gave (``deliveries.provider_id``, or a side email's),
  the recipient being one of that call's addresses (any address, for a campaign row: the
  provider keeps that list);
- else by the tag our send gave the message (:attr:`MailEvent.tag`: the start of the call's
  idempotency key, which the service reports back in its custom args or metadata) with the
  recipient among that call's addresses: some providers give each message of a batch its own id.

A forgotten address (``digest subscribers forget``) is no longer in any call, so its event
matches by id or tag alone, and is stored under its keyed hash, never the address.

The ledger rows an event batch needs are read in one query per 500 ids, whatever the number
of events (a batch of thousands names a handful of calls).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import ColumnElement, Connection, Engine, and_, select

from digest.store import schema, schema_web
from digest.store.forgotten import address_hash, forgotten_among
from digest.store.rows import CAMPAIGN
from digest.types import MailEvent

CHUNK = 500
TAG_LENGTH = 16
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Match:
    """Where an event belongs: the call's edition ("" for a side email), its delivery row (None for
    a side email), and the recipient as it is stored (the address, or ``forgotten:<hash>``)."""

    edition: str
    delivery: int | None
    recipient: str
    forgotten: bool = False


@dataclass(frozen=True)
class Call:
    """One call of ours that events may name: a delivery row or a side email."""

    delivery: int | None
    edition: str
    target: str
    payload: str

    @cached_property
    def addresses(self) -> frozenset[str]:
        if self.delivery is None:
            return frozenset([self.target])  # a side email: its one recipient
        try:
            data = json.loads(self.payload) if self.payload else []
        except ValueError:
            return frozenset()
        rows = data if isinstance(data, list) else []
        # A recipient skipped before the call (a fourth element: why) was never sent this message.
        return frozenset(str(r[0]).lower() for r in rows if isinstance(r, list) and 0 < len(r) < 4)

    def names(self, address: str) -> bool:
        return self.target == CAMPAIGN or address in self.addresses


def message_keys(message_id: str) -> list[str]:
    """The ``provider_id`` values a message id can stand for: with and without the angle
    brackets some send answers wrap it in."""
    key = message_id.strip().strip("<>").strip()
    return [key, f"<{key}>"] if key else []


def _keys(event: MailEvent) -> list[str]:
    """The ids the event may know our call by: the send's answer's, and the message's own (the
    Message-ID we wrote, which a relay's webhook names)."""
    return message_keys(event.send_id) + message_keys(event.message_id)


class Matcher:
    """Matches the events of one request inside the caller's transaction."""

    def __init__(self, conn: Connection, key: bytes, events: Sequence[MailEvent]) -> None:
        self.conn = conn
        self.key = key
        self.forgotten = forgotten_among(conn, key, {e.recipient.strip().lower() for e in events})
        ids = sorted({k for e in events for k in _keys(e)})
        self.by_id: dict[str, list[Call]] = {}
        for chunk in _chunks(ids):
            for provider_id, call in self._calls_by_id(chunk):
                self.by_id.setdefault(provider_id, []).append(call)
        self.by_tag: dict[str, list[Call]] = {}

    def of(self, event: MailEvent) -> Match | None:
        """The call ``event`` is about, or None: no message of ours."""
        address = event.recipient.strip().lower()
        forgotten = address in self.forgotten
        calls = [c for k in _keys(event) for c in self.by_id.get(k, [])]
        for call in calls + self._tagged(event.tag):
            if forgotten or call.names(address):
                stored = f"forgotten:{address_hash(self.key, address)}" if forgotten else address
                return Match(call.edition, call.delivery, stored, forgotten)
        return None

    def _calls_by_id(self, ids: list[str]) -> Iterable[tuple[str, Call]]:
        d, m = schema.deliveries, schema_web.side_mails
        rows = self.conn.execute(
            select(d.c.provider_id, d.c.id, d.c.edition_key, d.c.target, d.c.payload).where(
                d.c.provider_id.in_(ids), d.c.channel.like("email:%")
            )
        )
        for provider_id, row_id, edition, target, payload in rows:
            yield provider_id, Call(row_id, edition, target, payload)
        sides = self.conn.execute(select(m.c.provider_id, m.c.recipient).where(m.c.provider_id.in_(ids)))
        for provider_id, recipient in sides:
            yield provider_id, Call(None, "", recipient, "")

    def _tagged(self, tag: str) -> list[Call]:
        tag = tag.strip().lower()
        if len(tag) != TAG_LENGTH or not HEX.issuperset(tag):
            return []
        if tag not in self.by_tag:
            self.by_tag[tag] = self._calls_by_tag(tag)
        return self.by_tag[tag]

    def _calls_by_tag(self, tag: str) -> list[Call]:
        """The calls whose idempotency key starts with ``tag`` (a range, so the unique index serves)."""
        d, m = schema.deliveries, schema_web.side_mails
        found = [
            Call(row_id, edition, target, payload)
            for row_id, edition, target, payload in self.conn.execute(
                select(d.c.id, d.c.edition_key, d.c.target, d.c.payload).where(
                    _starts(d.c.idem_key, tag), d.c.channel.like("email:%")
                )
            )
        ]
        sides = self.conn.execute(select(m.c.recipient).where(_starts(m.c.idem_key, tag)))
        return found + [Call(None, "", recipient, "") for (recipient,) in sides]


def _starts(column: ColumnElement[str], tag: str) -> ColumnElement[bool]:
    # Keys are lower-case hex, and "g" sorts after every hex digit in any collation.
    return and_(column >= tag, column < tag + "g")


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def calls_named(engine: Engine, tags: Sequence[str], message_ids: Sequence[str]) -> list[frozenset[str]]:
    """The addresses of each call of ours that ``tags`` or ``message_ids`` name (a late bounce's VERP
    token and the Message-ID it returns): empty when they name none."""
    with engine.connect() as conn:
        matcher = Matcher(conn, b"", [])
        calls = [call for tag in tags for call in matcher._tagged(tag)]
        ids = sorted({k for i in message_ids for k in message_keys(i)})
        for chunk in _chunks(ids):
            calls += [call for _id, call in matcher._calls_by_id(chunk)]
        return [call.addresses for call in calls]
