"""From sources to a frozen edition: the steps `preview`, `sources` and `send` share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from digest.compose import compose_edition, select_articles, window_start
from digest.compose.blurb import BlurbOptions, LlmOptions
from digest.config import Settings
from digest.errors import ProtectedTermError
from digest.protect import Hit, ProtectedTerms
from digest.render.email import RenderedEmail, render_email
from digest.render.env import template_env
from digest.schedule import last_due_slot, parse_cadence, period_key
from digest.sources import SourceOptions, load_sources
from digest.sources.text import html_to_text
from digest.store.ledger import Ledger
from digest.types import Article, Edition


@dataclass
class Built:
    edition: Edition
    rendered: RenderedEmail
    left_out: list[tuple[Article, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)


def current_period(settings: Settings, now: datetime) -> tuple[str, datetime]:
    """The key and slot of the period ``now`` falls in: the last due slot of the schedule."""
    cadence = parse_cadence(settings.schedule, settings.timezone)
    slot = last_due_slot(cadence, now) or now.astimezone(UTC)
    return period_key(cadence, slot), slot


def build_edition(
    settings: Settings,
    ledger: Ledger,
    *,
    now: datetime,
    key: str,
    slot: datetime,
    progress: bool = False,
) -> Built:
    """Load, select, summarise and render. Writes only the 'articles seen' table."""
    loaded = load_sources(
        settings.sources,
        SourceOptions(settings.fetch_timeout, settings.fetch_max_bytes, settings.site_url),
        progress=progress,
    )
    ledger.remember_articles(
        [
            {
                "ident": a.id,
                "title": a.title[:2000],
                "url": a.url,
                "source": a.source,
                "published_at": a.published,
                "first_seen_at": now,
            }
            for a in loaded.articles
        ]
    )
    last = ledger.last_sent_edition()
    since = window_start(last.slot_utc if last and last.key != key else None, now, settings.lookback_days)
    chosen, left_out = select_articles(
        loaded.articles,
        taken=ledger.taken_article_idents(),
        first_seen=ledger.first_seen(a.id for a in loaded.articles),
        since=since,
        now=now,
    )
    options = blurb_options(settings)
    items, more, failed = compose_edition(chosen, options, settings.max_articles)
    edition = Edition(key=key, slot=slot, issued=now, items=tuple(items), more=tuple(more))
    rendered = render_email(edition, settings, template_env(getattr(settings, "templates_dir", None)))
    hits = check_protected(settings, edition, rendered)
    return Built(edition, rendered, left_out + failed, loaded.problems, hits)


def blurb_options(settings: Settings) -> BlurbOptions:
    """How blurbs are written, from the settings."""
    llm = None
    if settings.summariser == "llm":
        llm = LlmOptions(settings.llm_base_url, settings.llm_api_key, settings.llm_model,
                         settings.llm_timeout)
    terms = ProtectedTerms.from_file(settings.protected_terms_file)
    return BlurbOptions(settings.summary_sentences, settings.summary_max_words, None, llm,
                        terms.contains if terms.terms else None)


def check_protected(settings: Settings, edition: Edition, rendered: RenderedEmail) -> list[Hit]:
    """Every protected-term occurrence in the email, attributed to an article where possible."""
    terms = ProtectedTerms.from_file(settings.protected_terms_file)
    if not terms.terms:
        return []
    hits: list[Hit] = []
    for item in edition.items + edition.more:
        text = "\n".join((item.article.title, item.blurb, item.article.url, item.article.image_alt))
        hits += terms.find(text, where=f"article {item.article.title!r}")
    hits += terms.find(rendered.subject, where="subject")
    found = {h.term for h in hits}
    body = rendered.text + "\n" + html_to_text(rendered.html)
    hits += [h for h in terms.find(body, where="email") if h.term not in found]
    return hits


def refuse_protected(hits: list[Hit]) -> None:
    """Stop before anything is sent when a protected term would go out (exit status 3)."""
    if hits:
        first = hits[0]
        more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
        raise ProtectedTermError(
            f"protected term {first.term!r} found in {first.where}{more}; nothing was sent. "
            "Remove the article from the sources or edit it, then send again"
        )
