"""Every way a value can be read: as stored, as displayed, and decoded.

A reader sees what the bidirectional algorithm (UAX #9) makes of the text, not the order it
is stored in: ``\\u202eus-luhC miK\\u202c`` (a right-to-left override around reversed letters)
is shown as ``Kim Chul-su`` by every mail client and browser, and right-to-left letters,
embeddings and isolates move runs about too. A link is followed decoded: ``%EA%B9%80`` is
``김`` and an ``xn--`` host name is Hangul or Han. So a value is checked in each of:

- the stored order (what a screen reader or a search engine reads);
- each line as displayed in a left-to-right and in a right-to-left paragraph (only when
  the text holds a right-to-left letter or a bidi control: otherwise it is shown as stored).
  The displayed order comes from ``python-bidi`` (the Rust ``unicode-bidi`` crate: the full
  algorithm, isolates and overrides included);
- percent-decoded, and with punycode host labels decoded, when it holds any.

HTML is read as a browser shows it (:func:`html_text`): the visible text, block by block,
with ``dir`` attributes, ``<bdo>`` and ``unicode-bidi`` styles turned into the bidi controls
they stand for, then the attribute values a reader sees or follows.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote, unquote_plus

# Bidi classes that can make the displayed order differ from the stored one.
_REORDERING = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
_LINES = re.compile(r"\r\n|[\n\r\x1c-\x1e\x85\u2028\u2029]")
_PERCENT = re.compile("%[0-9A-Fa-f]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PUNYCODE = re.compile(r"(?i)\bxn--[a-z0-9-]{1,59}")
MAX_LINE = 20_000  # a longer line is reordered in pieces (the stored order is still read whole)
ATTRIBUTES = ("alt", "title", "href", "src", "aria-label")
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
}
_CSS_DIRECTION = re.compile(r"direction\s*:\s*(rtl|ltr)", re.IGNORECASE)
_CSS_OVERRIDE = re.compile(r"unicode-bidi\s*:\s*(?:bidi-override|isolate-override)", re.IGNORECASE)
_PDF, _PDI = "\u202c", "\u2069"
_OPEN = {("rtl", True): "\u202e", ("ltr", True): "\u202d", ("rtl", False): "\u2067",
         ("ltr", False): "\u2066", ("auto", False): "\u2068"}


def readings(text: str) -> list[str]:
    """``text`` and each other way it can be read (see the module's description)."""
    found = [text]
    if _PERCENT.search(text):  # ("+" for a space needs no decoding: it is a gap like any other)
        found.append(unquote(text))
    if "xn--" in text.lower():
        found += [_PUNYCODE.sub(_unpunycode, t) for t in list(found)]
    for one in list(found):
        found += [shown for shown in displayed(one) if shown not in found]
    return found


def reorders(text: str) -> bool:
    """Whether ``text`` may be displayed in another order than it is stored in."""
    if text.isascii():
        return False
    return any(unicodedata.bidirectional(c) in _REORDERING for c in set(text))


def displayed(text: str) -> list[str]:
    """``text`` as shown in a left-to-right and in a right-to-left paragraph, each line reordered
    on its own (the algorithm works per paragraph); only orders that differ from the stored one."""
    if not reorders(text):
        return []
    from bidi import get_display

    text = _SURROGATE.sub("\ufffd", text)  # the algorithm works on UTF-8: a lone surrogate cannot go
    pieces = [[line[i : i + MAX_LINE] for i in range(0, len(line), MAX_LINE)] for line in _LINES.split(text)]
    found: list[str] = []
    for direction in ("L", "R"):
        shown = "\n".join("".join(get_display(p, base_dir=direction) for p in line) for line in pieces)
        if shown != text and shown not in found:
            found.append(shown)
    return found


def _unpunycode(match: re.Match[str]) -> str:
    try:
        return match.group(0)[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return match.group(0)


def html_text(html: str) -> str:
    """Everything of an HTML document a reader could see or follow, as one text: the visible
    text (with the bidi controls its markup stands for) and the attribute values."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    chunks: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start" and tag:
            chunks += [_opening(element), element.text or ""]
        elif event == "end":
            if tag:
                chunks.append(_closing(element) + ("\n" if tag in _BLOCKS else ""))
            chunks.append(element.tail or "")
    shown = ["".join(chunks)]
    for element in root.iter():
        for name in ATTRIBUTES:
            value = element.get(name) if isinstance(element.tag, str) else None
            if value:
                shown.append(unquote_plus(value) if name in ("href", "src") else value)
    return "\n".join(shown)


def _direction(element: Any) -> tuple[str, bool] | None:
    """(direction, whether it overrides) an lxml element sets for its text, or None."""
    style = element.get("style") or ""
    css = _CSS_DIRECTION.search(style)
    if css:
        return css.group(1).lower(), bool(_CSS_OVERRIDE.search(style))
    value = (element.get("dir") or "").strip().lower()
    if value in ("rtl", "ltr", "auto"):
        return value, element.tag == "bdo" and value != "auto"
    return None


def _opening(element: Any) -> str:
    found = _direction(element)
    return _OPEN[found] if found else ""


def _closing(element: Any) -> str:
    found = _direction(element)
    if not found:
        return ""
    return _PDF if found[1] else _PDI
