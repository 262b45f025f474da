"""What building an edition reads of the ledger, and the one thing it records (the articles seen),
as plain SQL both drivers run.

`digest sources` builds the next edition to show it, and nothing else of the ledger: importing
SQLAlchemy alone took longer than the rest of its start-up. It opens the database with
:func:`~digest.store.quick.open_reader` (``writes=True``): a current SQLite file through
:mod:`sqlite3`, anything else (PostgreSQL, no database yet, another schema) through the engine.
The ledger (:class:`~digest.store.ledger.Ledger`) is an :class:`ArticleBook` on its engine, so
`digest send`, the scheduler and the preview run these same statements: what `digest sources`
shows is what they build, and the first-seen dates it records are the ones they find.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from digest.store.overview import EDITION_COLUMNS, edition_row, rehearsed
from digest.store.quick import Reader, listed, stamp, value
from digest.store.rows import TAKEN_STATUSES, EditionRow, now_utc

ARTICLE_COLUMNS = ("ident", "title", "url", "source", "published_at", "first_seen_at", "image", "image_alt")
MOMENTS = ("published_at", "first_seen_at")
OPTIONAL = {"published_at": None, "image": "", "image_alt": ""}  # the columns' defaults
CHUNK = 500  # idents looked up per statement


@dataclass(frozen=True)
class SourceCheck:
    """One source entry in one run: its error ("" when read), the error's kind, how many
    articles it gave and when the newest of them was first seen (None: none yet)."""

    source: str
    error: str = ""
    kind: str = ""
    items: int = 0
    newest: datetime | None = None


def moment(value: datetime | None, dialect: str) -> datetime | str | None:
    """A moment as a statement's parameter. PostgreSQL takes the datetime; in SQLite it is the
    text SQLAlchemy's DateTime writes there (its wall-clock fields to the microsecond, no
    offset), so a row reads the same whichever driver wrote it."""
    if value is None or dialect != "sqlite":
        return value
    utc = value.astimezone(UTC) if value.tzinfo else value  # an article's date may carry its own offset
    return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class ArticleBook:
    """The articles seen, the editions that took them and the rehearsals set aside, on a reader."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def remember_articles(self, rows: Sequence[dict[str, Any]]) -> None:
        """Record articles not seen before; one seen already keeps its first row (and date)."""
        if not rows:
            return
        dialect = self.reader.dialect
        values = ", ".join(f":{c}" for c in ARTICLE_COLUMNS)
        sql = (f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({values}) "
               "ON CONFLICT DO NOTHING")
        rows = [{**OPTIONAL, **r} for r in rows]
        self.reader.write(sql, [{**r, **{c: moment(r[c], dialect) for c in MOMENTS}} for r in rows])

    def first_read(self) -> datetime | None:
        """When digest first read the sources on this database (its first article seen), or None."""
        return stamp(value(self.reader, "SELECT MIN(first_seen_at) FROM articles"))

    def first_seen(self, idents: Iterable[str]) -> dict[str, datetime]:
        wanted = list(idents)
        found: dict[str, datetime] = {}
        for start in range(0, len(wanted), CHUNK):
            params: dict[str, Any] = {}
            chunk = listed(params, "ident", wanted[start : start + CHUNK])
            sql = f"SELECT ident, first_seen_at FROM articles WHERE ident IN ({chunk})"
            for ident, seen in self.reader.rows(sql, params):
                found[ident] = stamp(seen) or now_utc()
        return found

    def edition(self, key: str) -> EditionRow | None:
        rows = self._editions("WHERE key = :key", {"key": key})
        return rows[0] if rows else None

    def last_sent_edition(self, uncounted: Sequence[str] = ()) -> EditionRow | None:
        """The latest sent (or partly sent) edition, leaving out those that went only to ``uncounted``."""
        params: dict[str, Any] = {}
        sent = listed(params, "done", ("sent", "partial"))
        rows = self._editions(
            f"WHERE status IN ({sent}){_counted(params, uncounted)} ORDER BY slot_utc DESC LIMIT 1", params
        )
        return rows[0] if rows else None

    def taken_article_idents(self, uncounted: Sequence[str] = ()) -> set[str]:
        """Articles already committed to an edition: they never go out again.

        Editions that went only to ``uncounted`` channels (rehearsals, for a real provider) do not count.
        """
        params: dict[str, Any] = {}
        sql = (
            "SELECT edition_articles.article_ident FROM edition_articles "
            "JOIN editions ON editions.key = edition_articles.edition_key "
            f"WHERE editions.status IN ({listed(params, 'taken', TAKEN_STATUSES)})"
            f"{_counted(params, uncounted, 'editions.key')}"
        )
        return {ident for (ident,) in self.reader.rows(sql, params)}

    def sent_stories(self, uncounted: Sequence[str] = (), editions: int = 4) -> list[tuple[str, str, str]]:
        """(title, blurb, edition key) of the entries of the last ``editions`` editions that took
        their articles (not those that went only to ``uncounted`` channels): what a re-post of a
        story is compared with."""
        params: dict[str, Any] = {"editions": editions}
        recent = (
            f"SELECT key FROM editions WHERE status IN ({listed(params, 'taken', TAKEN_STATUSES)})"
            f"{_counted(params, uncounted)} ORDER BY slot_utc DESC LIMIT :editions"
        )
        keys = [key for (key,) in self.reader.rows(recent, params)]
        if not keys:
            return []
        params = {}
        sql = (
            "SELECT articles.title, edition_articles.blurb, edition_articles.edition_key "
            "FROM edition_articles JOIN articles ON articles.ident = edition_articles.article_ident "
            f"WHERE edition_articles.edition_key IN ({listed(params, 'key', keys)}) "
            "AND edition_articles.merged_into = ''"
        )
        return [(t, b, k) for t, b, k in self.reader.rows(sql, params)]

    def has_editions(self, uncounted: Sequence[str] = (), up_to: datetime | None = None) -> bool:
        """Whether any edition exists, leaving out those that went only to ``uncounted`` channels
        (and, with ``up_to``, those of later slots: one frozen ahead for approval)."""
        params: dict[str, Any] = {}
        where = "WHERE 1 = 1"
        if up_to is not None:
            params["up_to"] = moment(up_to, self.reader.dialect)
            where += " AND slot_utc <= :up_to"
        sql = f"SELECT key FROM editions {where}{_counted(params, uncounted)} LIMIT 1"
        return value(self.reader, sql, params) is not None

    def rehearsals(self, rehearsals: Sequence[str], keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` went only to ``rehearsals`` channels (rehearsals, never published)."""
        return rehearsed(self.reader, rehearsals, keys)


    def _editions(self, where: str, params: dict[str, Any]) -> list[EditionRow]:
        sql = f"SELECT {EDITION_COLUMNS} FROM editions {where}"
        return [edition_row(row) for row in self.reader.rows(sql, params)]


def only_on(params: dict[str, Any], channels: Sequence[str], where: str = "") -> str:
    """A SELECT of the keys of editions whose every delivery (at least one) went to one of
    ``channels``: the rehearsals, for a real provider. ``where``: a condition on the deliveries."""
    elsewhere = f"CASE WHEN channel IN ({listed(params, 'only', channels)}) THEN 0 ELSE 1 END"
    return f"SELECT edition_key FROM deliveries{where} GROUP BY edition_key HAVING MAX({elsewhere}) = 0"


def _counted(params: dict[str, Any], uncounted: Sequence[str], column: str = "key") -> str:
    """`` AND`` the edition did not go only to ``uncounted`` channels (nothing without them)."""
    return f" AND {column} NOT IN ({only_on(params, uncounted)})" if uncounted else ""

