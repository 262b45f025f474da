"""Data types shared by every stage. This module imports nothing of ours."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

# A subscriber's status on our list. Only ACTIVE is mailed; the others are never mailed
# again, an import cannot make them active, and they rejoin only through double opt-in.
ACTIVE = "active"
SUPPRESSED = ("unsubscribed", "bounced", "complained", "blocked")

# A date written without a time of day (``date: 2026-12-05``) is a calendar day: the same day in
# every time zone, never the evening before west of UTC. It is kept as midnight in this zone, which
# compares and stores as UTC; its name is what marks it (see Article.day and Article.moment).
CALENDAR_DAY = timezone(timedelta(0), "calendar day")


def calendar_day(day: date) -> datetime:
    """``day`` as a publication date without a time of day."""
    return datetime(day.year, day.month, day.day, tzinfo=CALENDAR_DAY)


def is_calendar_day(value: datetime) -> bool:
    """True for a date that was written without a time of day (see :func:`calendar_day`)."""
    return value.tzinfo is not None and value.tzname() == CALENDAR_DAY.tzname(None)


@dataclass(frozen=True)
class Article:
    """One article from any source, normalised.

    ``id`` is the dedupe identity: the feed guid, else the canonical URL, else a
    hash of the content (see :func:`article_identity`). ``date_from`` and
    ``url_from`` say where the date and the link came from (``url_from`` is
    ``"homepage"`` when the article had no address of its own); ``warnings`` name
    fields that could not be read and were dropped. ``language`` is the language the
    source declares (a BCP 47 tag, "" when it declares none), shown by `digest sources`;
    how an article is summarised and rendered follows its text (:mod:`digest.language`).
    """

    id: str
    title: str
    url: str
    text: str
    source: str
    published: datetime | None = None
    author: str = ""
    image: str = ""
    image_alt: str = ""
    html: str = ""
    date_from: str = ""
    url_from: str = ""
    language: str = ""
    warnings: tuple[str, ...] = ()

    def day(self, zone: tzinfo) -> date | None:
        """The day the article is dated, for readers in ``zone``: a date written without a time
        is that day everywhere; a date with a time is the day it was there."""
        if self.published is None:
            return None
        if is_calendar_day(self.published):
            return self.published.date()
        return self.published.astimezone(zone).date()

    def moment(self, zone: tzinfo) -> datetime | None:
        """When the article counts as published: its time, or for a date without a time the
        start of that day in ``zone`` (so it is due on that day, never the day before)."""
        day = self.day(zone)
        if day is None or self.published is None or not is_calendar_day(self.published):
            return self.published
        return datetime.combine(day, time(0), tzinfo=zone)


def article_identity(guid: str | None, url: str | None, title: str, text: str) -> str:
    """Stable identity: guid, else canonical URL, else a content hash."""
    if guid and guid.strip():
        return "guid:" + guid.strip()
    if url and url.strip():
        return "url:" + canonical_url(url)
    digest = hashlib.sha256(f"{title.strip()}\n{text.strip()}".encode()).hexdigest()
    return "sha256:" + digest[:32]


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop fragments, tracking parameters and a trailing slash."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed address is its own identity; it is never linked
        return url.strip()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in {"fbclid", "gclid"}
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(sorted(query)), ""))


@dataclass(frozen=True)
class SentenceSource:
    """Where one blurb sentence came from: the article's paragraph, as read, that holds it.

    ``paragraph`` counts the article's paragraphs from 0 (blank lines, and line breaks that are
    not a hard wrap, end one); ``text`` is that paragraph; ``start``/``end`` are the sentence's
    offsets in ``text`` (a quoted sentence: ``text[start:end]`` is the sentence). A written
    (LLM) sentence is no quote: ``start == end == 0``, ``supporting`` holds the article's
    sentences the faithfulness check matched and ``verdict`` what it found.
    """

    paragraph: int
    text: str
    start: int = 0
    end: int = 0
    supporting: tuple[str, ...] = ()
    verdict: str = "quoted"


@dataclass(frozen=True)
class BlurbSentence:
    """One sentence of a blurb and where it came from (``None``: not known)."""

    text: str
    source: SentenceSource | None = None


@dataclass(frozen=True)
class EditionItem:
    """An article as it appears in one edition: with its blurb and key phrases.

    ``sentences`` are the blurb's sentences in order, each with where it came from (empty when
    not known: a post read back from the queue). ``also`` holds the same story from other
    sources, merged into this entry ("also reported by").
    """

    article: Article
    blurb: str
    keyphrases: tuple[str, ...] = ()
    sentences: tuple[BlurbSentence, ...] = ()
    also: tuple[Article, ...] = ()


@dataclass(frozen=True)
class Edition:
    """The set of articles for one scheduled period.

    ``key`` names the period (``weekly:2026-W48``); ``slot`` is the scheduled
    instant (UTC) it belongs to; ``issued`` is when it was built (the date shown).
    """

    key: str
    slot: datetime
    issued: datetime
    items: tuple[EditionItem, ...]
    more: tuple[EditionItem, ...] = ()

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(i.article for i in self.items + self.more)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    language: str = ""


@dataclass(frozen=True)
class Post:
    """One social post for one article on one platform, as it would be published.

    ``used`` and ``limit`` are in the platform's own unit (weighted characters,
    graphemes, bytes: its class's ``unit``); ``errors`` says why it cannot go.
    """

    platform: str
    article_id: str
    article_title: str
    text: str
    used: int
    limit: int
    errors: tuple[str, ...] = ()
    image: str = ""  # the address of the image it carries, if its platform takes one
    image_alt: str = ""
    image_note: str = ""  # what the preview found: carried (size) or left out (why)


# The kinds of provider event `digest deliveries` counts per edition.
SHOWN_EVENTS = ("delivered", "bounced", "complained")


@dataclass(frozen=True)
class MailEvent:
    """What a provider's webhook reported about one sent message, normalised (django-anymail's
    model); stored once by its ``event_id`` (digest.store.mail_events)."""

    event_id: str
    provider: str
    kind: str  # delivered | bounced | complained | unsubscribed | rejected | deferred | other
    hard: bool
    recipient: str
    message_id: str
    at: datetime
    detail: str = ""
    # The id our send's answer gave this message, where the event names it otherwise (the provider's
    # webhook knows how; a campaign's id for a campaign provider); empty: the message id as it is.
    send_id: str = ""
    # The tag our send gave the message and the service reports back (its custom args or metadata):
    # the first 16 characters of the idempotency key of the ledger's call. Empty when it has none.
    tag: str = ""
