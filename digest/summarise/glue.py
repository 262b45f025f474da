"""Cut text that a news site glued together without punctuation.

Scraped articles often contain photo captions and widget labels that lost their
line breaks, so "...a colleague The cost of divorce can wreck..." reads as one
sentence.  Quoting such a run-on would put a caption in the newsletter, so we cut
where a new sentence plainly starts:

* before and after fixed widget phrases ("Scroll down for video", "Click here");
* before a capitalised function word that follows a lower-case word and is itself
  followed by a lower-case word ("colleague The cost"), which a real sentence
  almost never contains ("told The Guardian" has a capital after "The");
* before a caption label such as "Flying high: Half of the kite..." (a capitalised
  short phrase and a colon) unless a speech verb precedes it ("told Reuters: ...");
* before an opening curly quote that starts a long quotation right after a word.
"""

from __future__ import annotations

import re

from digest.summarise.text import word_set

_WIDGETS = re.compile(
    r"(?i)\b(?:scroll down for (?:video|more)s?|click here(?: to [\w ]{0,40}?(?=[.:]|$))?"
    r"|view original|watch the video|read more|related articles?)\b"
)
_STARTERS = (
    "The|He|She|It|They|We|But|And|This|These|Those|However|His|Her|Their|Its|Our|"
    "After|When|While|If|Some|Many|There|Now|Other"
)
_RESTART = re.compile(rf"(?<=[a-z0-9%]) (?=(?:{_STARTERS}) [a-z])")
_LABEL = re.compile(r"(?<=[a-z0-9%)]) (?=[A-Z][\w'’-]*(?: [a-z][\w'’-]*){0,3}: [A-Z‘“'\"])")
# A caption that opens a segment ("Accused: Dr Smith has denied assault A senior
# doctor...") ends where a capitalised word restarts the prose.
_CAPTION_HEAD = re.compile(r"[A-Z][\w'’-]*(?: [a-z][\w'’-]*){0,3}: ")
_CAPTION_END = re.compile(r"(?<=[a-z0-9%)]) (?=[A-Z][a-z]* [a-z])")
_QUOTE = re.compile(r"(?<=\w) (?=[‘“][A-Z])")
_CLOSE_QUOTE = re.compile(r"[’”](?!\w)")
_PREV_WORD = re.compile(r"(\w+)\W*$")
# A sentence never ends on these, so a capital after them is not a new sentence.
_FUNCTION = word_set(
    "a an the of in on at for with from by to and or but as than that this into onto "
    "its his her their our my your is are was were be been"
)
_SPEECH = word_set(
    "said says say told tells tell added adds explained wrote writes tweeted stated warned "
    "insisted according posted reads read commented replied declared admitted revealed "
    "claimed announced continued asked noted called titled entitled dubbed headlined "
    "captioned labelled labeled named"
)


def glue_cuts(text: str, start: int, end: int, cuts: set[int]) -> set[int]:
    """Extra cut points inside ``text[start:end]`` where glued sentences meet.

    ``cuts`` are the punctuation boundaries already found in the range; a caption
    label right after one of them starts a caption whose end is then looked for.
    """
    out: set[int] = set()
    for m in _WIDGETS.finditer(text, start, end):
        out.update((m.start(), m.end()))
    out.update(m.end() for m in _RESTART.finditer(text, start, end) if _ends(text, m, start))
    out.update(m.end() for m in _LABEL.finditer(text, start, end) if _ends(text, m, start))
    for m in _QUOTE.finditer(text, start, end):
        if _ends(text, m, start) and _long_quote(text, m.end(), end):
            out.add(m.end())
    starts = cuts | out | {start}
    for head in _CAPTION_HEAD.finditer(text, start, end):
        if _at_start(text, head.start(), starts):
            tail = _CAPTION_END.search(text, head.end(), end)
            if tail and _ends(text, tail, start):
                out.add(tail.end())
    return {c for c in out if start < c < end}


def _at_start(text: str, pos: int, starts: set[int]) -> bool:
    """Is ``pos`` the first non-space character after one of ``starts``?"""
    while pos > 0 and pos not in starts and text[pos - 1].isspace():
        pos -= 1
    return pos in starts


def _ends(text: str, m: re.Match[str], floor: int) -> bool:
    """Can the word before match ``m`` end a sentence (not "the", not "said")?"""
    prev = _PREV_WORD.search(text, max(floor, m.start() - 30), m.start())
    word = prev.group(1).lower() if prev else ""
    return word not in _SPEECH and word not in _FUNCTION


def _long_quote(text: str, pos: int, end: int) -> bool:
    """A quotation of five or more words (a short one is probably a title or a nickname)."""
    close = _CLOSE_QUOTE.search(text, pos + 1, end)
    quoted = text[pos : close.start() if close else end]
    return len(quoted.split()) >= 5
