"""Protected terms: names and places that must never go out.

Matching ignores case, width and spacing (``Kim  Jong-un`` matches ``kim jong un``;
``김 철수`` matches ``김철수``). Latin-script terms must stand as whole words;
Hangul terms match inside words, because Korean particles attach to names
(``김철수가``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from digest.errors import ConfigError

_GAP = r"[\s\-\u2010-\u2015.\u00b7\u200b-\u200d\u2060_']*"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Hit:
    term: str
    where: str
    excerpt: str


class ProtectedTerms:
    """A compiled list of terms; empty when no file is configured."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = [t for t in (line.strip() for line in terms) if t and not t.startswith("#")]
        self._patterns = [(t, _compile(t)) for t in self.terms]

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
        folded = fold(text)
        hits = []
        for term, pattern in self._patterns:
            match = pattern.search(folded)
            if match:
                start, end = max(match.start() - 30, 0), match.end() + 30
                hits.append(Hit(term, where, folded[start:end].replace("\n", " ")))
        return hits

    def contains(self, text: str) -> bool:
        return bool(self.find(text))


def _compile(term: str) -> re.Pattern[str]:
    chars = [c for c in fold(term) if not c.isspace() and c not in "-‐‑‒–—.·_'"]
    body = _GAP.join(re.escape(c) for c in chars)
    start = r"(?<![^\W_])" if chars and _is_latin_word(chars[0]) else ""
    end = r"(?![^\W_])" if chars and _is_latin_word(chars[-1]) else ""
    return re.compile(start + body + end)


def _is_latin_word(char: str) -> bool:
    return char.isalnum() and not ("\uac00" <= char <= "\ud7a3" or "\u3130" <= char <= "\u318f")
