"""Our own subscriber list (for message providers): import, list, remove, unsubscribe.

Addresses are stored lower-cased, so duplicates are found whatever their case.
Reading the list for a send goes in pages (keyset order by language, address),
so 100,000 subscribers never sit in memory at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, update

from digest.errors import DigestError
from digest.store import schema
from digest.store.ledger import insert_ignore, now_utc
from digest.types import Recipient

LANGUAGES = ("", "en", "ko")
PAGE = 1000


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


def normalise(address: str) -> str:
    """Validate an address and return it lower-cased; raises ValueError saying why not."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return checked.normalized.lower()


def read_csv(path: Path) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    """Good rows (email, name, language) and problems (line, why) of a CSV with an ``email`` column."""
    rows: list[dict[str, str]] = []
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DigestError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower(): c for c in reader.fieldnames or []}
        if "email" not in columns:
            raise DigestError(
                f"{path}: no 'email' column; the first line must name the columns, e.g. email,name"
            )
        for row in reader:
            line = reader.line_num

            def get(name: str, row: dict[str, str] = row) -> str:
                return (row.get(columns.get(name, ""), "") or "").strip()

            try:
                address = normalise(get("email"))
            except ValueError as exc:
                problems.append((line, f"{get('email') or '(empty)'}: {exc}"))
                continue
            language = get("language").lower()
            if language not in LANGUAGES:
                problems.append((line, f"{address}: language {language!r} is not one of en, ko"))
                continue
            if address in seen:
                problems.append((line, f"{address}: appears earlier in the file; kept the first"))
                continue
            seen.add(address)
            rows.append({"email": address, "name": get("name")[:200], "language": language})
    return rows, problems


def import_csv(engine: Engine, path: Path) -> ImportReport:
    """Add every good row; addresses already on the list (any case) are left as they are."""
    rows, problems = read_csv(path)
    report = ImportReport(problems=problems)
    stamp = now_utc()
    with engine.begin() as conn:
        for start in range(0, len(rows), PAGE):
            chunk = [{**r, "status": "active", "created_at": stamp} for r in rows[start : start + PAGE]]
            report.added += insert_ignore(conn, schema.subscribers, chunk)
    report.already = len(rows) - report.added
    return report


def add(engine: Engine, address: str, name: str = "", language: str = "") -> bool:
    row = {"email": normalise(address), "name": name, "language": language, "status": "active"}
    with engine.begin() as conn:
        return insert_ignore(conn, schema.subscribers, [{**row, "created_at": now_utc()}]) == 1


def remove(engine: Engine, address: str) -> bool:
    """Delete an address from the list entirely (it may be imported again)."""
    with engine.begin() as conn:
        result = conn.execute(delete(schema.subscribers).where(schema.subscribers.c.email == address.lower()))
    return result.rowcount > 0


def unsubscribe(engine: Engine, address: str) -> bool:
    """Record an unsubscribe; honoured from the next send. False if the address is unknown."""
    s = schema.subscribers
    with engine.begin() as conn:
        found = conn.execute(select(s.c.status).where(s.c.email == address.lower())).first()
        if found is None:
            return False
        conn.execute(
            update(s)
            .where(s.c.email == address.lower(), s.c.status != "unsubscribed")
            .values(status="unsubscribed", unsubscribed_at=now_utc())
        )
    return True


def listing(engine: Engine, status: str | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(email, name, language, status) in address order."""
    s = schema.subscribers
    query = select(s.c.email, s.c.name, s.c.language, s.c.status).order_by(s.c.email)
    if status:
        query = query.where(s.c.status == status)
    with engine.connect() as conn:
        yield from conn.execute(query)


def count(engine: Engine) -> dict[str, int]:
    s = schema.subscribers
    with engine.connect() as conn:
        return dict(conn.execute(select(s.c.status, func.count()).group_by(s.c.status)).all())


def languages(engine: Engine) -> list[str]:
    """The languages active subscribers asked for ('' = the default)."""
    s = schema.subscribers
    query = select(s.c.language).where(s.c.status == "active").distinct()
    with engine.connect() as conn:
        return sorted(conn.scalars(query))


def iter_active(source: Engine | Connection, page: int = PAGE) -> Iterator[Recipient]:
    """Every active subscriber ordered by (language, address), read a page at a time.

    ``source`` may be a connection inside a transaction (the ledger's snapshot
    reads the list within its own transaction).
    """
    s = schema.subscribers
    after: tuple[str, str] | None = None
    while True:
        query = select(s.c.email, s.c.name, s.c.language).where(s.c.status == "active")
        if after is not None:
            lang, email = after
            query = query.where(or_(s.c.language > lang, and_(s.c.language == lang, s.c.email > email)))
        query = query.order_by(s.c.language, s.c.email).limit(page)
        if isinstance(source, Connection):
            rows = source.execute(query).all()
        else:
            with source.connect() as conn:
                rows = conn.execute(query).all()
        for email, name, lang in rows:
            yield Recipient(email=email, name=name, language=lang)
        if len(rows) < page:
            return
        after = (rows[-1][2], rows[-1][0])


def active_recipients(engine: Engine) -> list[Recipient]:
    """Everyone subscribed, in a stable order (batches must come out the same every time)."""
    return list(iter_active(engine))
