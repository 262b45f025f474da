"""Text folded for protected-term matching: what a reader would read, not what the bytes say.

The steps, for the text and for every term alike:

1. NFKC (full width, ligatures, mathematical alphanumerics, circled letters become plain letters),
   then Korean letters typed one by one are composed into syllables (:mod:`digest.hangul`);
2. default-ignorable code points (zero-width characters, bidi controls and isolates, invisible
   operators U+2061-U+2064, tag characters, variation selectors, Hangul fillers, ...), every
   other format character (Cf) and combining marks (accents) are removed;
3. each remaining character is replaced by a representative of its look-alike class from
   Unicode's confusables data (UTS #39, shipped by ``confusable-homoglyphs``): Cyrillic and
   Greek capitals, small capitals, dotless i, the minus sign and dashes, ``rn`` for ``m``...
   A class is tried in both cases, so a lower-case Cyrillic letter whose look-alike is only
   listed for its capital is caught too;
4. case is folded, and ``i``/``l``/``1``/``I``/``|`` (which the data splits into two classes
   by case) become one; spaces, punctuation and symbols become a gap, and a run of gaps one gap.

Hangul syllables are kept whole: they have no look-alikes in the data, and splitting them
into jamo would make Korean terms match across syllables.

Each folded character remembers whether it came from a letter that reads as Latin, and in
which form it was written (plain, or a compatibility form NFKC removes: full width, superscript,
circled, one mathematical style...), so a romanised term can require a word boundary against
Latin letters of its own form only: ``Kim`` does not match ``Kimchi`` (nor ``𝐊𝐢𝐦𝐜𝐡𝐢``), but does
match ``Kim2``, ``Kim𝟶``, ``Kimｃｈｉ``, ``故Kim`` and ``Kim는``. Ordinary words are written in
one form; a letter of another form glued to a name is a disguise, not a longer word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from digest.hangul import compose, has_jamo

# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt); Python's
# unicodedata does not expose it. Cf characters and combining marks are removed as well.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# Blank-looking characters that are not default-ignorable but hide nothing either; the Hangul
# araea (ㆍ, an archaic vowel no modern syllable holds) is typed as a middle dot.
_BLANKS = {0x2800: " ", 0x3164: "", 0x119E: " ", 0x11A2: " ", 0x318D: " "}
_SMALL_CAPITAL = re.compile(r"^(?:LATIN|MODIFIER) (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])$")
# Prototypes the data leaves non-Latin although they read as a Latin letter.
_EXTRA = {"ĸ": "k", "ɪ": "i", "ʀ": "r", "ʜ": "h", "ɴ": "n", "ʟ": "l", "ʏ": "y", "ɢ": "g", "ʙ": "b"}
_ONE_STROKE = str.maketrans({"l": "i", "1": "i", "|": "i"})


def is_ignorable(char: str) -> bool:
    """Whether ``char`` is removed before matching (invisible, format or combining)."""
    code = ord(char)
    if any(low <= code <= high for low, high in _IGNORABLE_RANGES):
        return True
    return unicodedata.category(char) in ("Cf", "Mn", "Me")


def is_hangul_syllable(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


@dataclass(frozen=True)
class Folded:
    """Folded text and, for each of its characters, the Latin word form it belongs to (``word``:
    "" when it does not come from a Latin-reading letter, else the form it was written in) and
    where it came from in ``source`` (the NFKC form of the text)."""

    text: str
    word: tuple[str, ...]
    origin: tuple[int, ...]
    source: str

    def excerpt(self, start: int, end: int, context: int = 30) -> str:
        """The source text around folded ``[start, end)``, visible characters only, on one line."""
        if start >= end:
            return ""
        low = max(self.origin[start] - context, 0)
        high = self.origin[end - 1] + 1 + context
        visible = "".join(c for c in self.source[low:high] if c.isprintable() or c.isspace())
        return " ".join(visible.split())


def fold(text: str) -> str:
    """``text`` reduced for matching (see the module's description)."""
    return fold_marked(text).text


def fold_marked(text: str, *, across: str = "letters") -> Folded:
    """``text`` folded, with where each character came from; a run of gaps (spaces, punctuation)
    becomes one. ``across``: which separators Korean letters compose across
    (:func:`digest.hangul.compose`)."""
    chars: list[str] = []
    word: list[str] = []
    origin: list[int] = []
    table = _char_table()
    source, forms = _normalised(text)
    if has_jamo(source):
        source, starts = compose(source, gap_kind, across)
        forms = [forms[i] for i in starts]
    for index, char in enumerate(source):
        folded, is_latin = table.get(char) or _fold_char(char)
        if folded == " " and chars and chars[-1] == " ":
            continue
        chars.append(folded)
        word += [forms[index] if is_latin else ""] * len(folded)
        origin += [index] * len(folded)
    return Folded("".join(chars), tuple(word), tuple(origin), source)


def gap_kind(char: str) -> str:
    """What ``char`` is between two letters: "hidden" (invisible), "shown" (a space, dot, dash or
    other mark that is not a letter or digit) or "" (a letter or digit)."""
    if is_ignorable(char):
        return "hidden"
    if ord(char) in _BLANKS or unicodedata.category(char)[0] in "ZPSC":
        return "shown"
    return ""


def _normalised(text: str) -> tuple[str, list[str]]:
    """The NFKC form of ``text`` and, for each of its characters, the form it was written in.

    Each run of characters written in one form is normalised on its own, so every character of
    the result knows its form; a combining mark or invisible character continues the run before it.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):  # every character is plain
        return text, ["plain"] * len(text)
    runs: list[tuple[str, list[str]]] = []
    for char in text:
        form = _form(char) or (runs[-1][0] if runs else "plain")
        if not runs or runs[-1][0] != form:
            runs.append((form, []))
        runs[-1][1].append(_before_nfkc(char))
    source, forms = [], []
    for form, run in runs:
        normal = unicodedata.normalize("NFKC", "".join(run))
        source.append(normal)
        forms += [form] * len(normal)
    return "".join(source), forms


@cache
def _form(char: str) -> str:
    """``plain`` for a character NFKC keeps; else its compatibility form (``<wide>``, ``<super>``,
    ``<circle>``, ``<font>BOLD``...); "" for a mark or invisible character (no form of its own)."""
    if is_ignorable(char):
        return ""
    if unicodedata.is_normalized("NFKC", char):
        return "plain"
    decomposition = unicodedata.decomposition(char)
    tag = decomposition.split()[0] if decomposition.startswith("<") else "<canonical>"
    if tag == "<font>":  # one mathematical style is one form: MATHEMATICAL BOLD SMALL A -> BOLD
        tag += re.sub(r"^MATHEMATICAL |\s(?:CAPITAL|SMALL|DIGIT)\s.*$", "", unicodedata.name(char, ""))
    return tag


@cache
def _before_nfkc(char: str) -> str:
    """A character that NFKC would turn into something else (the lunate sigma ``ϲ`` into ``ς``)
    but that looks like a Latin letter or digit is read as that letter first. One that NFKC
    turns into a letter or digit itself keeps it (``𝟶`` is the digit 0, not the look-alike ``O``)."""
    if char.isascii() or unicodedata.is_normalized("NFKC", char):
        return char
    normal = unicodedata.normalize("NFKC", char)
    if normal.isascii() and normal.isalnum():
        return char
    rep = _representatives().get(char, "")
    return rep if rep.isascii() and rep.isalnum() else char


@cache
def _char_table() -> dict[str, tuple[str, bool]]:
    """Folds of the printable ASCII characters, which make up most text (a fast path)."""
    return {chr(c): _fold_char(chr(c)) for c in range(0x20, 0x7F)}


@cache
def _fold_char(char: str) -> tuple[str, bool]:
    if ord(char) in _BLANKS:
        return _BLANKS[ord(char)], False
    if is_hangul_syllable(char):
        return char, False
    out = []
    for part in unicodedata.normalize("NFD", char):
        if not is_ignorable(part):
            out.append(_look_alike(part))
    folded = "".join(out).translate(_ONE_STROKE)
    if unicodedata.category(char)[0] in "PZSC" and folded and not (folded.isascii() and folded.isalnum()):
        # a dash, space, control or symbol that does not read as a letter: only a gap
        return " ", False
    latin = char.isalpha() and folded.isascii() and folded.isalpha()
    return folded, latin


def _look_alike(char: str) -> str:
    """The case-folded representative of ``char``'s look-alike class, Latin when one reads so."""
    reps = _representatives()
    candidates = [
        _rep(char, reps).casefold(),
        _rep(char.casefold(), reps).casefold(),
        _rep(char.upper(), reps).casefold(),
    ]
    for candidate in candidates:
        if candidate.isascii():
            return _settle(candidate, reps)
    for candidate in (char, candidates[0]):
        name = unicodedata.name(candidate[:1], "") if candidate else ""
        small = _SMALL_CAPITAL.match(name)
        if small:
            return _settle(small.group(1).lower(), reps)
        if candidate in _EXTRA:
            return _settle(_EXTRA[candidate], reps)
    return candidates[0]


def _settle(text: str, reps: dict[str, str]) -> str:
    """Map again until nothing changes: ``M`` -> ``m`` -> ``rn``, as ``m`` itself folds."""
    for _ in range(3):
        again = _rep(text, reps).casefold()
        if again == text:
            break
        text = again
    return text


def _rep(text: str, reps: dict[str, str]) -> str:
    return "".join(reps.get(c, c) for c in text)


@cache
def _representatives() -> dict[str, str]:
    """Character -> representative of its confusables class (UTS #39 data).

    The shipped data lists every pair both ways, so each class is a star around its
    prototype: the member with the most look-alikes is taken as the representative
    (for a pair, the ASCII one, else the smaller).
    """
    from confusable_homoglyphs.confusables import confusables_data

    data: dict[str, list[dict[str, str]]] = confusables_data
    degree = {key: len(value) for key, value in data.items()}
    reps: dict[str, str] = {}
    for key, value in data.items():
        members = [key, *(v["c"] for v in value)]
        best = max(members, key=lambda m: (degree.get(m, 0), m.isascii(), -len(m), -ord(m[0])))
        if best != key and degree.get(key, 0) <= degree.get(best, 0):
            reps[key] = _strip_marks(best)
    return {k: v for k, v in reps.items() if len(k) == 1}


def _strip_marks(text: str) -> str:
    # Some prototypes carry bidi marks around them (e.g. around a Hebrew letter).
    return "".join(c for c in unicodedata.normalize("NFD", text) if not is_ignorable(c))
