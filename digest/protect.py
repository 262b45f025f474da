"""Protected terms: names and places that must never go out.

Matching is deliberately generous, because a miss can endanger a person and a
false alarm only costs an edit. Text and terms are folded alike (see
:mod:`digest.textfold`): compatibility forms, accents, case, invisible and format
characters, look-alike letters from any script (Unicode's confusables data), and
Korean letters typed one by one (composed into syllables: :mod:`digest.hangul`)
do not hide a name. Between the letters of a term, spaces, punctuation and
joiners may stand (``Kim  Jong-un``, ``KimJongUn``, ``K.i.m``, ``RI, Song-hwa``, ``김·철·수``),
and the space-separated parts of a term may come in any order (``Song-hwa Ri``).
A value is read in every order a reader may see it (stored, and as the bidi algorithm
displays it), and decoded as a link (:mod:`digest.readings`); in HTML, attribute values
(alt, title, link addresses) count too.

A romanised term must not continue into further Latin letters of its own form (``Kim``
does not match ``Kimchi``), but Hangul, Han, digits, punctuation or letters of another
compatibility form next to it do not hide it (``Kim2``, ``故Kim``, ``Kim는``, ``Kim𝟶``,
``Kimｃｈｉ``). Hangul terms match inside words, because Korean particles attach to names
(``김철수가``). Each syllable of a Korean term also matches the Hanja read that way (金哲洙
is 김철수), and its first syllable either side's spelling of an initial ㄹ or ㄴ (리설주, 이설주).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path

from digest.errors import ConfigError
from digest.hangul import has_jamo, is_hanja, is_syllable, syllable_class
from digest.readings import html_text, readings
from digest.textfold import Folded, fold, fold_marked

# Between two letters of a term: up to this many spaces, punctuation marks or symbols
# (bounded, so a run of punctuation cannot make the search slow).
_GAP = r"[\W_]{0,8}"
_PARTS = re.compile(r"[\s,;/]+")
_MAX_PARTS = 4  # parts of a term tried in every order (4! = 24 orders)
_MAX_VERDICTS = 5_000  # remembered verdicts per terms file (see ProtectedTerms.remember)


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
        self._verdicts: dict[Hashable, list[Hit]] = {}

    def remember(self, key: Hashable, check: Callable[[], list[Hit]]) -> list[Hit]:
        """``check()``'s hits, worked out once per ``key`` with these terms: for bytes that never
        change, such as a sent edition's. A changed terms file is read into new terms, so a verdict
        never outlives the terms it was reached with."""
        found = self._verdicts.get(key)
        if found is None:
            found = check()
            if len(self._verdicts) < _MAX_VERDICTS:
                self._verdicts[key] = found
        return found

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
        """One hit per term found in ``text`` (with a short excerpt of the text around it), read
        in every order and decoding a reader may see it in (:func:`digest.readings.readings`)."""
        if not self._patterns or not text:
            return []
        folds = _folds(text)
        hits = []
        for term, pattern in self._patterns:
            for folded in folds:
                span = _search(pattern, folded)
                if span:
                    hits.append(Hit(term, where, folded.excerpt(*span)))
                    break
        return hits

    def find_in_html(self, html: str, where: str = "") -> list[Hit]:
        """Hits in the visible text and in attribute values (alt, title, link addresses)."""
        return self.find(html_text(html), where)

    def contains(self, text: str) -> bool:
        return bool(self.find(text))


def _folds(text: str) -> list[Folded]:
    """Each reading of ``text`` folded. Where Korean letters stay lone, spaces between them are
    ambiguous (one name spelled out, or two words?): they are read each way."""
    folds = []
    for reading in readings(text):
        folds.append(fold_marked(reading))
        if has_jamo(folds[-1].source):
            folds += [fold_marked(reading, across="none"), fold_marked(reading, across="all")]
    return folds


def _letters(folded: str) -> str:
    return "".join(c for c in folded if c.isalnum())


def _compile(term: str) -> re.Pattern[str]:
    """Every order of the term's parts, letters joined by optional gaps."""
    parts = [p for p in (_atoms(part) for part in _PARTS.split(term)) if p]
    orders = permutations(parts) if 1 < len(parts) <= _MAX_PARTS else [parts]
    bodies = dict.fromkeys(_GAP.join(atom for part in order for atom in part) for order in orders)
    return re.compile("|".join(f"(?:{body})" for body in bodies))


def _atoms(part: str) -> list[str]:
    """One pattern per letter of a part of a term: the folded letter, or for a Hangul syllable
    or Hanja every character that reads the same (:func:`digest.hangul.syllable_class`)."""
    folded = fold_marked(part)
    atoms: list[str] = []
    seen: set[int] = set()
    for char, at in zip(folded.text, folded.origin, strict=True):
        source = folded.source[at]
        if is_syllable(source) or is_hanja(source):
            if at not in seen:
                seen.add(at)
                atoms.append(_either(syllable_class(source, first=not atoms)))
        elif source.isalnum() and not char.isspace():  # what a letter folds to, even a symbol (舟 -> ⾈)
            atoms.append(re.escape(char))
    return atoms


def _either(chars: set[str]) -> str:
    """A pattern for any of ``chars``, each folded as text is."""
    folds = {f for f in (fold(c).replace(" ", "") for c in chars) if f}
    singles = sorted(f for f in folds if len(f) == 1)
    longer = sorted(f for f in folds if len(f) > 1)
    pattern = "[" + "".join(re.escape(c) for c in singles) + "]" if singles else ""
    if not longer:
        return pattern
    return "(?:" + "|".join([*map(re.escape, longer), *([pattern] if pattern else [])]) + ")"


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
