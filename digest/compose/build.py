"""From sources to a built edition: the steps `preview`, `sources`, `send` and the scheduler share.

Building reads the sources, picks and summarises the articles, fits the email to
its size budget and finds every protected term in it (:mod:`digest.compose.checks`);
:mod:`digest.compose.freeze` then renders the other languages and freezes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from digest.compose.checks import check_protected
from digest.compose.edition import compose_edition, select_articles, window_start
from digest.compose.stories import one_entry_per_story, own_source
from digest.config import Settings
from digest.protect import Hit
from digest.render.budget import fit_budget
from digest.render.email import RenderedEmail
from digest.render.safe import article_image
from digest.schedule import last_due_slot, period_key
from digest.sources import SourceOptions, SourceRun, load_sources
from digest.store.seen import ArticleBook, SourceCheck
from digest.summarise.registry import BlurbOptions, LlmOptions
from digest.types import Article, Edition

if TYPE_CHECKING:
    from digest.store.ledger import Ledger


@dataclass
class Built:
    edition: Edition
    rendered: RenderedEmail
    left_out: list[tuple[Article, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    checks: list[SourceCheck] = field(default_factory=list)  # how each source entry fared


def current_period(settings: Settings, now: datetime) -> tuple[str, datetime]:
    """The key and slot of the period ``now`` falls in: the last due slot of the schedule."""
    cadence = settings.cadence
    slot = last_due_slot(cadence, now) or now.astimezone(UTC)
    return period_key(cadence, slot), slot


def build_edition(
    settings: Settings,
    ledger: ArticleBook,
    *,
    now: datetime,
    key: str,
    slot: datetime,
    progress: bool = False,
    uncounted: Sequence[str] = (),
) -> Built:
    """Load, select, summarise and render. Writes only the 'articles seen' table.

    ``uncounted``: channels whose editions count neither as the last one sent nor as having
    used up their articles (for a real provider, the rehearsals': see
    :func:`digest.providers.registry.rehearsal_channels`).
    """
    edition, left_out, problems, checks = compose_current(
        settings, ledger, now=now, key=key, slot=slot, progress=progress, uncounted=uncounted
    )
    fitted = fit_budget(edition, settings)
    edition, rendered = fitted.edition, fitted.rendered
    hits = check_protected(settings, edition, rendered)
    return Built(edition, rendered, left_out + fitted.trimmed, problems, hits, checks)


def compose_current(
    settings: Settings,
    ledger: ArticleBook,
    *,
    now: datetime,
    key: str,
    slot: datetime,
    progress: bool = False,
    uncounted: Sequence[str] = (),
) -> tuple[Edition, list[tuple[Article, str]], list[tuple[str, str]], list[SourceCheck]]:
    """Load, select and summarise: (edition, articles left out with why, source problems, how
    each source entry fared); ``uncounted`` as for :func:`build_edition`."""
    loaded = load_sources(
        settings.sources,
        SourceOptions.from_settings(settings),
        progress=progress,
    )
    ledger.remember_articles([_article_row(a, now) for a in loaded.articles])
    last = ledger.last_sent_edition(uncounted)
    first_read = min(ledger.first_read() or now, now)
    last_slot = last.slot_utc if last and last.key != key else None
    since = window_start(last_slot, first_read, settings.lookback_days)
    # An edition built ahead of its slot (the preview of the next one) is dated, and takes the
    # articles due, as of its slot: what would go out then.
    issued = max(now, slot)
    first_seen = ledger.first_seen(a.id for a in loaded.articles)
    chosen, left_out = select_articles(
        loaded.articles,
        taken=ledger.taken_article_idents(uncounted),
        first_seen=first_seen,
        since=since,
        now=issued,
        zone=ZoneInfo(settings.timezone),
    )
    stories = one_entry_per_story(chosen, own_source(settings.site_url), ledger.sent_stories(uncounted))
    options = blurb_options(settings)
    items, more, failed = compose_edition(
        stories.leads, options, settings.max_articles, settings.max_more_stories, stories.also
    )
    edition = Edition(key=key, slot=slot, issued=issued, items=tuple(items), more=tuple(more))
    checks = source_checks(loaded.runs, first_seen)
    return edition, left_out + stories.reposts + failed, loaded.problems, checks


def source_checks(runs: list[SourceRun], first_seen: dict[str, datetime]) -> list[SourceCheck]:
    """How each source entry fared, with when its newest item was first seen (source health)."""
    return [
        SourceCheck(
            run.entry, run.error, run.kind, len(run.idents),
            max((first_seen[i] for i in run.idents if i in first_seen), default=None),
        )
        for run in runs
    ]


SKIPPED_SHOWN = 10


def record_skipped_sources(ledger: Ledger, key: str, problems: list[tuple[str, str]]) -> None:
    """Each source or article left unread, once per edition, so `digest status` names it.

    A feed with hundreds of broken entries would bury every other alert: after
    ``SKIPPED_SHOWN`` lines one more says how many were left and where to see them.
    """
    for source, problem in problems[:SKIPPED_SHOWN]:
        line = problem if problem.startswith(source) else f"{source}: {problem}"
        ledger.event("warning", "source skipped", line, key)
    if len(problems) > SKIPPED_SHOWN:
        more = len(problems) - SKIPPED_SHOWN
        ledger.event("warning", "source skipped", f"and {more} more; see digest sources", key)


def blurb_options(settings: Settings) -> BlurbOptions:
    """How blurbs are written, from the settings (compose and `digest summarise` both use it)."""
    llm = None
    if settings.summariser == "llm":
        llm = LlmOptions(settings.llm_base_url, settings.llm_api_key, settings.llm_model,
                         settings.llm_timeout)
    terms = settings.protected_terms()
    return BlurbOptions(settings.summary_sentences, settings.summary_max_words, llm,
                        terms.contains if terms.terms else None, summariser=settings.summariser)


def _article_row(article: Article, now: datetime) -> dict[str, object]:
    """What the ledger keeps of an article: enough to post about it after the edition is frozen."""
    image, alt = article_image(article.image, article.image_alt, article.html)
    return {
        "ident": article.id,
        "title": article.title[:2000],
        "url": article.url,
        "source": article.source,
        "published_at": article.published,
        "first_seen_at": now,
        "image": image,
        "image_alt": alt[:2000],
    }
