"""Article pages: the main text extracted by trafilatura (menus, ads and credits dropped)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from digest.errors import SourceError
from digest.sources.base import Reader, Result, SourceRef, first_element
from digest.sources.decode import decode_bytes
from digest.sources.fields import FieldReader
from digest.sources.pagemeta import PageMeta, page_metadata, parse_page
from digest.sources.text import normalise
from digest.types import Article, article_identity

# Titles that name the publishing software, not the article (seen on real pages).
_CMS_NAMES = {
    "escenic", "wordpress", "drupal", "joomla", "ghost", "squarespace", "wix", "blogger", "typo3",
    "contentful", "arc xp", "arc publishing", "hugo", "jekyll", "substack", "medium", "webflow",
    "untitled", "untitled document", "home", "index", "document",
}


def article_from_page(
    data: bytes | str,
    *,
    url: str,
    source: str,
    content_type: str = "",
    fallback_title: str = "",
    site_url: str = "",
) -> Article:
    """Extract one article from a page's bytes (decoded with its declared charset).

    Raises SourceError when no main text or title is found. ``url`` is the
    address it was fetched from ("" for a file); without any address of its own
    the article links to ``site_url`` and says so in its warnings.
    """
    html = data if isinstance(data, str) else decode_bytes(data, content_type)[0]
    root = parse_page(html)
    meta = page_metadata(root)
    doc = _extract(html if root is None else keep_inline_text(root), url)
    if not str(doc.get("text") or "").strip():
        raise SourceError(f"{source}: no article text found on the page")
    text = normalise(str(doc["text"]))
    title = choose_title(str(doc.get("title") or ""), meta) or fallback_title.strip()
    if not title:
        raise SourceError(f"{source}: the page has no title")
    fields = FieldReader()
    link, link_from = _link(fields, meta, doc, url)
    published, date_from = _date(fields, meta)
    image = fields.url(meta.image or doc.get("image"), "image")
    if not link:
        fields.warnings.append("no address of its own; it links to the homepage (DIGEST_SITE_URL)")
    return Article(
        id=article_identity(None, link or None, title, text),
        title=title,
        url=link or site_url,
        text=text,
        source=source,
        published=published,
        author=str(doc.get("author") or "").strip(),
        image=image,
        date_from=date_from,
        url_from=link_from,
        warnings=tuple(fields.warnings),
    )


def read(data: bytes, ref: SourceRef) -> Result:
    """The web-page reader of the registry (a fetched page or a saved .html file)."""
    fallback = ref.path.stem if ref.path else ""
    article = article_from_page(
        data, url=ref.url, source=ref.name, content_type=ref.content_type,
        fallback_title=fallback, site_url=ref.site_url,
    )
    return [article], []


_ROOTS = ("html", "!doctype html", "head", "body")

READER = Reader(
    "page",
    "a web page",
    read,
    suffixes=(".html", ".htm"),
    types=("text/html", "application/xhtml+xml"),
    recognise=lambda data: first_element(data) in _ROOTS,
)


# Elements that sit inside running text: their words are part of the sentence.
_INLINE = ("a", "span", "em", "strong", "b", "i", "u", "small", "mark", "abbr", "cite", "q", "sub", "sup",
           "time", "font", "code", "s", "del", "ins", "bdi", "bdo")
_TEXT_BLOCKS = ("p", "li", "blockquote", "dd", "td", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption")


def keep_inline_text(root: Any) -> Any:
    """Drop class and id from inline elements inside paragraphs, so no word of a sentence is lost.

    trafilatura prunes elements whose class or id looks like furniture (``related``,
    ``share``, ``byline``…); on a link inside a paragraph that leaves a hole:
    "had a lead in the state, but , notably". Blocks keep their names, so real
    furniture is still removed.
    """
    for el in root.iter(*_INLINE):
        if next(el.iterancestors(*_TEXT_BLOCKS), None) is None:
            continue
        for name in ("class", "id"):
            if name in el.attrib:
                del el.attrib[name]
    return root


def _extract(html: Any, url: str) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url or None,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        favor_precision=True,
        # the date is read from metadata only (pagemeta); no guessing from the text
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    return {} if doc is None else doc if isinstance(doc, dict) else doc.as_dict()


def choose_title(extracted: str, meta: PageMeta) -> str:
    """The extracted title, unless it is the CMS's name; then og:title, <h1>, <title>."""
    candidates = [extracted, meta.og_title, meta.h1, meta.title_tag]
    for title in (" ".join(c.split()) for c in candidates):
        if title and not generator_like(title, meta):
            return title
    return ""


def generator_like(title: str, meta: PageMeta) -> bool:
    folded = title.casefold()
    if folded in _CMS_NAMES:
        return True
    generator = meta.generator.casefold()
    return bool(generator) and (folded == generator or generator.split()[0] == folded)


def _link(fields: FieldReader, meta: PageMeta, doc: dict[str, Any], url: str) -> tuple[str, str]:
    for value, where in ((meta.canonical, "canonical link"), (doc.get("url"), "page metadata"),
                         (url, "fetched address")):
        value = str(value or "").strip()
        if value and not value.startswith(("http://", "https://")):
            if not url:
                continue  # a relative link says nothing about where a saved page lives
            try:
                value = urljoin(url, value)
            except ValueError:
                value = ""
        link = fields.url(value, where)
        if link:
            return link, where
    return "", "homepage"


def _date(fields: FieldReader, meta: PageMeta) -> tuple[Any, str]:
    for value, where in meta.dates:
        published = fields.date(value, f"date in {where}")
        if published:
            return published, where
    return None, ""
