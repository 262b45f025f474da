"""Protected terms: names and places that must never go out.

Matching is deliberately generous, because a miss can endanger a person and a
false alarm only costs an edit. Text and terms are folded alike (see
:mod:`digest.textfold`): compatibility forms, accents, case, invisible and format
characters, and look-alike letters from any script (Unicode's confusables data)
do not hide a name. Between the letters of a term, spaces, punctuation and
joiners may stand (``Kim  Jong-un``, ``KimJongUn``, ``K.i.m``, ``RI, Song-hwa``),
and the space-separated parts of a term may come in any order (``Song-hwa Ri``).
In HTML, attribute values (alt, title, link addresses, percent-decoded) count too.

A romanised term must not continue into further Latin letters of its own form (``Kim``
does not match ``Kimchi``), but Hangul, Han, digits, punctuation or letters of another
compatibility form next to it do not hide it (``Kim2``, ``故Kim``, ``Kim는``, ``Kim𝟶``,
``Kimｃｈｉ``). Hangul terms match inside words, because
Korean particles attach to names (``김철수가``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import lxml.html
from lxml import etree

from digest.errors import ConfigError
from digest.textfold import Folded, fold, fold_marked

# Between two letters of a term: up to this many spaces, punctuation marks or symbols
# (bounded, so a run of punctuation cannot make the search slow).
_GAP = r"[\W_]{0,8}"
_PARTS = re.compile(r"[\s,;/]+")
_MAX_PARTS = 4  # parts of a term tried in every order (4! = 24 orders)
_ATTRIBUTES = ("alt", "title", "href", "src", "aria-label")


@dataclass(frozen=True)
class Hit:
    term: str
    where: str
    excerpt: str


class ProtectedTerms:
    """A compiled list of terms; empty when no file is configured. Lines starting with # are comments."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = [t for t in (line.strip() for line in terms) if t and not t.startswith("#")]
        self._patterns = [(t, _compile(t)) for t in self.terms if _letters(fold(t))]

    @classmethod
    def from_file(cls, path: Path | None) -> ProtectedTerms:
        if path is None:
            return cls([])
        try:
            return cls(path.read_text(encoding="utf-8-sig").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                "DIGEST_PROTECTED_TERMS_FILE",
                f"cannot read {path} ({type(exc).__name__})",
                "save it as UTF-8 text, one term per line",
            ) from None

    def find(self, text: str, where: str = "") -> list[Hit]:
        """One hit per term found in ``text`` (with a short excerpt of the text around it).

        Percent-encoded addresses are read decoded as well (``%EA%B9%80...`` is ``김...``).
        """
        if not self._patterns:
            return []
        folded = fold_marked(text + ("\n" + unquote_plus(text) if "%" in text else ""))
        hits = []
        for term, pattern in self._patterns:
            span = _search(pattern, folded)
            if span:
                hits.append(Hit(term, where, folded.excerpt(*span)))
        return hits

    def find_in_html(self, html: str, where: str = "") -> list[Hit]:
        """Hits in the visible text and in attribute values (alt, title, link addresses)."""
        return self.find(html_haystack(html), where)

    def contains(self, text: str) -> bool:
        return bool(self.find(text))


def html_haystack(html: str) -> str:
    """Everything of an HTML document a reader could see or follow, as one text."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    chunks = [root.text_content()]
    for element in root.iter():
        for name in _ATTRIBUTES:
            value = element.get(name) if isinstance(element.tag, str) else None
            if value:
                chunks.append(unquote_plus(value) if name in ("href", "src") else value)
    return "\n".join(chunks)


def _letters(folded: str) -> str:
    return "".join(c for c in folded if c.isalnum())


def _compile(term: str) -> re.Pattern[str]:
    """Every order of the term's parts, letters joined by optional gaps."""
    parts = [p for p in (_letters(fold(part)) for part in _PARTS.split(term)) if p]
    orders = permutations(parts) if 1 < len(parts) <= _MAX_PARTS else [parts]
    bodies = dict.fromkeys(_GAP.join(re.escape(c) for c in "".join(order)) for order in orders)
    return re.compile("|".join(f"(?:{body})" for body in bodies))


def _search(pattern: re.Pattern[str], folded: Folded) -> tuple[int, int] | None:
    """The first match that does not run on into Latin letters of the same form at either end."""
    word, end_of_text = folded.word, len(folded.text)
    pos = 0
    while (match := pattern.search(folded.text, pos)) is not None:
        start, end = match.span()
        joined_before = start > 0 and word[start] != "" and word[start] == word[start - 1]
        joined_after = end < end_of_text and word[end - 1] != "" and word[end - 1] == word[end]
        if not (joined_before or joined_after):
            return start, end
        pos = start + 1
    return None


# What stops a send or a publish, said the same way for email (digest/guard.py) and social.
STOPPED = "stopped by a protected term"


def describe(hits: Iterable[Hit]) -> str:
    pairs = list(dict.fromkeys((h.term, h.where) for h in hits))
    listed = "; ".join(f"{term!r} in {where}" for term, where in pairs[:5])
    return listed + (f" (and {len(pairs) - 5} more)" if len(pairs) > 5 else "")


def post_hits(terms: ProtectedTerms, payload: dict[str, Any]) -> list[Hit]:
    """Terms in everything a queued post would publish: its parts, link, card title and description."""
    if not terms.terms:
        return []
    fields = [*payload.get("parts", []), payload.get("url", ""), payload.get("link_text", ""),
              payload.get("title", ""), payload.get("description", ""), *payload.get("hashtags", [])]
    text = "\n".join(str(f) for f in fields if f)
    return terms.find(text, where=f"the post for {payload.get('article_title', '')!r}")
