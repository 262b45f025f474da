"""Which reader reads a source: by file suffix or declared content type, checked against the content.

As pelican maps file extensions to readers, ``READERS_BY_SUFFIX`` and
``READERS_BY_TYPE`` map a suffix or a MIME type to a reader name. The declared
type alone is not trusted: servers label feeds ``text/html`` and pages
``text/xml``, and a page may begin with ``<?xml``. :func:`decide` looks at the
first element of the content too; when the two disagree the content wins, and
the :class:`Decision` says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest.types import Article

FEED = "feed"
PAGE = "page"
MARKDOWN = "markdown"
TEXT = "text"

READERS_BY_SUFFIX = {
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".txt": TEXT,
    ".html": PAGE,
    ".htm": PAGE,
    ".xml": FEED,
    ".rss": FEED,
    ".atom": FEED,
    ".rdf": FEED,
}
READERS_BY_TYPE = {
    "application/rss+xml": FEED,
    "application/atom+xml": FEED,
    "application/rdf+xml": FEED,
    "application/feed+json": FEED,
    "application/xml": FEED,
    "text/xml": FEED,
    "text/html": PAGE,
    "application/xhtml+xml": PAGE,
    "text/markdown": MARKDOWN,
    "text/plain": TEXT,
}
_FEED_ROOTS = ("rss", "feed", "rdf:rdf", "rdf")
_PAGE_ROOTS = ("html", "!doctype html", "head", "body")
# Things that may come before the first element: a BOM, blanks, the XML
# declaration, processing instructions, comments and a non-HTML doctype.
_PROLOGUE = re.compile(
    rb"(?:\xef\xbb\xbf|\s+|<\?.*?\?>|<!--.*?-->|<!doctype\s+(?!html)[^>]*>)*", re.IGNORECASE | re.DOTALL
)
_FIRST_TAG = re.compile(rb"<\s*(!doctype\s+html|[a-z][a-z0-9:_-]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    """The reader chosen for one source and why (shown when content and label disagree)."""

    reader: str
    reason: str
    mismatch: bool = False


def sniff(data: bytes) -> str | None:
    """FEED or PAGE from the first element of markup, or None when the content does not say."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    prologue = _PROLOGUE.match(head)
    rest = head[prologue.end() if prologue else 0 :]
    match = _FIRST_TAG.match(rest)
    if not match:
        return None
    tag = match.group(1).decode("ascii", "replace").lower()
    if tag in _FEED_ROOTS:
        return FEED
    if tag in _PAGE_ROOTS or tag.startswith("!doctype"):
        return PAGE
    return None


def mime_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def decide(data: bytes, *, suffix: str = "", content_type: str = "") -> Decision:
    """The reader for ``data`` declared by ``suffix`` (a file) or ``content_type`` (a fetch)."""
    label = suffix.lower() if suffix else mime_type(content_type)
    declared = READERS_BY_SUFFIX.get(label) if suffix else READERS_BY_TYPE.get(label)
    # A file's author chose .md or .txt (Markdown may hold HTML); a server's label is only a hint.
    sniffed = sniff(data) if declared in (FEED, PAGE, None) or not suffix else None
    shown = label or "no type"
    if declared and (sniffed is None or sniffed == declared):
        return Decision(declared, f"{shown}: read as {_NAMES[declared]}")
    if sniffed:
        how = _NAMES[sniffed]
        if declared:
            return Decision(sniffed, f"labelled {shown} but the content is {how}; read as {how}", True)
        return Decision(sniffed, f"{shown}; the content is {how}")
    return Decision(PAGE, f"{shown}: not a feed; read as a web page")


_NAMES = {FEED: "an RSS/Atom feed", PAGE: "a web page", MARKDOWN: "Markdown", TEXT: "plain text"}


@dataclass(frozen=True)
class SourceRef:
    """What a reader knows about where its bytes came from."""

    name: str
    url: str = ""
    content_type: str = ""
    site_url: str = ""
    path: Path | None = None


Reader = Callable[[bytes, SourceRef], tuple[list[Article], list[tuple[str, str]]]]


def readers() -> dict[str, Reader]:
    """The reader of each kind (imported when asked, so the CLI starts fast)."""
    from digest.sources import feeds, files, pages

    return {FEED: feeds.read, PAGE: pages.read, MARKDOWN: files.read_markdown, TEXT: files.read_text}
