"""What an article is for, from its headline, and which sentence carries it (issue 19).

A nonprofit's own posts are often not news: an invitation ("Our year-end gathering: save
the date"), a thank-you ("Thank you to our tutoring volunteers") or an appeal ("Help us
buy winter coats"). Their blurb and posts must keep the sentence that carries the date and
place, the thanks, or the call to act, even when the article opens with background (the year
the organisation was founded). News keeps the engine's own choice.

Rules, English, German and Korean, on the headline only (the body talks about everything):

* invitation: gathering, event, meeting, party, save the date, join us, invite, open day...;
  its sentence names a day, a date or a time, or a place to come to;
* thanks: thank, grateful, gratitude, danke, 감사, 고맙;
* appeal: help us, donate, support, give, volunteer, sign up, 후원, 도와, 모금, 참여;
  its sentence asks the reader (please, donate, give, join, sign up, 해 주세요, 바랍니다).
"""

from __future__ import annotations

import re

_KINDS = (
    (
        "invitation",
        re.compile(
            r"(?i)\b(?:gathering|event|meeting|party|celebration|festival|concert|open day|open house"
            r"|save the date|join us|invit\w*|rsvp|come and|einladung|treffen|feier|fest)\b"
            r"|모임|행사|초대|초청|잔치|축제|설명회|모집"
        ),
    ),
    ("thanks", re.compile(r"(?i)\b(?:thank\w*|grateful|gratitude|danke\w*|dank)\b|감사|고맙|고마운")),
    (
        "appeal",
        re.compile(
            r"(?i)\b(?:help us|donat\w*|support|give|giving|appeal|fundrais\w*|volunteer\w*|sign up"
            r"|spende\w*|helfen|unterstützen)\b|후원|도와|도움|모금|기부|참여|함께해"
        ),
    ),
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember"
)
_WHEN = re.compile(
    rf"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch"
    rf"|donnerstag|freitag|samstag|sonntag|tonight|tomorrow|{_MONTHS})\b"
    r"|\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.|uhr)\b|\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b"
    r"|\d{1,2}월\s?\d{1,2}일|[월화수목금토일]요일|오[전후]\s?\d{1,2}시|\d{1,2}시"
)
_WHERE = re.compile(
    r"\b(?:at|in)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*\s+(?i:hall|centre|center|church"
    r"|school|library|park|house|office|room|café|cafe|museum|theatre|theater)\b|\b(?i:address|venue)\b"
    r"|[가-힣]+(?:센터|회관|교회|학교|도서관|공원|카페)에서|장소"
)
_ASK = re.compile(
    r"(?i)\b(?:please|donate|give|join|sign up|register|rsvp|come|bring|visit|share|send|apply"
    r"|bitte|kommen sie|melden sie)\b|주세요|바랍니다|오세요|하세요|신청|참여해|함께해"
)
_THANKS = re.compile(r"(?i)\b(?:thank\w*|grateful|gratitude|danke\w*)\b|감사|고맙|고마운")


def article_kind(title: str) -> str:
    """"invitation", "thanks", "appeal" or "news" (the first kind whose words the title has)."""
    for kind, words in _KINDS:
        if words.search(title):
            return kind
    return "news"


def carries(sentence: str, kind: str) -> bool:
    """Whether ``sentence`` carries what a ``kind`` of article is for (see the module docstring)."""
    if kind == "invitation":
        return _WHEN.search(sentence) is not None or _WHERE.search(sentence) is not None
    if kind == "thanks":
        return _THANKS.search(sentence) is not None
    if kind == "appeal":
        return _ASK.search(sentence) is not None
    return False


def purpose_first(sentences: list[str], title: str) -> list[str]:
    """The sentences in the order a post needs them: the headline's point first (the sentence
    sharing most words with the title, else the first), then the sentences that carry the
    article's purpose, then the rest in article order. A post is cut from its end, so what the
    article is for survives the cut."""
    if len(sentences) < 2:
        return list(sentences)
    kind = article_kind(title)
    title_words = _words(title)
    overlap = [len(title_words & _words(s)) for s in sentences]
    carrying = [i for i, s in enumerate(sentences) if carries(s, kind)]
    if max(overlap):
        lead = max(range(len(sentences)), key=lambda i: (overlap[i], i in carrying, -i))
    else:  # no sentence restates the headline: what the article is for comes first
        lead = carrying[0] if carrying else 0
    rest = [i for i in range(len(sentences)) if i != lead]
    order = [lead, *(i for i in rest if i in carrying), *(i for i in rest if i not in carrying)]
    return [sentences[i] for i in order]


_WORD = re.compile(r"[가-힣]{2,}|[^\W\d_]{3,}")
_SMALL = frozenset(
    ("the", "and", "for", "our", "with", "from", "this", "that", "your", "are", "was", "will", "you")
)


def _words(text: str) -> set[str]:
    """Word stems, crudely: the first four letters ("coat" for coats, "chil" for children), or
    the first two syllables of a Korean word (후원을, 후원해: "후원")."""
    out = set()
    for word in _WORD.findall(text):
        low = word.lower()
        if low not in _SMALL:
            out.add(low[:2] if "가" <= low[0] <= "힣" else low[:4])
    return out
