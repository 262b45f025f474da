"""Recognise sentences that are page furniture rather than reporting.

Scraped articles carry bylines, time stamps, photo captions, image credits and
widget text ("Scroll down for video").  Quoting those in a newsletter looks broken,
so the scorer multiplies each sentence's score by :func:`quality`: 0 for furniture
that must never be picked, a fraction for sentences that are merely suspicious.
"""

from __future__ import annotations

import re

from digest.summarise.text import word_set

_FURNITURE = re.compile(
    r"(?ix)^(?:"
    r"scroll\ down\b|click\ here\b|view\ original\b|read\ more\b|watch\ (?:the\ )?video\b"
    r"|advertisement\b|share\ this\b|follow\ (?:us|@)|sign\ up\b|subscribe\b|related\b"
    r"|published:|updated:|last\ updated\b|copyright\b|©|all\ rights\ reserved"
    r"|(?:photo|image|picture|video|credit|source)s?\s*(?:credit)?\s*:"
    r"|by\ [A-Z][\w'’-]+(?:\ [A-Z][\w'’-]+){0,3}(?:\s*(?:,|and|for)\s.*)?$"
    # Boilerplate: disclosures, calls to action, newsletter and letters-page notices.
    r"|this\ (?:post|article|story|page|content)\ (?:contains|may\ contain|includes|was|has\ been)\b"
    r"|we\ (?:may\ )?(?:earn|receive|get)\ (?:a\ )?(?:small\ )?commission"
    r"|(?:submit|send)\ (?:us\ )?(?:your|a)\ (?:letter|tip|question|story|comment)"
    r"|letters?\ to\ the\ editor|send\ us\b|contact\ us\b|get\ in\ touch\b|join\ (?:us|our)\b"
    r"|if\ you\ (?:enjoyed|liked|value|appreciate|have\ a\ (?:tip|story|question))\b"
    r"|(?:please\ )?(?:support|donate\ to)\ (?:our|independent)\ (?:journalism|reporting|work)"
    r"|you\ (?:may|might)\ also\ like|also\ read\b|more\ (?:from|stories|on\ this)\b"
    r"|don[’']t\ miss\b|get\ (?:our|the)\ (?:newsletter|latest)|download\ (?:our|the)\ app"
    r")"
)
# A hole where linked text was dropped: "but , notably", "in  .", "( )".
_HOLE = re.compile(r"\w\s+[,;:](?=\s)|[A-Za-z]\s+\.(?=\s|$)|\(\s*\)|,\s*,")
_CREDIT = re.compile(r"\((?:image|photo|picture|credit|source|pictured)s?\b[^)]*\)\)?\s*$", re.I)
_WHOLE_CREDIT = re.compile(r"^\(?(?:image|photo|picture|credit)s?\s*:", re.I)
_TIMESTAMP = re.compile(
    r"(?i)^\W*(?:\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?,?\s*)?"
    r"(?:\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4})\W*$"
)
# "(pictured)", ", pictured," and "Pictured:" mark captions; "were pictured with" does not.
_PICTURED = re.compile(
    r"(?i)\(pictured\b|, pictured\b|^pictured\b|\((?:left|right|top|bottom|above|below|centre|center)\)"
)
_LABEL = re.compile(r"^[A-Z][\w'’-]*(?: [a-z][\w'’-]*){0,3}: ")
# A sentence that opens with a quotation is someone's voice, not the reporting;
# summaries (and human highlights) rarely quote, so such sentences are damped.
_QUOTE_MARKS = "\"'‘“«"
_SINGLE_QUOTED = re.compile(r"'(?<=\s')\w")  # a literal first: fast to scan for
_URL_ONLY = re.compile(r"^\S*(?:https?://|www\.)\S*$|^\S+@\S+\.\w+$")
_CLOSERS = "\"'”’»)]"
_FINAL = ".!?…。！？"
_CREDIT_WORDS = ("image", "photo", "picture", "credit")
# The first two characters (lower case) of everything _FURNITURE or _WHOLE_CREDIT
# can match, so most sentences skip both patterns with one set lookup.
_FURNITURE_STARTS = word_set(
    "sc cl vi re wa ad sh fo si su pu up la co al ph im pi cr so by (i (p (c th we se le ge jo if pl do yo mo"
)


def qualities(sentences: list[str], lengths: list[int]) -> list[float]:
    """:func:`quality` for each sentence, also marking a caption before an image credit."""
    out = [quality(s, n) for s, n in zip(sentences, lengths, strict=True)]
    for i in range(len(sentences) - 1):
        if out[i] and _is_credit(sentences[i + 1]):
            out[i] *= 0.2  # "Kim at the plenary meeting. (Image: KCNA)" is a caption
    return out


def quality(sentence: str, n_words: int) -> float:
    """Score multiplier in ``[0, 1]`` for how much ``sentence`` reads like reporting.

    Hot path: each test is a plain string operation or an anchored match, and the
    rarer patterns only run when a cheap substring test says they might apply.
    """
    s = sentence.strip()
    if n_words < 4 or _is_furniture(s) or _has_hole(s):
        return 0.0
    factor = 1.0
    body = s.rstrip(_CLOSERS)
    if not body or body[-1] not in _FINAL:
        if _title_case(s):
            return 0.0  # a headline or site name ("Helping North Korean Refugees and Orphans")
        factor *= 0.35  # captions and headings have no final punctuation
    if ("ictured" in s or "ICTURED" in s or "(" in s) and _PICTURED.search(s):
        factor *= 0.3
    if ": " in s and _LABEL.match(s):
        factor *= 0.4
    if _is_shouting(s):
        if factor < 1.0:
            return 0.0  # a subheading in capitals, not a sentence
        factor *= 0.2
    if s[0].islower():
        factor *= 0.5
    if n_words > 60:
        factor *= 0.5  # probably several captions run together
    return factor * _voice(s, body)


def _voice(s: str, body: str) -> float:
    """Damp quotations and questions, which summarise a story less often than reports."""
    factor = 1.0
    if s[0] in _QUOTE_MARKS:
        factor *= 0.5
    elif "“" in s or "‘" in s or '"' in s or "«" in s or ("'" in s and _SINGLE_QUOTED.search(s)):
        factor *= 0.75
    if body.endswith("?"):
        factor *= 0.4
    return factor


def _is_credit(s: str) -> bool:
    s = s.strip()
    if "(" in s and (_CREDIT.search(s) and (len(s) < 40 or _CREDIT.match(s))):
        return True
    return s[:12].lower().lstrip("(").startswith(_CREDIT_WORDS) and _WHOLE_CREDIT.match(s) is not None


# Furniture anywhere in a line, in English, German and Korean: cookie banners, affiliate
# and advertising notes, newsletter calls, "read also" links, a Korean article's input and
# edit stamps and its "send us tips" line. Only tried when a hint below is in the line.
_NOTICE = re.compile(
    r"(?i)\b(?:we|this\ (?:web)?site|our\ site)\ (?:uses?|use)\ cookies|accept\ (?:all\ )?cookies"
    r"|cookie\ (?:policy|settings)"
    r"|by\ (?:continuing|using)\ (?:to\ use\ )?(?:this|our)\ (?:site|website)|as\ an\ amazon\ associate"
    r"|affiliate\ (?:links?|commission|partner)"
    r"|(?:sign|subscribe)\ (?:up\ )?(?:to|for)\ our\ (?:\w+\ )?newsletter"
    r"|wir\ (?:verwenden|nutzen)\ cookies|(?:diese|unsere)\ (?:web)?seite\ (?:verwendet|nutzt)\ cookies"
    r"|verwendung\ von\ cookies|affiliate-links?|werbung:|melden\ sie\ sich\ für\ unseren\ newsletter"
    r"|^lesen\ sie\ (?:auch|mehr)\b|^mehr\ zum\ thema\b"
    r"|쿠키를?\ (?:사용|수집)|쿠팡\ ?파트너스|수수료를?\ 제공|^입력\ ?\d{4}[.-]|기사\ ?제보|보도\ ?자료는"
)
_NOTICE_STARTS = ("Lesen Sie", "Mehr zum", "입력")
_NOTICE_HINTS_KO = ("쿠키", "파트너스", "수수료", "제보", "보도")


def _is_notice(s: str) -> bool:
    hinted = (
        "ookie" in s or "ffiliate" in s or "ewsletter" in s or "Associate" in s or "erbung:" in s
        or s.startswith(_NOTICE_STARTS) or "OOKIE" in s or "FFILIATE" in s
        or (not s.isascii() and any(h in s for h in _NOTICE_HINTS_KO))
    )
    return hinted and _NOTICE.search(s) is not None


# Korean copyright lines: "<저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>", "무단전재 및 재배포 금지".
_KO_RIGHTS = re.compile(r"무단\s*(?:전재|복제|배포)|저작권자|ⓒ")


def _is_furniture(s: str) -> bool:
    if ("무단" in s or "저작권" in s or "ⓒ" in s) and _KO_RIGHTS.search(s):
        return True
    if _is_notice(s):
        return True
    head = s[:2].lower()
    if (head in _FURNITURE_STARTS or head[:1] == "©") and (_FURNITURE.match(s) or _WHOLE_CREDIT.match(s)):
        return True
    if len(s) < 200 and "(" in s and _CREDIT.search(s):
        return True
    if len(s) < 60 and _TIMESTAMP.match(s):
        return True
    return " " not in s and _URL_ONLY.match(s) is not None


_MINOR = word_set("a an and as at but by for from in into of on or the to with vs - – — & |")


def _title_case(s: str) -> bool:
    """Most words capitalised, small words aside: how headlines and site names are set."""
    words = [w for w in s.split() if w.lower() not in _MINOR]
    return len(words) >= 3 and sum(w[0].isupper() or w[0].isdigit() for w in words) >= 0.8 * len(words)


def _has_hole(s: str) -> bool:
    """Text with a gap where a link's words were dropped reads broken: never quote it."""
    return (" ," in s or " ." in s or " ;" in s or " :" in s or "(" in s or ",," in s) and (
        _HOLE.search(s) is not None
    )


def _is_shouting(s: str) -> bool:
    """An all-capitals heading ("KIM JONG-UN'S NEW ORDERS")."""
    return len(s) >= 8 and s == s.upper() and s != s.lower()
