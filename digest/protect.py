"""Protected terms: names and places that must never go out.

Matching is deliberately generous, because a miss can endanger a person and a
false alarm only costs an edit:

- case, width and accents are ignored (``KIM``, ``ｋｉｍ``, ``Kím`` all fold to ``kim``);
- spacing and joiners are ignored (``Kim  Jong-un`` matches ``kim jong un`` and
  ``KimJongUn``; ``김 철수`` matches ``김철수``; soft hyphens and zero-width
  characters in between do not hide a name);
- Latin letters that look alike in Cyrillic or Greek are read as Latin;
- in HTML, attribute values (alt, title, link addresses, percent-decoded) count too.

Latin-script terms must stand as whole words (``Kim`` does not match ``Kimchi``);
Hangul terms match inside words, because Korean particles attach to names
(``김철수가``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_plus

import lxml.html
from lxml import etree

from digest.errors import ConfigError

# Characters that may sit between the letters of a term without hiding it.
_SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015.\u00b7\u30fb_'\u2019+"
_GAP = r"[\s" + re.escape(_SEPARATORS) + r"]*"
# Invisible characters removed before matching: soft hyphen, zero-width space/joiners, word joiner,
# BOM, bidi marks and the combining grapheme joiner.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u034f\u180e"))
# Cyrillic and Greek letters that are drawn like Latin ones (after case folding).
_LOOKALIKE = str.maketrans(
    "аеорсухіјѕһԁԛԝӏοανικρτυχ",
    "aeopcyxijshdqwloavikptux",
)
_ATTRIBUTES = ("alt", "title", "href", "src", "aria-label")


def fold(text: str) -> str:
    """Text reduced for matching: compatibility forms, no accents, case-folded, look-alikes mapped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    # NFC puts Hangul syllables back together (NFKD split them into jamo, which are not marks).
    return unicodedata.normalize("NFC", bare).casefold().translate(_LOOKALIKE)


@dataclass(frozen=True)
class Hit:
    term: str
    where: str
    excerpt: str


class ProtectedTerms:
    """A compiled list of terms; empty when no file is configured. Lines starting with # are comments."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = [t for t in (line.strip() for line in terms) if t and not t.startswith("#")]
        self._patterns = [(t, _compile(t)) for t in self.terms if _letters(t)]

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
        """One hit per term found in ``text`` (with a short excerpt of the folded text).

        Percent-encoded addresses are read decoded as well (``%EA%B9%80...`` is ``김...``).
        """
        folded = fold(text + ("\n" + unquote_plus(text) if "%" in text else ""))
        hits = []
        for term, pattern in self._patterns:
            match = pattern.search(folded)
            if match:
                start, end = max(match.start() - 30, 0), match.end() + 30
                hits.append(Hit(term, where, " ".join(folded[start:end].split())))
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


def _letters(term: str) -> list[str]:
    return [c for c in fold(term) if not c.isspace() and c not in _SEPARATORS]


def _compile(term: str) -> re.Pattern[str]:
    chars = _letters(term)
    body = _GAP.join(re.escape(c) for c in chars)
    start = r"(?<![^\W_])" if _is_latin_word(chars[0]) else ""
    end = r"(?![^\W_])" if _is_latin_word(chars[-1]) else ""
    return re.compile(start + body + end)


def _is_latin_word(char: str) -> bool:
    return char.isalnum() and not ("\uac00" <= char <= "\ud7a3" or "\u3130" <= char <= "\u318f")
