"""Korean text as a reader reads it: jamo composed into syllables, Hanja read as Hangul.

**Jamo.** A name can be typed letter by letter, ``ㄱㅣㅁㅊㅓㄹㅅㅜ`` (compatibility jamo,
U+3131 block) or ``ᄀ ᅵ ᄆ`` (conjoining jamo, U+1100 block); a reader sees 김철수.
NFKC turns compatibility jamo into conjoining ones but composes only the canonical
lead-vowel-tail sequences, and it maps a final consonant typed on its own to the *initial*
form, so ``ㄱㅣㅁ`` stays three letters. :func:`compose` rebuilds syllables the way a
Korean keyboard does (the two-set layout's automaton): a consonant after a vowel is the
syllable's final until a vowel follows it, two finals can pair (ㄹ+ㄱ = ㄺ), and two vowels
can pair (ㅗ+ㅏ = ㅘ). Letters may stand apart (spaces, dots, dashes, invisible characters):
a separator a syllable swallows goes, every other one stays.

**Hanja.** A Korean name can be written in Chinese characters (金哲洙 is 김철수). The readings
come from Unicode's Unihan database (kHangul), shipped as ``digest/data/hanja.txt``
(scripts/make_hanja_table.py writes it). :func:`syllable_class` gives every character a
Hangul syllable of a term may be written as.

**The initial sound rule.** South Korean spelling drops an initial ㄹ or ㄴ (리 → 이, 로 → 노,
녀 → 여); North Korean spelling keeps it, and Hanja readings list both. A term's first
syllable matches either spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources

LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
TAILS = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
_PAIRED_TAILS = {
    "ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ",
    "ㄹㅅ": "ㄽ", "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ",
}
_SPLIT_TAILS = {paired: (pair[0], pair[1]) for pair, paired in _PAIRED_TAILS.items()}
_PAIRED_VOWELS = {
    "ㅗㅏ": "ㅘ", "ㅗㅐ": "ㅙ", "ㅗㅣ": "ㅚ", "ㅜㅓ": "ㅝ", "ㅜㅔ": "ㅞ", "ㅜㅣ": "ㅟ", "ㅡㅣ": "ㅢ",
}
# Vowels before which South Korean spelling drops an initial ㄹ or ㄴ altogether (리 -> 이, 녀 -> 여).
_Y_VOWELS = set("ㅑㅒㅕㅖㅛㅠㅣ")
_JAMO = re.compile("[\u1100-\u11ff\u3131-\u318e]")
SYLLABLES = ("\uac00", "\ud7a3")
# Between letters of one syllable: at most this many separators (spaces, dots, dashes...).
MAX_APART = 8


def letter(char: str) -> str:
    """The compatibility-jamo letter of a modern jamo (conjoining or compatibility), else ""."""
    code = ord(char)
    if 0x1100 <= code <= 0x1112:
        return LEADS[code - 0x1100]
    if 0x1161 <= code <= 0x1175:
        return VOWELS[code - 0x1161]
    if 0x11A8 <= code <= 0x11C2:
        return TAILS[code - 0x11A8]
    if 0x3131 <= code <= 0x3163:
        return char
    return _by_name(char) if 0x1113 <= code <= 0x11FF else ""


@cache
def _by_name(char: str) -> str:
    """A conjoining jamo outside the modern sets that spells a modern letter: NFKC turns ㅀ and ㅄ
    into the old *initials* RIEUL-HIEUH and PIEUP-SIOS (U+111A, U+1121), finals today."""
    name = unicodedata.name(char, "").split(" ", 2)[-1]
    try:
        found = unicodedata.lookup(f"HANGUL LETTER {name}")
    except KeyError:
        return ""
    return found if "\u3131" <= found <= "\u3163" else ""


def is_syllable(char: str) -> bool:
    return SYLLABLES[0] <= char <= SYLLABLES[1]


def letters_of(syllable: str) -> str:
    """``김`` -> ``ㄱㅣㅁ``."""
    index = ord(syllable) - 0xAC00
    lead, rest = divmod(index, 21 * 28)
    vowel, tail = divmod(rest, 28)
    return LEADS[lead] + VOWELS[vowel] + (TAILS[tail - 1] if tail else "")


def syllable(lead: str, vowel: str, tail: str = "") -> str:
    index = (LEADS.index(lead) * 21 + VOWELS.index(vowel)) * 28 + (TAILS.index(tail) + 1 if tail else 0)
    return chr(0xAC00 + index)


def has_jamo(text: str) -> bool:
    return _JAMO.search(text) is not None


def compose(text: str, gap: Callable[[str], str], across: str = "letters") -> tuple[str, list[int]]:
    """``text`` with its jamo composed into syllables, and for each character of the result the
    index in ``text`` it starts at.

    ``gap(char)`` says what may stand between the letters of one syllable: "hidden" (an
    invisible character), "shown" (a space, dot or dash) or "" (nothing: the run ends). Hidden
    ones are always crossed (``기\u200bㅁ`` is 김). Shown ones are crossed ``across``:

    - "letters": between two lone letters (``ㄱ ㅣ ㅁ`` is 김, but the list marker of
      ``사과 ㄴ. 배`` stays apart from the word before it);
    - "none": never (``ㄱㅣㅁㅊㅓㄹㅅㅜ ㅋㅋ`` is 김철수 and a laugh, not 김철숰ㅋ);
    - "all": also between a syllable and a lone letter (``기 ㅁ`` is 김).
    """
    if not has_jamo(text):
        return text, list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for start, end, items in _runs(text, gap, across):
        if not any(letter(text[i]) for i in items):
            out.append(text[start:end])
            origin += range(start, end)
            continue
        for piece, at in _Automaton(text, items).pieces(start, end):
            out.append(piece)
            origin += [at] * len(piece)
    return "".join(out), origin


def _runs(text: str, gap: Callable[[str], str], across: str) -> list[tuple[int, int, list[int]]]:
    """Every stretch of text as (start, end, indexes of its Hangul letters and syllables): the
    Hangul runs (with the separators inside them), and the text between them as runs of none."""
    runs: list[tuple[int, int, list[int]]] = []
    pos, size = 0, len(text)
    while pos < size:
        end = pos
        if not _hangul(text[pos]):
            while end < size and not _hangul(text[end]):
                end += 1
            runs.append((pos, end, []))
            pos = end
            continue
        items, end = [pos], pos + 1
        while end < size:
            after, shown = end, False
            while after < size and after - end < MAX_APART and (kind := gap(text[after])):
                shown = shown or kind == "shown"
                after += 1
            if after == size or not _hangul(text[after]):
                break
            if after > end and not _crosses(text[end - 1], text[after], shown, across):
                break
            items.append(after)
            end = after + 1
        runs.append((pos, end, items))
        pos = end
    return runs


def _crosses(before: str, after: str, shown: bool, across: str) -> bool:
    lone = (bool(letter(before)), bool(letter(after)))
    if not any(lone):
        return False  # two syllables: nothing to compose
    if not shown:
        return True
    return across == "all" or (across == "letters" and all(lone))


def _hangul(char: str) -> bool:
    return is_syllable(char) or bool(letter(char))


class _Automaton:
    """The two-set keyboard's syllable automaton over one run's letters: each unit it makes is
    (syllable or lone letter, index of its first letter, index of its last letter)."""

    def __init__(self, text: str, items: list[int]) -> None:
        self.text = text
        self.units: list[tuple[str, int, int]] = []
        self.lead = self.vowel = self.tail = ""
        self.at: list[int] = []  # where each letter of the syllable being built came from
        for i in items:
            char = text[i]
            for one in letters_of(char) if is_syllable(char) else letter(char):
                if one in VOWELS:
                    self._vowel(one, i)
                else:
                    self._consonant(one, i)
        self._flush()

    def pieces(self, start: int, end: int) -> list[tuple[str, int]]:
        """(syllable or lone letter, where it starts) in order, with the separators no syllable
        swallowed in between."""
        out: list[tuple[str, int]] = []
        pos = start
        for text, first, last in self.units:
            if first > pos:
                out.append((self.text[pos:first], pos))
            out.append((text, first))
            pos = max(pos, last + 1)
        if pos < end:
            out.append((self.text[pos:end], pos))
        return out

    def _vowel(self, char: str, index: int) -> None:
        if self.vowel and not self.tail and self.vowel + char in _PAIRED_VOWELS:
            self.vowel = _PAIRED_VOWELS[self.vowel + char]
        elif self.tail:  # the final (or its second half) begins the next syllable: 닭+ㅣ = 달기
            keep, moved = _SPLIT_TAILS.get(self.tail, ("", self.tail))
            moved_at = self.at.pop()
            self.tail = keep
            self._flush()
            self.lead, self.at = moved, [moved_at]
            self.vowel = char
        elif self.lead and not self.vowel:
            self.vowel = char
        else:
            self._flush()
            self.vowel = char
        self.at.append(index)

    def _consonant(self, char: str, index: int) -> None:
        if self.lead and self.vowel and not self.tail and char in TAILS:
            self.tail = char
        elif self.lead and self.vowel and self.tail + char in _PAIRED_TAILS:
            self.tail = _PAIRED_TAILS[self.tail + char]
        else:
            self._flush()
            if char not in LEADS:  # a paired final on its own (ㄳ) begins nothing
                self.units.append((char, index, index))
                return
            self.lead = char
        self.at.append(index)

    def _flush(self) -> None:
        if self.lead and self.vowel:
            self.units.append((syllable(self.lead, self.vowel, self.tail), self.at[0], self.at[-1]))
        elif self.at:  # a lone consonant or vowel (a paired vowel stays paired: ㅗㅏ is ㅘ)
            self.units.append((self.lead + self.vowel, self.at[0], self.at[-1]))
        self.lead = self.vowel = self.tail = ""
        self.at = []


def initial_variants(first: str) -> set[str]:
    """The spellings of a word's first syllable under either side's initial sound rule:
    ``리`` -> {리, 이, 니}; ``노`` -> {노, 로}; ``김`` -> {김}."""
    if not is_syllable(first):
        return {first}
    spelled = letters_of(first)
    lead, vowel, tail = spelled[0], spelled[1], spelled[2:]
    if lead not in "ㄹㄴㅇ":
        return {first}
    plain = _south(lead, vowel)
    return {syllable(other, vowel, tail) for other in "ㄹㄴㅇ" if _south(other, vowel) == plain}


def _south(lead: str, vowel: str) -> str:
    if lead == "ㄹ":
        return "ㅇ" if vowel in _Y_VOWELS else "ㄴ"
    if lead == "ㄴ" and vowel in _Y_VOWELS:
        return "ㅇ"
    return lead


def syllable_class(char: str, first: bool) -> set[str]:
    """Every character that reads as ``char`` (a Hangul syllable or a Hanja) in a Korean name:
    itself, its readings, their spellings under the initial sound rule when it begins a word,
    and every Hanja read as one of them."""
    by_syllable, by_hanja = _readings()
    syllables = {char} if is_syllable(char) else set(by_hanja.get(char, ""))
    if first:
        syllables = set().union(*(initial_variants(s) for s in syllables)) if syllables else set()
    found = {char, *syllables}
    for one in syllables:
        found.update(by_syllable.get(one, ""))
    return found


def is_hanja(char: str) -> bool:
    return char in _readings()[1]


@cache
def _readings() -> tuple[dict[str, str], dict[str, str]]:
    """(syllable -> its Hanja, Hanja -> its syllables), from digest/data/hanja.txt."""
    text = resources.files("digest").joinpath("data/hanja.txt").read_text(encoding="utf-8")
    by_syllable: dict[str, str] = {}
    by_hanja: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            by_syllable[line[0]] = line[1:]
            for hanja in line[1:]:
                by_hanja[hanja] = by_hanja.get(hanja, "") + line[0]
    return by_syllable, by_hanja
