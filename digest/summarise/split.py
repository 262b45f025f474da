"""Sentence splitting for English and Korean news text, with no downloaded models.

The splitter returns *spans* into the original string rather than rewritten strings,
so every sentence the summariser quotes is an exact substring of the article.

Rules, in order:

1. Paragraph breaks always end a sentence; a single line break ends one unless it
   looks like hard-wrapped prose (long line, no final punctuation, lower-case next).
2. Inside a line, ``. ! ? … 。 ！ ？`` (plus closing quotes/brackets) followed by white
   space end a sentence unless the full stop belongs to an abbreviation, an initial,
   or the next word starts in lower case.  Korean endings such as ``다.`` split even
   with no space after them.
3. Text glued together without punctuation (news-site captions, "Scroll down for
   video") is cut where a sentence plainly restarts; see :mod:`digest.summarise.glue`.

Speed: every pattern here starts with a literal character or a character class,
so ``re`` skips ahead in C to the few places worth a closer look; the per-match
checks are plain string operations.  One article of 550 words takes ~0.1 ms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.summarise.glue import Glue
from digest.summarise.text import word_set

# Abbreviations that are followed by a name or number, so a full stop after them
# almost never ends a sentence.
_TITLES = word_set(
    "mr mrs ms dr prof sen rep gov gen lt col sgt capt cpl maj adm cmdr rev fr st jr sr "
    "mt ft dept approx vs etc inc ltd corp jan feb apr jun jul aug sep sept oct nov dec "
    "tue tues thu thur thurs e.g i.e cf"
)
# Abbreviations that are also ordinary words ("no.", "a.m." at a sentence end), so
# they only count as abbreviations before a number.
_NUMERIC = word_set("no nos vol vols pp fig figs p art sec ch a.m p.m")
# Capitalised words that typically follow a dotted acronym *inside* a sentence
# ("the U.S. Army"), so "U.S. Army" is not a boundary while "U.S. Kim said" is.
_ACRONYM_FOLLOWERS = word_set(
    "army navy air marines marine forces force military president presidential "
    "secretary state department senate house congress embassy ambassador treasury "
    "justice court supreme government dollar dollars open capitol coast census "
    "attorney representative senator special command central intelligence federal "
    "national news forest border customs postal geological trade envoy officials "
    "immigration citizenship homeland consulate marshals olympic soccer chamber agency "
    "agriculture education labor commerce interior veterans naval"
)
_CLOSERS = "\"'”’»)]"
# Sentence-final punctuation (a run of it, then closing quotes) before white space.
_CANDIDATE = re.compile(r"[.!?…。！？][.!?…。！？]*[\"'”’»)\]]*(?=\s|$)")
_CJK_HINT = re.compile(r"[가-힣。！？]")
_CJK_STOP = re.compile(r"[。！？]|[가-힣][.?!](?=[가-힣])")
_PARA = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NEXT_WORD = re.compile(r"\s*[\"'“‘«(\[]*(\S*)")
_WORD_CHARS = frozenset("_.'’-")


@dataclass(frozen=True)
class Span:
    """A half-open ``[start, end)`` character range of one sentence in the source."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def split_spans(text: str) -> list[Span]:
    """Split ``text`` into sentence spans (trimmed of surrounding white space).

    Contract: spans are non-empty, non-overlapping, in order, and
    ``text[span.start:span.end]`` never starts or ends with white space.
    """
    return [Span(s, e) for s, e in span_bounds(text)]


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` as verbatim substrings, in order."""
    return [text[s:e] for s, e in span_bounds(text)]


def span_bounds(text: str) -> list[tuple[int, int]]:
    """:func:`split_spans` as plain ``(start, end)`` pairs (the fast path)."""
    out: list[tuple[int, int]] = []
    cjk = _CJK_HINT.search(text) is not None
    glue = Glue(text)
    for start, end in _blocks(text):
        cuts = _sentence_cuts(text, start, end, cjk)
        cuts.update(glue.cuts(start, end, cuts))
        bounds = [start, *sorted(cuts), end]
        for s, e in zip(bounds, bounds[1:], strict=False):
            piece = text[s:e]
            stripped = piece.lstrip()  # trim white space; never rewrite the text
            if stripped:
                s += len(piece) - len(stripped)
                out.append((s, s + len(stripped.rstrip())))
    return out


def _blocks(text: str) -> list[tuple[int, int]]:
    """Cut on paragraph breaks, then on line breaks that are not soft wraps."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    if "\n" in text:
        for m in _PARA.finditer(text):
            blocks.extend(_lines(text, pos, m.start()))
            pos = m.end()
    blocks.extend(_lines(text, pos, len(text)))
    return blocks


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    nl = text.find("\n", start, end)
    while nl >= 0:
        if not _soft_wrap(text[pos:nl], text[nl + 1 : nl + 3]):
            out.append((pos, nl))
            pos = nl + 1
        nl = text.find("\n", nl + 1, end)
    out.append((pos, end))
    return out


def _soft_wrap(line: str, after: str) -> bool:
    """A hard-wrapped line: long, unfinished, and the next line carries on in lower case."""
    stripped = line.rstrip()
    if len(stripped) < 40 or not after.strip():
        return False
    if stripped[-1] in '.!?:;…。！？"”’)':
        return False
    first = after.lstrip()[:1]
    return first.islower() or first.isdigit() or "가" <= first <= "힣"


def _sentence_cuts(text: str, start: int, end: int, cjk: bool) -> set[int]:
    """Cut points after sentence-final punctuation inside ``text[start:end]``."""
    cuts = {
        m.end()
        for m in _CANDIDATE.finditer(text, start, end)
        if start < m.end() < end and _is_boundary(text, m, end)
    }
    if cjk:
        cuts.update(m.end() for m in _CJK_STOP.finditer(text, start, end) if start < m.end() < end)
    return cuts


def _is_boundary(text: str, m: re.Match[str], end: int) -> bool:
    """Decide whether the punctuation matched by ``m`` ends a sentence."""
    after = m.end()
    first = text[after + 1 : after + 2] if text[after : after + 1] == " " else ""
    if not first.isalnum():  # not the usual ". Next": skip quotes and extra space
        nxt = _NEXT_WORD.match(text, after, end)
        first = nxt.group(1)[:1] if nxt else ""
    if not first:
        return True  # end of block
    if first.islower():
        return False  # "e.g. the", "approx. three", "Yahoo! is"
    marks = m.group(0)
    if marks[0] != "." or len(marks.rstrip(_CLOSERS)) > 1:
        return True  # ?, !, ellipsis before a capital
    return not _is_abbreviation(text, m.start(), first, after, end)


def _word_before(text: str, dot: int) -> str:
    """The run of word characters (and ``. ' ’ -``) ending at ``dot``, at most 40 long."""
    floor = max(0, dot - 40)
    word = text[max(text.rfind(" ", floor, dot), floor - 1) + 1 : dot]
    if not word.isalpha():  # rare: punctuation, digits or a line break in the way
        i = dot
        while i > floor and (text[i - 1].isalnum() or text[i - 1] in _WORD_CHARS):
            i -= 1
        word = text[i:dot]
    return word.lstrip("'’-")


def _is_abbreviation(text: str, dot: int, first: str, after: int, end: int) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation, not a sentence.

    ``first`` is the first character of the next word, which starts after ``after``.
    """
    word = _word_before(text, dot)
    if not word:
        return False
    lower = word.lower()
    if lower in _TITLES:
        return True
    if lower in _NUMERIC:
        return first.isdigit()
    if len(word) == 1 and word.isupper():
        return True  # an initial: "George W. Bush"
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        # Dotted acronym such as U.S or U.K: a boundary unless the next word is one
        # that usually continues the phrase ("U.S. Army").
        nxt = _NEXT_WORD.match(text, after, end)
        follower = (nxt.group(1) if nxt else "").strip(".,;:'\"’”").lower()
        # A Korean sentence ends in Hangul, so "U.S. 대사관" carries on.
        hangul = "가" <= first <= "힣" and word.replace(".", "").isalpha()
        return follower in _ACRONYM_FOLLOWERS or first.isdigit() or hangul
    return False
