"""Tables of the digest database (SQLAlchemy Core; runs on SQLite and PostgreSQL).

The send ledger (``editions`` and ``deliveries``) is the single source of truth
for "was this sent?". Capabilities add tables here (the web side's in :mod:`digest.store.schema_web`) and a
migration step in :mod:`digest.store.migrations` that creates them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_versions = Table(
    "schema_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# Every article ever seen, by identity (guid, else canonical URL, else hash).
articles = Table(
    "articles",
    metadata,
    Column("ident", String(512), primary_key=True),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    # Its picture's address and alt text, for the posts made after the edition is frozen.
    Column("image", Text, nullable=False, default=""),
    Column("image_alt", Text, nullable=False, default=""),
)

# One row per scheduled period. Its primary key makes duplicate fires collapse.
editions = Table(
    "editions",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("slot_utc", DateTime(timezone=True), nullable=False),
    # building -> ready -> sending -> sent | failed | skipped
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("subject", Text, nullable=False, default=""),
    Column("html", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("content_sha256", String(64), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
)

edition_articles = Table(
    "edition_articles",
    metadata,
    Column("edition_key", String(64), ForeignKey("editions.key"), primary_key=True),
    Column("article_ident", String(512), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("blurb", Text, nullable=False, default=""),
    # The same story from another source, merged into the entry of this article ident ("also
    # reported by"): taken with the edition, never an entry or a post of its own.
    Column("merged_into", String(512), nullable=False, default=""),
    # Where each blurb sentence came from (JSON, digest.summarise.origins): shown beside the posts
    # on the dashboard; a paragraph naming a protected term is not kept.
    Column("sources", Text, nullable=False, default=""),
)

# One row per irreversible call: a recipient, a batch, a campaign or a post.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("edition_key", String(64), ForeignKey("editions.key"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("payload", Text, nullable=False, default=""),
    Column("idem_key", String(64), nullable=False, unique=True),
    # pending -> sending -> sent | failed | unknown
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_until", Float),
    Column("lease_owner", String(64)),
    Column("next_attempt_at", Float, nullable=False, default=0.0),
    Column("provider_id", Text, nullable=False, default=""),
    Column("last_error", Text, nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Migration 3. How far the call in flight got: "" (nothing handed over yet) or
    # "handed" (an SMTP final "." or an HTTP request may have gone out; no answer yet).
    Column("stage", String(8), nullable=False, default="", server_default=""),
    # Times this delivery was resent after a crash left it handed over without an answer
    # (each may have made a duplicate; at most one such resend).
    Column("doubts", Integer, nullable=False, default=0, server_default="0"),
    # Migration 8. When the call was made (its claim; refreshed at the hand-over when the provider
    # records one), in epoch seconds of digest's clock, and how many messages it carries: the
    # sending caps count these over sliding windows (digest/pacing.py).
    Column("handed_at", Float),
    Column("messages", Integer, nullable=False, default=1, server_default="1"),
    # Migration 4. 1: failed for a reason that can pass (a refused connection, a time-out, a 4xx
    # or 429 answer, a server error): the next `digest send`, or the schedule after its back-off,
    # tries it again. 0: failed for good (refused), or not failed.
    Column("transient", Integer, nullable=False, default=0, server_default="0"),
    # Times this call was made again because the provider's own records showed it never got it
    # (at most once: a second doubt stays ``unknown`` for a person).
    Column("resends", Integer, nullable=False, default=0, server_default="0"),
    # When its outcome became unknown, by the clock of the run (epoch seconds; empty: after a
    # crash, when ``updated_at`` says): the provider's records are asked after DIGEST_RECONCILE_AFTER.
    Column("doubt_at", Float),
    # Migration 9. The people the call is for (its payload's rows; none for a campaign, whose list the
    # provider keeps) and those of them skipped before it (they left after the send began), so that
    # `digest status` and the dashboard count people in the database (digest/store/tallies.py).
    Column("people", Integer, nullable=False, default=1, server_default="1"),
    Column("skipped", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("edition_key", "channel", "target", name="uq_delivery_target"),
)
Index("ix_deliveries_claim", deliveries.c.edition_key, deliveries.c.status)
Index("ix_deliveries_handed", deliveries.c.channel, deliveries.c.handed_at)

# Migration 70: each edition's counts by channel and status (``delivery_tallies``) are kept by the
# database's own triggers, made with the table in digest/store/kept_counts.py.

# Migration 8. An edition a person paused (`digest pause`, the dashboard): no run claims its
# deliveries until `digest resume` deletes the row.
edition_pauses = Table(
    "edition_pauses",
    metadata,
    Column("edition_key", String(64), ForeignKey("editions.key"), primary_key=True),
    Column("paused_at", DateTime(timezone=True), nullable=False),
    Column("paused_by", Text, nullable=False, default=""),
)

# Who may change an edition's state right now: one process at a time (host:pid), until
# ``until`` (epoch seconds), renewed while it works. See digest/store/leases.py.
edition_leases = Table(
    "edition_leases",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("since", Float, nullable=False),
    Column("until", Float, nullable=False),
)

# What happened, for `digest status`: runs, skips, alerts, failures.
events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("level", String(8), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("edition_key", String(64), nullable=False, default=""),
    Column("message", Text, nullable=False),
)

# Our own list (message providers). Campaign providers keep theirs.
subscribers = Table(
    "subscribers",
    metadata,
    Column("email", String(320), primary_key=True),  # lower-cased
    Column("name", Text, nullable=False, default=""),
    Column("language", String(8), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="active"),  # active | unsubscribed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("unsubscribed_at", DateTime(timezone=True)),
)

# Scheduler (migration 20). One row per alert, keyed so that the same problem
# (e.g. "missed:weekly:2026-W10") is raised, logged and emailed once, however
# many daemons notice it or how often the watchdog looks.
alerts = Table(
    "alerts",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("edition_key", String(64), nullable=False, default=""),
    Column("message", Text, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("emailed_at", DateTime(timezone=True)),
    Column("email_error", Text, nullable=False, default=""),
    # Migration 21. When its cause went away (the edition went out after all, the job ran
    # cleanly again), and how: a resolved alert no longer makes `digest status` fail.
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", Text, nullable=False, default="", server_default=""),
)

# Scheduler (migration 21). A scheduled send that failed for a reason that can pass, tried
# again by the schedule with a growing wait until DIGEST_MAX_LATENESS after its slot. Times
# are the scheduler's clock (DIGEST_TEST_NOW in the tests).
send_retries = Table(
    "send_retries",
    metadata,
    Column("edition_key", String(64), primary_key=True),
    Column("tries", Integer, nullable=False, default=0),  # scheduled tries made after the first failure
    Column("failed_at", DateTime(timezone=True), nullable=False),  # the first failure
    Column("next_at", DateTime(timezone=True), nullable=False),  # when the schedule tries again
    Column("last_error", Text, nullable=False, default=""),
)

# Scheduler (migration 23). Each source entry's health, as the runs that build an edition
# found it: the last good fetch, the newest item digest has seen from it (first seen), and
# the failure in progress (runs in a row, since when, its kind). ``key`` is a hash of the
# entry (an address can be long); the source watch raises and resolves alerts from these rows.
source_health = Table(
    "source_health",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("source", Text, nullable=False),
    Column("last_run_at", DateTime(timezone=True), nullable=False),
    Column("last_ok_at", DateTime(timezone=True)),
    Column("last_new_at", DateTime(timezone=True)),
    Column("items", Integer, nullable=False, default=0),  # articles at the last good fetch
    Column("failures", Integer, nullable=False, default=0),  # runs in a row that failed
    Column("failing_since", DateTime(timezone=True)),
    Column("error_kind", String(32), nullable=False, default=""),
    Column("error", Text, nullable=False, default=""),
)

# One row per scheduler process (host:pid), refreshed at each check, for `digest status`.
scheduler_runs = Table(
    "scheduler_runs",
    metadata,
    Column("instance", String(128), primary_key=True),
    Column("mode", String(8), nullable=False),  # daemon | once
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("outcome", Text, nullable=False, default=""),
    Column("stopped_at", DateTime(timezone=True)),
)

# Delivery (migration 2). The frozen email of an edition in each further language
# its subscribers read (the edition row holds the default language's).
edition_bodies = Table(
    "edition_bodies",
    metadata,
    Column("edition_key", String(64), ForeignKey("editions.key"), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("content_sha256", String(64), nullable=False),
)
Index("ix_subscribers_status", subscribers.c.status, subscribers.c.language, subscribers.c.email)

# Social posts (migration 10). A post is a delivery (channel ``social:<platform>``);
# these hold what a delivery row cannot: each published part of a thread, the
# health of each platform's credentials, and a platform's cached login session.
social_parts = Table(
    "social_parts",
    metadata,
    Column("delivery_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("remote_id", Text, nullable=False, default=""),
    Column("container_id", Text, nullable=False, default=""),  # made, maybe not published (two-phase posts)
    Column("url", Text, nullable=False, default=""),
    Column("published_at", DateTime(timezone=True)),
)

social_channels = Table(
    "social_channels",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("status", String(16), nullable=False),  # ok | needs_reauth
    Column("message", Text, nullable=False, default=""),
    Column("fingerprint", String(16), nullable=False, default=""),  # of the credentials that failed
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

social_sessions = Table(
    "social_sessions",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
