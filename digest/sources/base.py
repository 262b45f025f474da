"""What every source reader shares: where its bytes came from, and how it declares itself.

A reader is a function ``read(data, ref) -> (articles, problems)`` and a :class:`Reader`
that says which file suffixes and MIME types name it and how to recognise its content.
Each reader module declares its own; :mod:`digest.sources.registry` lists them and
decides which one reads a source. Readers import nothing of the registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest.types import Article

Result = tuple[list[Article], list[tuple[str, str]]]  # articles, (where, problem) for what was skipped


@dataclass(frozen=True)
class SourceRef:
    """What a reader knows about where its bytes came from."""

    name: str
    url: str = ""
    content_type: str = ""
    site_url: str = ""
    path: Path | None = None


@dataclass(frozen=True)
class Reader:
    """One kind of source: its name, the labels that declare it, and how its content looks."""

    kind: str  # what a decision names ("feed", "page", ...)
    shown: str  # how messages name it ("an RSS/Atom feed")
    read: Callable[[bytes, SourceRef], Result]
    suffixes: tuple[str, ...] = ()  # file suffixes, lower case, with the dot
    types: tuple[str, ...] = ()  # MIME types a server may declare
    # True when the bytes are this kind whatever they are labelled. None: the content is
    # never looked at, and a file's suffix decides (a Markdown file may well hold HTML).
    recognise: Callable[[bytes], bool] | None = None


# Things that may come before the first element: a BOM, blanks, the XML
# declaration, processing instructions, comments and a non-HTML doctype.
_PROLOGUE = re.compile(
    rb"(?:\xef\xbb\xbf|\s+|<\?.*?\?>|<!--.*?-->|<!doctype\s+(?!html)[^>]*>)*", re.IGNORECASE | re.DOTALL
)
_FIRST_TAG = re.compile(rb"<\s*(!doctype\s+html|[a-z][a-z0-9:_-]*)", re.IGNORECASE)


def first_element(data: bytes) -> str:
    """The name of the first element of markup, lower case (``rss``, ``!doctype html``), or ""."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    prologue = _PROLOGUE.match(head)
    match = _FIRST_TAG.match(head[prologue.end() if prologue else 0 :])
    return match.group(1).decode("ascii", "replace").lower() if match else ""
