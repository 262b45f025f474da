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
  only in English, and only after a word in lower case: "treat North Koreans
  differently: South Korea grants..." is one sentence (a name runs on across the
  capitals), and German capitalises every noun;
* before an opening curly quote that starts a long quotation right after a word.

Speed: the patterns start with a literal (a space, a quote mark), the widget
pattern only runs when a cheap substring test finds a widget phrase, and caption
heads are only tried where a segment starts.
"""

from __future__ import annotations

import re

from digest.summarise.text import word_set

_WIDGET_HINTS = ("scroll down", "click here", "view original", "watch the video", "read more", "related art")
_WIDGETS = re.compile(
    r"(?i)\b(?:scroll down for (?:video|more)s?|click here(?: to [\w ]{0,40}?(?=[.:]|$))?"
    r"|view original|watch the video|read more|related articles?)\b"
)
_STARTERS = (
    "The|He|She|It|They|We|But|And|This|These|Those|However|His|Her|Their|Its|Our|"
    "After|When|While|If|Some|Many|There|Now|Other"
)
# One scan over the spaces: a restart ("colleague The cost") or a caption label
# ("magazine Short and sweet: Julia").  The character before the space is checked
# in Python (it must be able to end a sentence).
_RESTART = re.compile(rf" (?=[ABHIMNOSTW])(?=(?:{_STARTERS}) [a-z])")
# The words before a colon that make a caption label, checked only at ": ".
_LABEL_BEFORE = re.compile(r"(?<=[a-z0-9%)]) ([A-Z][\w'’-]*(?: [a-z][\w'’-]*){0,3})$")
_LABEL_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ‘“'\"")
_RESTART_PREV = frozenset("abcdefghijklmnopqrstuvwxyz0123456789%")
_LABEL_PREV = _RESTART_PREV | {")"}
# A caption that opens a segment ("Accused: Dr Smith has denied assault A senior
# doctor...") ends where a capitalised word restarts the prose.
_CAPTION_HEAD = re.compile(r"[A-Z][\w'’-]*(?: [a-z][\w'’-]*){0,3}: ")
_CAPTION_END = re.compile(r" (?=[A-Z][a-z]* [a-z])")
_QUOTE = re.compile(r"[‘“](?=[A-Z])")
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


class Glue:
    """Glue cuts for one text; cheap whole-text tests are done once here."""

    def __init__(self, text: str, english: bool = True) -> None:
        self.text = text
        self.english = english
        low = text.lower()
        # Where a widget phrase may start (found in C); None: scan with the regex.
        self.widgets: list[int] | None = sorted(_find_all(low, _WIDGET_HINTS))
        if len(low) != len(text):  # lower() changed the length: positions would not line up
            self.widgets = None if self.widgets else []
        self.quotes = "‘" in text or "“" in text
        self.colons = english and ": " in text

    def cuts(self, start: int, end: int, cuts: set[int]) -> set[int]:
        """Extra cut points inside ``text[start:end]`` where glued sentences meet.

        ``cuts`` are the punctuation boundaries already found in the range; a caption
        label right after one of them starts a caption whose end is then looked for.
        """
        text = self.text
        out: set[int] = set()
        widgets: list[re.Match[str] | None]
        if self.widgets is None:
            widgets = list(_WIDGETS.finditer(text, start, end))
        else:
            widgets = [_WIDGETS.match(text, pos, end) for pos in self.widgets if start <= pos < end]
        for m in widgets:
            if m:
                out.update((m.start(), m.end()))
        for m in _RESTART.finditer(text, start, end):
            if m.start() > start and text[m.start() - 1] in _RESTART_PREV and _ends(text, m.start(), start):
                out.add(m.end())
        if self.colons:
            out.update(self._label_cuts(start, end))
        if self.quotes:
            out.update(self._quote_cuts(start, end))
        if self.colons:
            out.update(self._caption_cuts(start, end, cuts | out))
        return {c for c in out if start < c < end}

    def _label_cuts(self, start: int, end: int) -> set[int]:
        """Before "Flying high: The kite...": a short capitalised phrase and a colon."""
        text = self.text
        found: set[int] = set()
        colon = text.find(": ", start, end)
        while colon >= 0:
            if text[colon + 2 : colon + 3] in _LABEL_AFTER:
                m = _LABEL_BEFORE.search(text, max(start, colon - 80), colon)
                if m and _ends(text, m.start(), start) and _after_lower(text, m.start(), start):
                    found.add(m.start() + 1)
            colon = text.find(": ", colon + 1, end)
        return found

    def _quote_cuts(self, start: int, end: int) -> set[int]:
        text = self.text
        found: set[int] = set()
        for m in _QUOTE.finditer(text, start, end):
            pos = m.start()
            glued = pos - start >= 2 and text[pos - 1] == " " and _is_word_char(text[pos - 2])
            if glued and _ends(text, pos - 1, start) and _long_quote(text, pos, end):
                found.add(pos)
        return found

    def _caption_cuts(self, start: int, end: int, starts: set[int]) -> set[int]:
        """A caption head at a segment start ends where capitalised prose restarts."""
        text = self.text
        found: set[int] = set()
        for seg in sorted(starts | {start}):
            pos = seg
            while pos < end and text[pos].isspace():
                pos += 1
            if text.find(": ", pos, pos + 80) < 0:
                continue  # no colon close by: no caption head here
            head = _CAPTION_HEAD.match(text, pos, end)
            if head is None:
                continue
            for tail in _CAPTION_END.finditer(text, head.end(), end):
                if text[tail.start() - 1] in _LABEL_PREV:
                    if _ends(text, tail.start(), start) and _after_lower(text, tail.start(), start):
                        found.add(tail.end())
                    break
        return found


def _find_all(low: str, needles: tuple[str, ...]) -> set[int]:
    """Every position where one of ``needles`` occurs in ``low``."""
    found: set[int] = set()
    for needle in needles:
        pos = low.find(needle)
        while pos >= 0:
            found.add(pos)
            pos = low.find(needle, pos + 1)
    return found


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _ends(text: str, space: int, floor: int) -> bool:
    """Can the word before position ``space`` end a sentence (not "the", not "said")?"""
    prev = _PREV_WORD.search(text, max(floor, space - 30), space)
    word = prev.group(1).lower() if prev else ""
    return word not in _SPEECH and word not in _FUNCTION


def _after_lower(text: str, space: int, floor: int) -> bool:
    """Whether the word before position ``space`` starts in lower case or with a digit (not a
    capital: "North | Koreans", "South | Korea" are names running on)."""
    prev = _PREV_WORD.search(text, max(floor, space - 30), space)
    first = prev.group(1)[:1] if prev else ""
    return first.islower() or first.isdigit()


def _long_quote(text: str, pos: int, end: int) -> bool:
    """A quotation of five or more words (a short one is probably a title or a nickname)."""
    close = _CLOSE_QUOTE.search(text, pos + 1, end)
    quoted = text[pos : close.start() if close else end]
    return len(quoted.split()) >= 5
