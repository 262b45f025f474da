"""Which reader reads a source: by file suffix or declared content type, checked against the content.

The readers are listed here, once; each declares its own suffixes, MIME types and
how to recognise its content (:class:`~digest.sources.base.Reader`), so adding one
is a module and a line in :data:`READERS`. The declared type alone is not trusted:
servers label feeds ``text/html`` and pages ``text/xml``, and a page may begin with
``<?xml``. :func:`decide` looks at the content too; when the two disagree the
content wins, and the :class:`Decision` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.sources.base import Reader
from digest.sources.feeds import READER as FEED_READER
from digest.sources.files import MARKDOWN_READER, TEXT_READER
from digest.sources.jsonfeed import READER as JSON_FEED_READER
from digest.sources.pages import READER as PAGE_READER

READERS: tuple[Reader, ...] = (FEED_READER, JSON_FEED_READER, PAGE_READER, MARKDOWN_READER, TEXT_READER)
FEED, JSON_FEED, PAGE = FEED_READER.kind, JSON_FEED_READER.kind, PAGE_READER.kind
READERS_BY_SUFFIX = {suffix: r.kind for r in READERS for suffix in r.suffixes}
READERS_BY_TYPE = {mime: r.kind for r in READERS for mime in r.types}
_BY_KIND = {r.kind: r for r in READERS}


@dataclass(frozen=True)
class Decision:
    """The reader chosen for one source and why (shown when content and label disagree)."""

    reader: str
    reason: str
    mismatch: bool = False


def readers() -> dict[str, Reader]:
    """Every reader by kind."""
    return dict(_BY_KIND)


def sniff(data: bytes) -> str | None:
    """The kind the content itself shows (a feed, a JSON Feed, a page), or None when it does not say."""
    return next((r.kind for r in READERS if r.recognise is not None and r.recognise(data)), None)


def mime_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def decide(data: bytes, *, suffix: str = "", content_type: str = "") -> Decision:
    """The reader for ``data`` declared by ``suffix`` (a file) or ``content_type`` (a fetch)."""
    label = suffix.lower() if suffix else mime_type(content_type)
    declared = READERS_BY_SUFFIX.get(label) if suffix else READERS_BY_TYPE.get(label)
    # A file's author chose .md or .txt (Markdown may hold HTML); a server's label is only a hint.
    looked = not suffix or declared is None or _BY_KIND[declared].recognise is not None
    sniffed = sniff(data) if looked else None
    shown = label or "no type"
    if declared and (sniffed is None or sniffed == declared):
        return Decision(declared, f"{shown}: read as {_BY_KIND[declared].shown}")
    if sniffed:
        how = _BY_KIND[sniffed].shown
        if declared:
            return Decision(sniffed, f"labelled {shown} but the content is {how}; read as {how}", True)
        return Decision(sniffed, f"{shown}; the content is {how}")
    return Decision(PAGE, f"{shown}: not a feed; read as a web page")
