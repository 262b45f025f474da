"""The checks an edition goes through before it may be frozen or sent: protected terms and size.

A protected name anywhere in what would go out (an article, a setting printed in
the email or its headers, a social post) stops the send with exit status 3; an
email over DIGEST_HTML_BUDGET stops it unless DIGEST_ALLOW_LARGE is set.
"""

from __future__ import annotations

from digest.config import Settings
from digest.errors import ProtectedTermError, RenderError
from digest.guard import Surface, check, email_surfaces, header_surfaces
from digest.protect import Hit, describe
from digest.render.email import RenderedEmail
from digest.types import Edition, Post


def check_protected(settings: Settings, edition: Edition, rendered: RenderedEmail) -> list[Hit]:
    """Every protected-term occurrence in the email, attributed to an article or setting where possible.

    Each article's fields that reach the email are checked on their own (so the
    error can name the article), then the settings printed in the email or put in
    its headers (From, Reply-To, the unsubscribe address), then the whole rendered
    subject, text and HTML (visible text and attribute values) for anything a
    template adds.
    """
    terms = settings.protected_terms()
    if not terms.terms:
        return []
    hits = check(terms, [*article_surfaces(edition), *_printed_settings(settings)])
    found = {h.term for h in hits}
    for hit in check(terms, email_surfaces(rendered.subject, rendered.html, rendered.text)):
        if hit.term not in found:
            hits.append(hit)
            found.add(hit.term)
    return hits


def article_surfaces(edition: Edition) -> list[Surface]:
    """What of each article may reach the email: title, blurb, author, link, image and its alt text."""
    surfaces: list[Surface] = []
    for item in edition.items + edition.more:
        a = item.article
        label = f"article {a.title!r}"
        surfaces += [
            (label, "text", "\n".join((a.title, item.blurb, a.author, a.image_alt, _html_image_alt(a.html)))),
            (label, "url", a.url),
            (label, "url", a.image),
        ]
    return surfaces


def check_posts(settings: Settings, posts: list[Post]) -> list[Hit]:
    """Protected-term occurrences in social posts, naming the platform and the article."""
    return check(settings.protected_terms(), [
        (f"the {post.platform} post for article {post.article_title!r}", "text", post.text) for post in posts
    ])


def check_social(settings: Settings, edition: Edition) -> list[Hit]:
    """Protected-term occurrences in the posts this edition would make (none when no platform is on)."""
    if not settings.social_platforms or not settings.protected_terms_file:
        return []
    from digest.social.compose import posts_for_edition

    return check_posts(settings, posts_for_edition(edition, settings))


def _printed_settings(settings: Settings) -> list[Surface]:
    printed = [
        ("DIGEST_ORG_NAME", settings.org_name),
        ("DIGEST_INTRO", settings.intro),
        ("DIGEST_POSTAL_ADDRESS", settings.postal_address),
        ("DIGEST_FOOTER_REASON", settings.footer_reason),
        ("DIGEST_SUBJECT", settings.subject),
    ]
    return [*header_surfaces(settings), *((f"setting {key}", "text", value) for key, value in printed),
            ("setting DIGEST_LOGO_URL", "url", settings.logo_url)]


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
    raise ProtectedTermError(
        f"protected term {describe(hits)}; nothing was sent. "
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
