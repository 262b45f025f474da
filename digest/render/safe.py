"""Untrusted article fields made safe before they reach a template.

Article titles, blurbs, image addresses and feed HTML come from feeds and web
pages. Text fields that still carry markup (double-escaped feeds turn
``&lt;script&gt;`` into ``<script>`` after one decode) are cleaned with nh3, a
maintained sanitiser, down to plain text; the template then escapes them like any
other text. Only http(s) addresses survive as links or images, so ``javascript:``
and ``data:`` never do. Sizes are capped so one hostile field cannot blow the
email's size budget.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

TITLE_MAX = 300
BLURB_MAX = 1500
ALT_MAX = 250
URL_MAX = 2000

# Elements whose content is code or chrome, never prose: nh3 drops them with their content.
_DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
_ELEMENTS = set(nh3.ALLOWED_TAGS) | _DROP_CONTENT | {
    "html", "head", "body", "title", "meta", "link", "base", "form", "input", "button", "select",
    "textarea", "frame", "frameset", "applet", "video", "audio", "source", "track", "picture", "canvas",
}
# A whole tag of a real HTML element ("<b>", "</p>", "<img src=x>") or a comment. Prose such as
# "x < y" or "<partners> & co" is not markup and stays as written (the template escapes it).
_TAG = re.compile(
    r"<\s*/?\s*(?:" + "|".join(sorted(_ELEMENTS, key=len, reverse=True)) + r")\b[^<>]*>|<!--.*?-->",
    re.S | re.I,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain(text: str, limit: int) -> str:
    """Plain text of an untrusted field: markup stripped (script and style with their content)."""
    if _TAG.search(text):
        cleaned = nh3.clean(text, tags=set(), clean_content_tags=_DROP_CONTENT, strip_comments=True)
        text = html.unescape(cleaned)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address, else "" (so it is left out, not linked)."""
    url = _CONTROL.sub("", url.strip())
    if not url or len(url) > URL_MAX:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


def article_image(image: str, alt: str, html: str) -> tuple[str, str]:
    """(address, alt text) of an article's picture: its own image, else the first of its HTML;
    ("", "") when it has none. The email shows it and a post carries it."""
    image = safe_url(image)
    if not image:
        image, alt = first_image(html)
    return (image, " ".join(alt.split())) if image else ("", "")


def first_image(fragment: str) -> tuple[str, str]:
    """(src, alt) of the first http(s) image in untrusted feed HTML, after nh3 cleaning."""
    if "<img" not in fragment.lower():
        return "", ""
    cleaned = nh3.clean(
        fragment,
        tags={"img"},
        attributes={"img": {"src", "alt"}},
        url_schemes={"http", "https"},
        clean_content_tags=_DROP_CONTENT,
    )
    try:
        root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    except (etree.ParserError, ValueError):
        return "", ""
    for img in root.iter("img"):
        src = safe_url(img.get("src", ""))
        if src:
            return src, plain(img.get("alt", ""), ALT_MAX)
    return "", ""
