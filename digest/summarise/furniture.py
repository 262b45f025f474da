"""Trim page furniture glued to the front of a sentence, keeping quotes verbatim.

Text extracted from real pages glues things onto the sentence that follows them:
a list dash or bullet ("- Volunteers packed..."), a wire dateline ("(CNN)They...",
"WASHINGTON (Reuters) - ", "Berlin (dpa) – "), a Korean dateline, byline or photo
note ("(서울=연합뉴스) 홍길동 기자 = ", "[서울=뉴시스] ", "[사진=연합뉴스] "), an all-capitals subheading
("KIM JONG-UN'S NEW ORDERS Addressing 2023 as..."), or the headline itself when a
page repeats it above the first paragraph. The sentence stays a substring of the
article: only its start moves past the furniture, so a blurb never opens with it.
"""

from __future__ import annotations

import re

# A list marker: dash, bullet or "1." / "2)" before the item's text.
_BULLET = re.compile(r"[-–—•·*▪●◦‣⁃]\s+|\d{1,2}[.)]\s+(?=\D)")
# Three or more words in capitals, then a capitalised word in ordinary case: a glued
# subheading. Two capitals ("NATO and", "UN OCHA Director") are left alone.
# A Korean wire dateline and byline: "(서울=연합뉴스) 홍길동 기자 = " before the first sentence.
_KO_DATELINE = re.compile(
    r"(?:\([^()=]{1,20}=[^()]{1,20}\)|\[[^\[\]=]{1,20}=[^\[\]]{1,20}\])\s*(?:[가-힣]{2,4}\s*(?:기자|특파원)\s*=\s*)?"
    r"|[가-힣]{2,4}\s*기자\s*=\s*"
)
# A wire dateline: a place in capitals or Title Case (at most five words), then the agency
# in brackets, then a dash or straight on: "(CNN)They", "SEOUL, South Korea (AP) — ".
_DATELINE = re.compile(
    r"(?:[A-Z][\w'’.-]*(?:[ ,/]+[A-Z][\w'’.-]*){0,4},?\s*)?"
    r"\([A-Za-z][\w'’.&-]*(?: [A-Z][\w'’.&-]*){0,3}\)(?:\s*[-–—]+\s+|(?=[A-Z\"“‘']))"
)
_CAPS_HEADING = re.compile(r"(?:[A-Z0-9][A-Z0-9'’.&,:-]*[A-Z][A-Z0-9'’.&,:-]*\s+|[&:-]\s+){3,}(?=[A-Z][a-z])")


def trim_fronts(sentences: list[str], title: str | None) -> list[str]:
    """Each sentence with any list marker, capitals heading or headline trimmed off its front;
    a sentence that is only furniture (the headline itself) is dropped."""
    heading = " ".join(title.split()) if title else ""
    out: list[str] = []
    for sentence in sentences:
        trimmed = _trim(sentence, heading)
        if trimmed:
            out.append(trimmed)
    return out


def _trim(sentence: str, title: str) -> str:
    s = sentence
    for _ in range(3):  # a bullet before a heading, a heading before the headline...
        before = s
        if title and " ".join(s.split()) == title:
            return ""
        m = _BULLET.match(s) or _CAPS_HEADING.match(s) or _KO_DATELINE.match(s) or _dateline(s)
        if m and m.end() < len(s):
            s = s[m.end() :]
        elif title and len(s) > len(title) + 1 and _starts_with_title(s, title):
            s = s[_title_end(s, title) :].lstrip()
        if s == before:
            break
    return s


def _dateline(sentence: str) -> re.Match[str] | None:
    """A wire dateline at the front (only looked for when a bracket is near the start)."""
    bracket = sentence.find("(", 0, 60)
    return _DATELINE.match(sentence) if bracket >= 0 and ")" in sentence[bracket : bracket + 40] else None


def _starts_with_title(sentence: str, title: str) -> bool:
    head = " ".join(sentence[: len(title) + 40].split())
    return head.startswith(title + " ") and head[len(title) + 1 : len(title) + 2].isupper()


def _title_end(sentence: str, title: str) -> int:
    """Where the title ends in ``sentence`` (its white space may differ from the title's)."""
    words = len(title.split())
    for m in re.finditer(r"\S+", sentence):
        words -= 1
        if words == 0:
            return m.end()
    return 0
