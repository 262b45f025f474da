"""Posts for an edition: one per article and enabled platform, from templates/social/.

Each post gets the article's blurb (the sentence with the headline's point first, then the one
with the date, place, thanks or ask: see :mod:`digest.summarise.purpose`), its link with UTM
tags and a few hashtags, is fitted to the platform (see :mod:`digest.social.fit`) and checked against the
protected terms. A post that cannot go carries its reasons in ``errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2

from digest.config import Settings
from digest.errors import RenderError
from digest.guard import Surface, check, post_surfaces
from digest.language import text_language
from digest.links import campaign_slug, with_utm
from digest.protect import ProtectedTerms
from digest.render.env import template_env
from digest.render.safe import article_image
from digest.social.fit import fit
from digest.social.images import ImageRefused, fetch
from digest.social.measure import Measure, strip_rejected
from digest.social.platforms.registry import platform_class
from digest.summarise import hashtags as make_hashtags
from digest.summarise.keyphrases import recurring
from digest.summarise.purpose import purpose_first
from digest.summarise.split import split_sentences
from digest.summarise.text import detect_language
from digest.types import Edition, EditionItem, Post

_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


@dataclass(frozen=True)
class Draft:
    """A post plus what publishing needs besides its text."""

    post: Post
    url: str
    link_text: str
    title: str
    description: str
    language: str
    hashtags: tuple[str, ...] = ()
    image: str = ""  # the article's image (fetched, checked and stripped only when published)
    image_alt: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "parts": [self.post.text],
            "url": self.url,
            "link_text": self.link_text,
            "title": self.title,
            "description": self.description,
            "language": self.language,
            "hashtags": list(self.hashtags),
            "article_title": self.post.article_title,
            "image": self.image,
            "image_alt": self.image_alt,
        }


@dataclass
class Composer:
    settings: Settings
    env: jinja2.Environment
    terms: ProtectedTerms
    templates: dict[str, jinja2.Template] = field(default_factory=dict)

    def template(self, platform: str) -> jinja2.Template:
        if platform not in self.templates:
            try:
                self.templates[platform] = self.env.get_template(f"social/{platform}.txt.j2")
            except jinja2.TemplateError as exc:
                raise RenderError(
                    f"social/{platform}.txt.j2: {exc}; fix the template (DIGEST_TEMPLATES_DIR)"
                ) from None
        return self.templates[platform]


def posts_for_edition(edition: Edition, settings: Settings) -> list[Post]:
    """Every post the edition would make, with its count and any errors (for the preview)."""
    return [d.post for d in drafts_for_edition(edition, settings)]


def drafts_for_edition(edition: Edition, settings: Settings) -> list[Draft]:
    composer = Composer(
        settings,
        template_env(getattr(settings, "templates_dir", None)),
        settings.protected_terms(),
    )
    drafts = []
    for item in edition.items + edition.more:
        phrases = post_keyphrases(item)
        drafts += [
            draft_for(composer, edition.key, item, platform, phrases)
            for platform in settings.social_platforms
        ]
    return drafts


def post_keyphrases(item: EditionItem) -> list[str]:
    """Key phrases for the hashtags: phrases of the blurb that recur in it or in the title,
    never a run of the headline itself. The same at preview and at queueing, when only the
    frozen title and blurb are left (the full article text is not kept)."""
    body = split_sentences(item.blurb)
    return recurring(body, item.article.title, detect_language(item.blurb or item.article.title))


def draft_for(
    composer: Composer, edition_key: str, item: EditionItem, platform: str, phrases: list[str]
) -> Draft:
    settings, article = composer.settings, item.article
    url = post_url(article.url, platform, edition_key)
    spec = platform_class(platform)
    link_text = spec.link_text(url)
    tags = make_hashtags(
        phrases,
        aliases=dict(settings.hashtag_aliases),
        allowlist=list(settings.hashtags),
        protected=composer.terms.contains,
        limit=spec.max_hashtags,
    )
    template = composer.template(platform)
    org = settings.org_name

    def render(text: str, chosen: list[str]) -> str:
        try:
            out = template.render(
                title=strip_rejected(article.title), text=text, link=link_text,
                hashtags=["#" + t for t in chosen], org=org,
            )
        except jinja2.TemplateError as exc:
            raise RenderError(f"social/{platform}.txt.j2: {exc}; fix the template") from None
        return "\n".join(line.rstrip() for line in out.strip().splitlines())

    limit = spec.limit_for(settings)
    body = strip_rejected(item.blurb or article.title)  # invisible, and some platforms refuse them
    # The headline's point first, then the date, place, thanks or ask: cut from the end, a post
    # keeps what the article is for.
    body = " ".join(purpose_first(split_sentences(body), article.title))
    fitted = fit(render, lambda t: spec.measure(t, limit), body, tags)
    used_tags = tuple(t for t in tags if "#" + t in fitted.text)
    image, alt = ("", "")
    if spec.image_limits:
        image, alt = article_image(article.image, article.image_alt, article.html)
    card = {"url": url, "link_text": link_text, "title": article.title, "description": item.blurb,
            "hashtags": list(used_tags), "article_title": article.title, "image": image, "image_alt": alt}
    surfaces = post_surfaces({"parts": [fitted.text], **card}, platform=platform)
    errors = _errors(composer, fitted.measure, url, fitted.error, surfaces)
    post = Post(
        platform=platform,
        article_id=article.id,
        article_title=article.title,
        text=fitted.text,
        used=fitted.measure.used,
        limit=fitted.measure.limit,
        errors=tuple(errors),
        image=image,
        image_alt=alt,
    )
    return Draft(post, url, link_text, article.title, item.blurb, _language(fitted.text, settings), used_tags,
                 image, alt)


def _errors(composer: Composer, m: Measure, url: str, fit_error: str, surfaces: list[Surface]) -> list[str]:
    errors = [fit_error] if fit_error else []
    if m.rejected:
        errors.append(f"contains characters the platform refuses ({m.rejected}): edit the template")
    elif not errors and not m.fits:
        errors.append(f"too long: {m.used}/{m.limit} {m.unit}")
    if not url.startswith(("http://", "https://")):
        errors.append("the article has no web address, and a post needs a link")
    for hit in check(composer.terms, surfaces):
        errors.append(f"protected term {hit.term!r} in {hit.where}")
    return errors


def image_status(post: Post, timeout: float) -> str:
    """What publishing would do with the post's image: carry it (cleaned, at what size) or leave it
    out (why). Fetches and cleans it as publishing does; "" when the post has no image."""
    limits = platform_class(post.platform).image_limits
    if not post.image or limits is None:
        return ""
    try:
        clean = fetch(post.image, timeout, limits)
    except ImageRefused as exc:
        return f"goes without its image: {exc}"
    size = f"{clean.width}x{clean.height}, {len(clean.data):,} bytes"
    return f"carries its image ({size}, all metadata removed)"


def post_url(url: str, platform: str, edition_key: str) -> str:
    """The article link with UTM tags, percent-encoded so every platform links all of it."""
    tagged = with_utm(url, source=platform, medium="social", campaign=campaign_slug(edition_key))
    parts = urlsplit(tagged)
    if not parts.scheme:
        return tagged
    host = parts.netloc.encode("idna").decode("ascii") if not parts.netloc.isascii() else parts.netloc
    return f"{parts.scheme}://{host}" + quote(
        tagged[len(parts.scheme) + 3 + len(parts.netloc) :], safe=_URL_SAFE
    )


def _language(text: str, settings: Settings) -> str:
    return text_language(text, settings.language)
