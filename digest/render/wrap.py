"""Wrapping the plain-text part by display width, not by code points.

A mail client shows East Asian wide and full-width characters (Hangul syllables,
Han, kana) two columns wide, so a line of 72 Korean code points fills 144
columns. Combining marks and zero-width joiners take no column. Lines break at
white space; a run with no spaces (Chinese, Japanese) may also break between two
wide characters, as line-breaking rules allow, while a Korean word (an eojeol)
and a link are never split.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def char_width(char: str) -> int:
    """Columns one code point takes in a monospaced mail client."""
    if char in _ZERO_WIDTH or unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    if text.isascii():  # every ASCII code point takes one column: no need to ask each one
        return len(text)
    return sum(char_width(c) for c in text)


def wrap_width(
    text: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    """Jinja's ``wordwrap`` with the same arguments, counting display columns.

    Paragraphs (existing line breaks) are kept; ``break_long_words`` allows cutting
    a word wider than ``width`` between any two characters; ``break_on_hyphens`` is
    accepted for compatibility (a hyphenated word is kept whole).
    """
    del break_on_hyphens  # kept whole: splitting "Jong-un" reads badly in mail
    joiner = "\n" if wrapstring is None else wrapstring
    width = max(width, 1)
    out: list[str] = []
    for line in str(text).splitlines() or [""]:
        out.extend(_wrap_line(line, width, break_long_words))
    return joiner.join(out)


def _wrap_line(line: str, width: int, break_long_words: bool) -> list[str]:
    lines: list[str] = []
    current, used = "", 0
    for token in _tokens(line.split(), width, break_long_words):
        size = display_width(token)
        if current and used + 1 + size > width:
            lines.append(current)
            current, used = "", 0
        current, used = (f"{current} {token}", used + 1 + size) if current else (token, size)
    lines.append(current)
    return lines


def _tokens(words: list[str], width: int, break_long_words: bool) -> list[str]:
    """Words, with a too-wide one split where a line may break inside it."""
    out: list[str] = []
    for word in words:
        if display_width(word) <= width or "://" in word:
            out.append(word)
        elif break_long_words:
            out.extend(_pieces(word, width, lambda _a, _b: True))
        else:
            out.extend(_pieces(word, width, _cjk_break))
    return out


def _cjk_break(before: str, after: str) -> bool:
    """A line may break between two wide non-Hangul characters (Han, kana, full-width)."""
    return _wide_unspaced(before) and _wide_unspaced(after)


def _wide_unspaced(char: str) -> bool:
    return char_width(char) == 2 and not ("\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff")


def _pieces(word: str, width: int, may_break: Callable[[str, str], bool]) -> list[str]:
    pieces: list[str] = []
    current, used = "", 0
    for i, char in enumerate(word):
        size = char_width(char)
        allowed = i > 0 and may_break(word[i - 1], char)
        if current and used + size > width and allowed:
            pieces.append(current)
            current, used = "", 0
        current, used = current + char, used + size
    pieces.append(current)
    return pieces


# Query parameters that only track a click (our own utm_* tags, and common ones of other tools).
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi")


def text_link(url: str, before: str = "", width: int = 78) -> str:
    """A link for the plain-text part, after ``before`` on its line: as it is when the line fits
    ``width`` columns, else without its tracking parameters (a link cannot be broken across lines
    and still work)."""
    url = str(url)
    if display_width(before + url) <= width:
        return url
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not k.lower().startswith(_TRACKING)]
    return urlunsplit(parts._replace(query=urlencode(kept)))
