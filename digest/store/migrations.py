"""Versioned schema. Each step runs once, in order, inside one transaction.

To change the schema, append a step with the next free number; never edit a
step that has shipped. Numbers are reserved per capability so parallel work
does not collide: 1 core ledger, 2-9 delivery, 10-19 social, 20-29 scheduler,
30-39 subscribers' data, 40-49 web, 50-59 what goes out (issue 23), 60-69 volunteers' accounts
(issue 22), 70-79 speed (issue 24).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

import digest.store.kept_counts as kept_counts

# By its full name: the package digest.store opens the store through this module, so
# `from digest.store import schema` would make the two import each other.
import digest.store.schema as schema
import digest.store.schema_web as schema_web
import digest.store.tallies as tallies
from digest.errors import StoreError

Step = Callable[[Connection], None]


def _core(conn: Connection) -> None:
    schema.metadata.create_all(
        conn,
        tables=[
            schema.articles,
            schema.editions,
            schema.edition_articles,
            schema.deliveries,
            schema.events,
            schema.subscribers,
        ],
    )


def _delivery(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.edition_bodies])
    for index in schema.subscribers.indexes:
        index.create(conn, checkfirst=True)


def _edition_leases(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.edition_leases])
def _stages(conn: Connection) -> None:
    """How far each call got (``deliveries.stage``) and its resends after a crash (``doubts``)."""
    if {c["name"] for c in inspect(conn).get_columns("deliveries")} >= {"stage", "doubts"}:
        return  # a database created by _core after these columns were added to the schema
    conn.exec_driver_sql("ALTER TABLE deliveries ADD COLUMN stage VARCHAR(8) NOT NULL DEFAULT ''")
    conn.exec_driver_sql("ALTER TABLE deliveries ADD COLUMN doubts INTEGER NOT NULL DEFAULT 0")


def _pacing(conn: Connection) -> None:
    """When each call was made and how many messages it carries (``deliveries.handed_at``,
    ``messages``: the sending caps), and paused editions (``edition_pauses``)."""
    if "handed_at" not in {c["name"] for c in inspect(conn).get_columns("deliveries")}:
        conn.exec_driver_sql("ALTER TABLE deliveries ADD COLUMN handed_at FLOAT")
        conn.exec_driver_sql("ALTER TABLE deliveries ADD COLUMN messages INTEGER NOT NULL DEFAULT 1")
    for index in schema.deliveries.indexes:
        index.create(conn, checkfirst=True)
    schema.metadata.create_all(conn, tables=[schema.edition_pauses])
def _doubts(conn: Connection) -> None:
    """Failures that can pass (``transient``), resends after the provider's records (``resends``),
    and when an outcome became unknown (``doubt_at``)."""
    _add_columns(
        conn,
        "deliveries",
        {
            "transient": "INTEGER NOT NULL DEFAULT 0",
            "resends": "INTEGER NOT NULL DEFAULT 0",
            "doubt_at": "FLOAT",
        },
    )


def _tallies(conn: Connection) -> None:
    """Each delivery's people and those skipped (``deliveries.people``, ``skipped``) from its payload,
    and the index that lets status and the dashboard count them (digest/store/tallies.py)."""
    _add_columns(
        conn,
        "deliveries",
        {"people": "INTEGER NOT NULL DEFAULT 1", "skipped": "INTEGER NOT NULL DEFAULT 0"},
    )
    tallies.backfill(conn)
    tallies.create_indexes(conn)


def _kept_tallies(conn: Connection) -> None:
    """Each edition's counts kept by the database's triggers (``delivery_tallies``)."""
    kept_counts.keep_counts(conn)


def _add_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    """Add the columns a database made before they joined the schema lacks (one made by an
    earlier step after they joined has them already)."""
    have = {c["name"] for c in inspect(conn).get_columns(table)}
    for name, kind in columns.items():
        if name not in have:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def _side_mails(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.side_mails])


def _side_mail_queue(conn: Connection) -> None:
    """Side emails wait in ``side_mails`` (status queued) for a worker: their language and values."""
    if "payload" not in {c["name"] for c in inspect(conn).get_columns("side_mails")}:
        conn.exec_driver_sql("ALTER TABLE side_mails ADD COLUMN language VARCHAR(8) NOT NULL DEFAULT ''")
        conn.exec_driver_sql("ALTER TABLE side_mails ADD COLUMN payload TEXT NOT NULL DEFAULT ''")
    for index in schema_web.side_mails.indexes:
        index.create(conn, checkfirst=True)


def _scheduler(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.alerts, schema.scheduler_runs])


def _source_health(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.source_health])


def _retries(conn: Connection) -> None:
    """Resolved alerts (``alerts.resolved_at``) and the schedule's retries of failed sends."""
    stamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "TIMESTAMP"
    _add_columns(conn, "alerts", {"resolved_at": stamp, "resolution": "TEXT NOT NULL DEFAULT ''"})
    schema.metadata.create_all(conn, tables=[schema.send_retries])


def _social(conn: Connection) -> None:
    schema.metadata.create_all(
        conn, tables=[schema.social_parts, schema.social_channels, schema.social_sessions]
    )


def _article_images(conn: Connection) -> None:
    """Each article's image and alt text (``articles.image``, ``image_alt``), which posts carry."""
    if "image" in {c["name"] for c in inspect(conn).get_columns("articles")}:
        return  # created by _core after the columns joined the schema
    conn.exec_driver_sql("ALTER TABLE articles ADD COLUMN image TEXT NOT NULL DEFAULT ''")
    conn.exec_driver_sql("ALTER TABLE articles ADD COLUMN image_alt TEXT NOT NULL DEFAULT ''")


def _subscriber_growth(conn: Connection) -> None:
    """The dashboard's growth chart counts active subscribers by when they joined in the index."""
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_subscribers_joined ON subscribers (status, created_at)"
    )


def _web(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.signups])


def _forgotten(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.forgotten])


def _web_events(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.mail_events])


def _event_editions(conn: Connection) -> None:
    """Which edition each provider event belongs to (``mail_events.edition_key``)."""
    if "edition_key" in {c["name"] for c in inspect(conn).get_columns("mail_events")}:
        return  # created by step 41 after the column joined the schema
    conn.exec_driver_sql("ALTER TABLE mail_events ADD COLUMN edition_key VARCHAR(64) NOT NULL DEFAULT ''")


def _link_refs(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.link_refs])


def _signup_links(conn: Connection) -> None:
    """Which links confirm a waiting sign-up (``signups.links``)."""
    if "links" not in {c["name"] for c in inspect(conn).get_columns("signups")}:
        conn.exec_driver_sql("ALTER TABLE signups ADD COLUMN links TEXT NOT NULL DEFAULT ''")


def _admin_sessions(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.admin_sessions])


def _approvals(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.approvals])


def _accounts(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema_web.users, schema_web.audit_log])


def _merged_stories(conn: Connection) -> None:
    """The same story from another source, merged into an entry (``edition_articles.merged_into``)."""
    if "merged_into" in {c["name"] for c in inspect(conn).get_columns("edition_articles")}:
        return  # created by _core after the column joined the schema
    conn.exec_driver_sql(
        "ALTER TABLE edition_articles ADD COLUMN merged_into VARCHAR(512) NOT NULL DEFAULT ''"
    )


def _blurb_sources(conn: Connection) -> None:
    """Where each blurb sentence came from (``edition_articles.sources``)."""
    if "sources" in {c["name"] for c in inspect(conn).get_columns("edition_articles")}:
        return  # created by _core after the column joined the schema
    conn.exec_driver_sql("ALTER TABLE edition_articles ADD COLUMN sources TEXT NOT NULL DEFAULT ''")


def _account_logins(conn: Connection) -> None:
    """Whose each dashboard log-in is (``admin_sessions.account``) and the emailed sign-in links."""
    if "account" not in {c["name"] for c in inspect(conn).get_columns("admin_sessions")}:
        conn.exec_driver_sql("ALTER TABLE admin_sessions ADD COLUMN account VARCHAR(320) NOT NULL DEFAULT ''")
    schema.metadata.create_all(conn, tables=[schema_web.login_links])


STEPS: dict[int, Step] = {
    1: _core,
    2: _delivery,
    5: _edition_leases,
    3: _stages,
    4: _doubts,
    6: _side_mails,
    7: _side_mail_queue,
    8: _pacing,
    9: _tallies,
    10: _social,
    11: _article_images,
    20: _scheduler,
    21: _retries,
    23: _source_health,
    30: _forgotten,
    31: _subscriber_growth,
    40: _web,
    41: _web_events,
    42: _event_editions,
    43: _link_refs,
    44: _admin_sessions,
    45: _signup_links,
    47: _approvals,
    49: _accounts,
    50: _merged_stories,
    51: _blurb_sources,
    60: _account_logins,
    70: _kept_tallies,
}
LINK_REFS_STEP = 43  # old links (holding the address) are read for a while after it: digest.unsubscribe


def migrate(engine: Engine) -> list[int]:
    """Apply every step not yet applied; returns the numbers applied now."""
    if _up_to_date(engine):  # every command opens the store: one read, not a transaction per step
        return []
    with engine.begin() as conn:
        schema.schema_versions.create(conn, checkfirst=True)
    applied_now: list[int] = []
    for number in sorted(STEPS):
        with engine.begin() as conn:
            _lock(conn)
            done = set(conn.scalars(select(schema.schema_versions.c.version)))
            _not_newer(done)
            if number in done:
                continue
            STEPS[number](conn)
            conn.execute(schema.schema_versions.insert().values(version=number, applied_at=datetime.now(UTC)))
            applied_now.append(number)
    return applied_now


def _up_to_date(engine: Engine) -> bool:
    """Whether every step has been applied (a database newer than this digest raises)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(schema.schema_versions.name):
            return False
        done = set(conn.scalars(select(schema.schema_versions.c.version)))
    _not_newer(done)
    return done >= set(STEPS)


def _not_newer(done: set[int]) -> None:
    if done and max(done) > max(STEPS):
        raise StoreError(
            f"the database schema (version {max(done)}) is newer than this digest "
            f"(version {max(STEPS)}); upgrade digest"
        )


def _lock(conn: Connection) -> None:
    """Serialise migrations between instances starting at once (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
