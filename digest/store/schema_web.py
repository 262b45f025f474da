"""Tables of the web side (sign-ups, side emails, link ids, log-ins, users, audit, approvals).

Kept apart from :mod:`digest.store.schema` (the pipeline's tables and the send ledger) only to keep
each module readable; they share its ``metadata``, so the migrations create them alike.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from digest.store.schema import metadata

# Web (migration 40). A sign-up waiting for its confirmation; the address joins
# ``subscribers`` only when the link in the confirmation email is pressed.
signups = Table(
    "signups",
    metadata,
    Column("email", String(320), primary_key=True),  # lower-cased
    Column("language", String(8), nullable=False, default=""),
    Column("consent", Text, nullable=False, default=""),  # the consent line as it was shown
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),  # last confirmation email
    Column("sends", Integer, nullable=False, default=0),
    # Migration 45. The links this request was sent, "<sha256 of the token>:<unix time sent>" each,
    # space-separated: only they confirm it, once, and only if sent after the last status change.
    Column("links", Text, nullable=False, default="", server_default=""),
)

# Web (migration 41). What the message providers told us about a sent message, once per
# event (a provider retries its webhooks: the same event id twice changes nothing).
mail_events = Table(
    "mail_events",
    metadata,
    Column("event_id", String(160), primary_key=True),  # provider:its own id for the event
    Column("provider", String(16), nullable=False),
    Column("kind", String(16), nullable=False),  # delivered | bounced | complained | unsubscribed | ...
    Column("hard", Integer, nullable=False, default=0),  # 1: a permanent failure (hard bounce)
    Column("recipient", String(320), nullable=False),
    Column("message_id", Text, nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    # Migration 42. The edition of the ledger delivery whose provider message id the event
    # names ("" when none matches): soft bounces count once per edition.
    Column("edition_key", String(64), nullable=False, default="", server_default=""),
)
Index("ix_mail_events_recipient", mail_events.c.recipient, mail_events.c.at)

# Subscribers' data (migration 30). A forgotten address, kept only as a keyed hash
# (HMAC-SHA256 with the secret key) so imports and sign-ups can refuse it.
forgotten = Table(
    "forgotten",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("forgotten_at", DateTime(timezone=True), nullable=False),
)

# Delivery (migration 6). Side emails: one message to one address outside any edition (a
# sign-up confirmation, an alert), recorded before its call and settled after it
# (digest.store.side_mails). ``idem_key`` is the key the provider gets: one message per key.
side_mails = Table(
    "side_mails",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("idem_key", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # confirm | alert
    Column("recipient", String(320), nullable=False),  # lower-cased; forgotten:<hash> once forgotten
    Column("subject", Text, nullable=False, default=""),
    # queued | claimed (a worker took it, no call made yet) | sending | sent | failed | unknown
    Column("status", String(16), nullable=False),
    Column("provider", String(32), nullable=False, default=""),
    Column("provider_id", Text, nullable=False, default=""),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Migration 7. What a queued side email needs until a worker renders it: the language, and
    # the kind's own values as JSON (a sign-up's consent line); emptied once it is sent.
    Column("language", String(8), nullable=False, default="", server_default=""),
    Column("payload", Text, nullable=False, default="", server_default=""),
)
Index("ix_side_mails_status", side_mails.c.status)

# Web (migration 43). The opaque id that the links of an address carry (unsubscribe,
# preferences, confirmation), so no link holds the address itself. Made the first time a
# link is made for the address; ``forget`` deletes it, and its links then lead nowhere.
link_refs = Table(
    "link_refs",
    metadata,
    Column("ref", String(24), primary_key=True),  # 12 random bytes, base64url
    Column("email", String(320), nullable=False, unique=True),  # lower-cased
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Web (migration 44). A dashboard log-in, kept on the server so log-out and a new password end it:
# the cookie holds only a random id, stored here as its SHA-256; ``password`` is a keyed hash of
# DIGEST_ADMIN_PASSWORD as it was at log-in, so changing the password voids every older log-in.
admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("password", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # whose log-in: a volunteer's email (``users``), or '' for the shared DIGEST_ADMIN_PASSWORD
    Column("account", String(320), nullable=False, default="", server_default=""),
)


# Volunteers with their own accounts (issue 22): one row per person; ``password`` is a Werkzeug
# hash, or '' for one who logs in only by an emailed one-time link. DIGEST_ADMIN_PASSWORD is not
# here: it stays the first admin's key. ``audit_log`` records every state change with who and when.
users = Table(
    "users",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password", String(255), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(320), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(320), nullable=False, default=""),
    Column("detail", String(1000), nullable=False, default=""),
)
# One-time sign-in links emailed to volunteers: the SHA-256 of the token only; ``used_at`` is set
# by the one POST that logs in with it (a second, or one after its short lifetime, does nothing).
login_links = Table(
    "login_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)


# Approval of an edition (DIGEST_APPROVAL=email, issue 22): one row per request mailed to an
# approver (``token_hash`` is the SHA-256 of the opaque token in its links; the token itself is
# never stored) and per decision made on the dashboard. A request is bound to the edition's
# content hash: an edition frozen again with other bytes is a new edition to approve. ``decision``
# is '' until the token is used (once), then approve or hold.
approvals = Table(
    "approvals",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("edition_key", String(64), nullable=False, index=True),
    Column("content_sha256", String(64), nullable=False),
    Column("approver", String(320), nullable=False),
    Column("decision", String(8), nullable=False, default=""),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)
