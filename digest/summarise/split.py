"""Sentence splitting for English, German and Korean news text, with no downloaded models.

The splitter returns *spans* into the original string rather than rewritten strings,
so every sentence the summariser quotes is an exact substring of the article.

Rules, in order:

1. Paragraph breaks always end a sentence; a single line break ends one unless it
   looks like hard-wrapped prose (long line, no final punctuation, lower-case next).
2. Inside a line, the candidate ends come from sentencex (Wikimedia's rule-based
   segmenter, per language: abbreviations, initials, numbers, quotes, lists), checked
   by :mod:`digest.summarise.stops` (German ordinals, Korean dotted dates, list markers,
   a quote closed before Korean ``라고``) and completed by our own rules: a
   Korean ending such as ``다.`` splits even with no space after it, an ellipsis before a
   capital ends an English sentence, and inside a quotation of several sentences each
   one is cut (sentencex keeps a quotation whole, which makes a blurb of one run-on).
3. Text glued together without punctuation (news-site captions, "Scroll down for
   video") is cut where a sentence plainly restarts; see :mod:`digest.summarise.glue`.

The language (en, de or ko) is the caller's, else :func:`digest.language.prose_language`
of the text: German rules on English text cost whole sentences, and the other way round.

Speed: one call into sentencex per text (compiled code, ~0.05 ms for 550 words); our
patterns start with a literal character or a character class, so ``re`` skips ahead in
C to the few places worth a closer look.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from sentencex import segment

from digest.language import prose_language
from digest.summarise.glue import Glue
from digest.summarise.stops import keeps_going, list_items, quote_marks
from digest.summarise.text import word_set

# Abbreviations that are followed by a name or number, so a full stop after them
# almost never ends a sentence.
_TITLES = word_set(
    "mr mrs ms dr prof sen rep gov gen lt col sgt capt cpl maj adm cmdr rev fr st jr sr "
    "mt ft dept approx vs inc ltd corp jan feb apr jun jul aug sep sept oct nov dec "
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
    "agriculture education labor commerce interior veterans naval security general human "
    "council assembly commission refugee refugees high food world"
)
_COMPANY_TAILS = word_set("ltd inc corp llc plc")
_CLOSERS = "\"'”’»)]“«"
# Sentence-final punctuation (a run of it, then closing quotes) before white space.
_CANDIDATE = re.compile(r"[.!?…。！？][.!?…。！？]*[\"'”’»)\]“«]*(?=\s|$)")
_CJK_HINT = re.compile(r"[가-힣。！？]")
_CJK_STOP = re.compile(r"[。！？]|[가-힣][.?!](?=[가-힣])")
_FINAL = frozenset(".!?…。！？\"'”’»)]“«")
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


def split_spans(text: str, language: str | None = None) -> list[Span]:
    """Split ``text`` into sentence spans (trimmed of surrounding white space).

    Contract: spans are non-empty, non-overlapping, in order, and
    ``text[span.start:span.end]`` never starts or ends with white space.
    ``language`` is "en", "de" or "ko"; None: worked out from the text.
    """
    return [Span(s, e) for s, e in span_bounds(text, language)]


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Return the sentences of ``text`` as verbatim substrings, in order."""
    return [text[s:e] for s, e in span_bounds(text, language)]


def span_bounds(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """:func:`split_spans` as plain ``(start, end)`` pairs (the fast path)."""
    out: list[tuple[int, int]] = []
    lang = language or prose_language(text)
    cjk = _CJK_HINT.search(text) is not None
    glue = Glue(text, english=lang == "en")
    library = _library_ends(text) if lang == "de" else None
    for start, end in _blocks(text):
        if library is None:
            # A full stop after two lower-case letters ends a word, never a number, an initial
            # or a list marker: only the other ends get a second look.
            cuts = {
                c
                for c in _sentence_cuts(text, start, end)
                if (text[c - 1] == "." and text[c - 3 : c - 1].islower()) or not keeps_going(text, c, lang)
            }
        else:
            cuts = set(library[bisect_right(library, start) : bisect_left(library, end)])
        if cjk:
            cuts.update(m.end() for m in _CJK_STOP.finditer(text, start, end) if start < m.end() < end)
        cuts.update(glue.cuts(start, end, cuts))
        item_starts, marker_ends = list_items(text, start, end)
        if marker_ends:
            cuts = (cuts - marker_ends) | item_starts
        bounds = [start, *sorted(cuts), end]
        for s, e in zip(bounds, bounds[1:], strict=False):
            piece = text[s:e]
            stripped = piece.lstrip()  # trim white space; never rewrite the text
            if stripped:
                s += len(piece) - len(stripped)
                out.append((s, s + len(stripped.rstrip())))
    return out


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """The paragraphs of ``text`` as the splitter reads them (no sentence crosses one): a blank
    line, or a line break that is not a hard wrap, ends one. ``(start, end)``, trimmed of white
    space, empty ones left out."""
    out = []
    for start, end in _blocks(text):
        piece = text[start:end]
        stripped = piece.lstrip()
        if stripped.strip():
            s = start + len(piece) - len(stripped)
            out.append((s, s + len(stripped.rstrip())))
    return out


def _library_ends(text: str) -> list[int]:
    """German cut points, sorted: the ends sentencex finds after sentence-final punctuation
    (its line and paragraph breaks are left to :func:`_blocks`) that :func:`keeps_going` does
    not veto, plus our own cuts inside a quotation that holds several sentences."""
    ends: list[int] = []
    quotes = quote_marks(text)  # where quotation marks open, found in one pass
    start = 0
    for seg in segment("de", text):  # consecutive pieces that cover the text
        end = start + len(seg.rstrip())
        inner = seg[: end - start - 1]  # a sentence end inside the piece: maybe a missed one
        inside = bisect_left(quotes, end) > bisect_left(quotes, start) if quotes else False
        if inside and ("." in inner or "?" in inner or "!" in inner):
            ends.extend(_sentence_cuts(text, start, end))
        if end > start and text[end - 1] in _FINAL and not keeps_going(text, end, "de"):
            ends.append(end)
        start += len(seg)
    return sorted(set(ends))


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


def _sentence_cuts(text: str, start: int, end: int) -> set[int]:
    """Our own cut points after sentence-final punctuation inside ``text[start:end]`` (used
    inside quotations, where sentencex does not cut)."""
    return {
        m.end()
        for m in _CANDIDATE.finditer(text, start, end)
        if start < m.end() < end and _is_boundary(text, m, end)
    }


def _is_boundary(text: str, m: re.Match[str], end: int) -> bool:
    """Decide whether the punctuation matched by ``m`` ends a sentence."""
    after = m.end()
    first = text[after + 1 : after + 2] if text[after : after + 1] == " " else ""
    if not first.isalnum():  # not the usual ". Next": skip quotes and extra space
        nxt = _NEXT_WORD.match(text, after, end)
        first = nxt.group(1)[:1] if nxt else ""
    if first == "." or text[m.start() - 1 : m.start()] == "[":
        return False  # a spaced ellipsis goes on (". . ."), or "[...]" marks words left out
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
    if lower == "co":
        # "Hope Co. Ltd." goes on; "Jane and co. They..." ends.
        nxt = _NEXT_WORD.match(text, after, end)
        return (nxt.group(1) if nxt else "").strip(".,").lower() in _COMPANY_TAILS
    if lower in _NUMERIC:
        return first.isdigit()
    if len(word) == 1 and word.isupper():
        # An initial ("George W. Bush"), but "you and I." ends: the pronoun follows a word in
        # lower case, an initial a name.
        return not (word == "I" and _word_before(text, dot - 2)[:1].islower())
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        # Dotted acronym such as U.S or U.K: a boundary unless the next word is one
        # that usually continues the phrase ("U.S. Army").
        nxt = _NEXT_WORD.match(text, after, end)
        follower = (nxt.group(1) if nxt else "").strip(".,;:'\"’”").lower()
        # A Korean sentence ends in Hangul, so "U.S. 대사관" carries on.
        hangul = "가" <= first <= "힣" and word.replace(".", "").isalpha()
        return follower in _ACRONYM_FOLLOWERS or first.isdigit() or hangul
    return False
