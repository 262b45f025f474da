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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.summarise.glue import glue_cuts
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
    "national news forest border customs postal geological trade envoy officials"
)

_CANDIDATE = re.compile(r"(?:[.!?…。！？]+|\.\.\.)[\"'”’»)\]]*(?=\s|$)")
_CJK_STOP = re.compile(r"[。！？]|(?<=[가-힣])[.?!](?=[가-힣])")
_PARA = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE = re.compile(r"\n")
_WORD_BEFORE = re.compile(r"([\w.'’-]*)$")
_NEXT_WORD = re.compile(r"\s*[\"'“‘«(\[]*([^\s]*)")


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
    spans: list[Span] = []
    for start, end in _blocks(text):
        cuts = _sentence_cuts(text, start, end)
        cuts |= glue_cuts(text, start, end, cuts)
        bounds = [start, *sorted(cuts), end]
        for s, e in zip(bounds, bounds[1:], strict=False):
            trimmed = _trim(text, s, e)
            if trimmed is not None:
                spans.append(trimmed)
    return spans


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` as verbatim substrings, in order."""
    return [span.of(text) for span in split_spans(text)]


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _blocks(text: str) -> list[tuple[int, int]]:
    """Cut on paragraph breaks, then on line breaks that are not soft wraps."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    for m in _PARA.finditer(text):
        blocks.extend(_lines(text, pos, m.start()))
        pos = m.end()
    blocks.extend(_lines(text, pos, len(text)))
    return blocks


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    for m in _LINE.finditer(text, start, end):
        if not _soft_wrap(text[pos : m.start()], text[m.end() : m.end() + 2]):
            out.append((pos, m.start()))
            pos = m.end()
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


def _sentence_cuts(text: str, start: int, end: int) -> set[int]:
    """Cut points after sentence-final punctuation inside ``text[start:end]``."""
    cuts = {m.end() for m in _CANDIDATE.finditer(text, start, end) if _is_boundary(text, m, end)}
    cuts.update(m.end() for m in _CJK_STOP.finditer(text, start, end))
    return {c for c in cuts if start < c < end}


def _is_boundary(text: str, m: re.Match[str], end: int) -> bool:
    """Decide whether the punctuation matched by ``m`` ends a sentence."""
    nxt = _NEXT_WORD.match(text, m.end(), end)
    next_word = nxt.group(1) if nxt else ""
    if not next_word:
        return True  # end of block
    first = next_word[0]
    if first.islower():
        return False  # "e.g. the", "approx. three", "Yahoo! is"
    marks = m.group(0)
    if "." not in marks or marks.startswith(("...", "…")) or len(marks.rstrip("\"'”’»)]")) > 1:
        return True  # ?, !, and ellipsis before a capital
    return not _is_abbreviation(text, m.start(), next_word)


def _is_abbreviation(text: str, dot: int, next_word: str) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation, not a sentence."""
    word_match = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    word = word_match.group(1) if word_match else ""
    word = word.lstrip("'’-")
    if not word:
        return False
    lower = word.lower()
    if lower in _TITLES:
        return True
    if lower in _NUMERIC:
        return next_word[0].isdigit()
    if len(word) == 1 and word.isupper():
        return True  # an initial: "George W. Bush"
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        # Dotted acronym such as U.S or U.K: a boundary unless the next word is one
        # that usually continues the phrase ("U.S. Army").
        follower = next_word.strip(".,;:'\"’”").lower()
        return follower in _ACRONYM_FOLLOWERS or next_word[0].isdigit()
    return False
