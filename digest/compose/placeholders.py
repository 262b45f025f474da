"""Placeholders left in what goes out: ``TK`` (a journalist's "to come"), ``lorem ipsum``,
``[link]``-style brackets and template braces (``{{``, ``{%``) that never got filled in.

They **block** the send: they come from our own articles and templates, so the volunteer can
always fix them, and a digest that says "TK" or "{{ name }}" to 2,000 supporters is what
embarrasses. ``TK`` counts only in capitals, as a word of its own, and not next to Korean text,
where TK is an ordinary abbreviation (대구·경북, the Daegu-Gyeongbuk region).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from digest.compose.findings import BLOCKS, Finding

_PATTERNS = (
    re.compile(r"(?<![\w])(?:TK)+(?![\w])"),
    re.compile(r"\blorem\b(?:\s+ipsum\b)?", re.IGNORECASE),
    re.compile(r"\[\s*(?:link|url|insert[^\]\n]{0,40}|tk|placeholder|photo|image)\s*\]", re.IGNORECASE),
    re.compile(r"\{\{|\}\}|\{%|%\}"),
)
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
NEAR = 12  # characters either side in which Korean text makes "TK" an abbreviation
FIX = "fill it in or remove it (in the article, or your template), check with digest preview, then send again"


def placeholders(surfaces: Iterable[tuple[str, str]]) -> list[Finding]:
    """One blocking finding per placeholder and place in (place, text) ``surfaces``."""
    seen: dict[tuple[str, str], Finding] = {}
    for where, text in surfaces:
        for found, context in _matches(text):
            key = (found.lower(), where)
            if key not in seen:
                message = f"placeholder {found!r} left in {where}: \u201c{context}\u201d"
                seen[key] = Finding(BLOCKS, "placeholder", message, FIX)
    return list(seen.values())


def _matches(text: str) -> Iterable[tuple[str, str]]:
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if m.group().startswith("TK") and _HANGUL.search(text[max(0, m.start() - NEAR):m.end() + NEAR]):
                continue
            yield m.group(), _context(text, m.start(), m.end())


def _context(text: str, start: int, end: int) -> str:
    return "\u2026" + " ".join(text[max(0, start - 30):end + 30].split()) + "\u2026"


def visible_text(html: str) -> str:
    """The words of ``html`` a reader sees, with image alt texts and link titles."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for element in list(root.iter("style", "script", "head")):
        if element.getparent() is not None:
            element.drop_tree()
    extra = [e.get(name) or "" for e in root.iter() if isinstance(e.tag, str) for name in ("alt", "title")]
    return "\n".join([root.text_content(), *extra])
