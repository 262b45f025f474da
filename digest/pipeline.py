"""From sources to a frozen edition: the steps `preview`, `sources` and `send` share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from digest.compose import compose_edition, select_articles, window_start
from digest.compose.blurb import BlurbOptions, LlmOptions
from digest.config import Settings
from digest.errors import ProtectedTermError, RenderError
from digest.protect import Hit, ProtectedTerms
from digest.render.budget import fit_budget
from digest.render.email import RenderedEmail
from digest.schedule import last_due_slot, parse_cadence, period_key
from digest.sources import SourceOptions, load_sources
from digest.store.ledger import Ledger
from digest.types import Article, Edition, Post


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
    edition, left_out, problems = compose_current(
        settings, ledger, now=now, key=key, slot=slot, progress=progress
    )
    fitted = fit_budget(edition, settings)
    edition, rendered = fitted.edition, fitted.rendered
    hits = check_protected(settings, edition, rendered)
    return Built(edition, rendered, left_out + fitted.trimmed, problems, hits)


def compose_current(
    settings: Settings,
    ledger: Ledger,
    *,
    now: datetime,
    key: str,
    slot: datetime,
    progress: bool = False,
) -> tuple[Edition, list[tuple[Article, str]], list[tuple[str, str]]]:
    """Load, select and summarise: (edition, articles left out with why, source problems)."""
    loaded = load_sources(
        settings.sources,
        SourceOptions.from_settings(settings),
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
    # For a real provider, outbox rehearsals use up neither the period nor their articles.
    rehearsals = settings.provider == "outbox"
    last = ledger.last_sent_edition(rehearsals)
    since = window_start(last.slot_utc if last and last.key != key else None, now, settings.lookback_days)
    chosen, left_out = select_articles(
        loaded.articles,
        taken=ledger.taken_article_idents(rehearsals),
        first_seen=ledger.first_seen(a.id for a in loaded.articles),
        since=since,
        now=now,
    )
    options = blurb_options(settings)
    items, more, failed = compose_edition(chosen, options, settings.max_articles, settings.max_more_stories)
    edition = Edition(key=key, slot=slot, issued=now, items=tuple(items), more=tuple(more))
    return edition, left_out + failed, loaded.problems


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
    terms = ProtectedTerms.from_file(settings.protected_terms_file)
    return BlurbOptions(settings.summary_sentences, settings.summary_max_words, None, llm,
                        terms.contains if terms.terms else None, summariser=settings.summariser)


def check_protected(settings: Settings, edition: Edition, rendered: RenderedEmail) -> list[Hit]:
    """Every protected-term occurrence in the email, attributed to an article or setting where possible.

    Each article's fields that reach the email are checked on their own (so the
    error can name the article), then the settings printed in the email or put in
    its headers (From, Reply-To, the unsubscribe address), then the whole rendered
    subject, text and HTML (visible text and attribute values) for anything a
    template adds.
    """
    terms = ProtectedTerms.from_file(settings.protected_terms_file)
    if not terms.terms:
        return []
    hits: list[Hit] = []
    for item in edition.items + edition.more:
        a = item.article
        fields = (a.title, item.blurb, a.url, a.image, a.image_alt, a.author, _html_image_alt(a.html))
        text = "\n".join(fields)
        hits += terms.find(text, where=f"article {a.title!r}")
    for key, value in _printed_settings(settings):
        hits += terms.find(value, where=f"setting {key}")
    found = {h.term for h in hits}
    whole = [
        *terms.find(rendered.subject, where="the subject"),
        *terms.find(rendered.text, where="the email's text part"),
        *terms.find_in_html(rendered.html, where="the email's HTML"),
    ]
    for hit in whole:
        if hit.term not in found:
            hits.append(hit)
            found.add(hit.term)
    return hits


def check_posts(settings: Settings, posts: list[Post]) -> list[Hit]:
    """Protected-term occurrences in social posts, naming the platform and the article."""
    terms = ProtectedTerms.from_file(settings.protected_terms_file)
    if not terms.terms:
        return []
    hits: list[Hit] = []
    for post in posts:
        hits += terms.find(post.text, where=f"the {post.platform} post for article {post.article_title!r}")
    return hits


def check_social(settings: Settings, edition: Edition) -> list[Hit]:
    """Protected-term occurrences in the posts this edition would make (none when no platform is on)."""
    if not settings.social_platforms or not settings.protected_terms_file:
        return []
    from digest.social.compose import posts_for_edition

    return check_posts(settings, posts_for_edition(edition, settings))


def _printed_settings(settings: Settings) -> list[tuple[str, str]]:
    from digest.deliver.guard import header_settings

    return [
        *header_settings(settings),
        ("DIGEST_ORG_NAME", settings.org_name),
        ("DIGEST_INTRO", settings.intro),
        ("DIGEST_POSTAL_ADDRESS", settings.postal_address),
        ("DIGEST_FOOTER_REASON", settings.footer_reason),
        ("DIGEST_SUBJECT", settings.subject),
        ("DIGEST_LOGO_URL", settings.logo_url),
    ]


def _html_image_alt(html: str) -> str:
    """The alt text the email may take from the article's own HTML (its first image)."""
    from digest.render.safe import first_image

    return " ".join(first_image(html))


def refuse_protected(hits: list[Hit]) -> None:
    """Stop before anything is sent when a protected term would go out (exit status 3).

    The message names every (term, place) pair, up to five, so staff can fix them all at once.
    """
    if not hits:
        return
    pairs = list(dict.fromkeys((h.term, h.where) for h in hits))
    listed = "; ".join(f"{term!r} in {where}" for term, where in pairs[:5])
    more = f" (and {len(pairs) - 5} more)" if len(pairs) > 5 else ""
    raise ProtectedTermError(
        f"protected term {listed}{more}; nothing was sent. "
        "Remove or edit the article (or the setting), check with digest preview, then send again"
    )


def size_problem(settings: Settings, rendered: RenderedEmail) -> str | None:
    """Why the email's HTML is too big for Gmail (which cuts off at about 102 KB), or None."""
    size = rendered.html_bytes
    if size <= settings.html_budget:
        return None
    return (
        f"the email's HTML is {size:,} bytes, over DIGEST_HTML_BUDGET ({settings.html_budget:,}); "
        "Gmail shows long emails cut off"
    )


def refuse_large(settings: Settings, rendered: RenderedEmail) -> None:
    """Stop before anything is sent when the email is over budget (unless DIGEST_ALLOW_LARGE)."""
    problem = size_problem(settings, rendered)
    if problem and not settings.allow_large:
        raise RenderError(
            f"{problem}; nothing was sent. Lower DIGEST_MAX_ARTICLES or DIGEST_SUMMARY_MAX_WORDS, "
            "or send anyway with digest send --allow-large"
        )
