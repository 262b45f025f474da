"""Links the way twitter-text finds them, for its weighted length (every link counts 23).

A counting rule like the others in :mod:`digest.social.measure`: a platform's class
picks it, and the post fitter uses it so it never cuts an address in two. So it sits
with the counting helpers, below the platforms, and names none of them.

What makes a link for twitter-text, from its conformance cases (extract.yml):

- The host ends in a real top-level domain (:mod:`digest.social.tlds`) that is not
  followed by an ASCII letter, digit, ``@``, ``+`` or ``-``: ``bridgeofhope.org에서``
  links ``bridgeofhope.org``; ``Node.js``, ``file.tar.bz2`` and ``domain.com-typo``'s
  tail are text.
- Nothing right before it may be an ASCII letter or digit, ``@``, ``$`` or ``#``:
  ``john.doe@example.org`` is no link, nor is ``#tag.com`` or ``$TVI.CA``.
- Without ``http(s)://``: not after ``- _ . /``; only the ASCII part of the host
  counts (``서울example.com`` links ``example.com``); and ``name.kr`` (one label and a
  two-letter country code) needs a path to be a link, except ``.co`` and ``.tv``.
- Paths take Latin and Cyrillic letters, digits and URL punctuation, and end on a
  letter, digit, ``+ - = _ # /`` or a balanced ``)``; a query ends on a letter, digit
  or ``- _ & = # /``.
- A host that IDNA cannot encode (an empty or over-long label) is no link.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from digest.social.tlds import country_code, top_level_domains

_PUNCT = r"!-/:-@\[-`{-~"  # every ASCII punctuation character, as class ranges
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_DOMAIN_CHAR = rf"[^{_PUNCT}\s\p{{Z}}{_INVALID}{_DIRECTIONAL}]"
_LATIN = r"\p{Latin}\p{M}"
_PATH_CHAR = rf"[a-z0-9{_LATIN}\p{{Cyrillic}}!*';:=+,.$/%#\[\]\-\u2013_~@|&()]"
_PATH_END = regex.compile(rf"[a-z0-9{_LATIN}\p{{Cyrillic}}+\-=_#/]", regex.IGNORECASE)
_QUERY_END = regex.compile(r"[a-z0-9\-_&=#/]", regex.IGNORECASE)
_BAD_BEFORE_BARE = "-_./"
_SPECIAL_SHORT = ("co", "tv")
_LABEL = rf"{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*"
# Candidates only; which dot starts the top-level domain is decided in code (_host_end),
# which keeps the scan linear and the long TLD list out of the pattern.
_CANDIDATE = regex.compile(
    # After "_" or "-" only an address with its protocol may start (a bare one may not, and
    # trying every position of "a_b_c_..." would be quadratic).
    r"(?<![A-Za-z0-9@＠$#＃\ufffe\ufeff\uffff])(?:(?<=[_-])(?=https?://)|(?<![_-]))"
    rf"(?P<proto>https?://)?(?P<host>{_LABEL}(?:\.{_LABEL})+)",
    regex.IGNORECASE,
)
_TAIL = regex.compile(
    rf"(?P<port>:[0-9]+)?(?P<path>/{_PATH_CHAR}*)?(?P<query>\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*)?",
    regex.IGNORECASE,
)
# ASCII labels; the top-level domain itself may be an IDN one ("foo.한국").
_ASCII_HOST = regex.compile(
    rf"(?:[\-a-z0-9{_LATIN}]+\.)+(?:xn--[\-0-9a-z]+|{_DOMAIN_CHAR}+)", regex.IGNORECASE
)
_NOT_ASCII_LABEL = regex.compile(rf"[^\-a-z0-9{_LATIN}]", regex.IGNORECASE)
_NOT_AFTER_TLD = regex.compile(r"[a-z0-9@+\-]", regex.IGNORECASE)


def twitter_text_links(text: str) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, has_protocol)`` of every link twitter-text would find in ``text``, in order."""
    pos = 0
    while "." in text[pos:]:
        m = _CANDIDATE.search(text, pos)
        if m is None:
            return
        host_end = _host_end(text, m.start("host"), m.end("host"))
        if host_end is None or not _encodable(text[m.start("host") : host_end]):
            # No shorter host in this run can end in a valid domain either; but its last
            # label may begin an address ("a.https://example.org").
            proto_next = text.startswith("://", m.end())
            pos = text.rfind(".", m.start("host"), m.end()) + 1 if proto_next else m.end()
            continue
        tail = _TAIL.match(text, host_end)
        port = (tail.group("port") or "") if tail else ""
        rest = _tail(tail.group("path") or "", tail.group("query") or "") if tail else ""
        end = host_end + len(port) + len(rest)
        pos = end
        if m.group("proto"):
            yield m.start(), end, True
        elif not _bad_before(text, m.start()):
            # A bare address keeps its port and query only when it has a path.
            has_path = bool(tail and tail.group("path"))
            pos = end if has_path else host_end
            yield from _bare(text, m.start("host"), host_end, port + rest if has_path else "")


def _host_end(text: str, start: int, end: int) -> int | None:
    """Where the host in ``text[start:end]`` ends: after its last top-level domain that
    follows a dot, is not followed by an ASCII letter, digit, @, + or -, and whose
    second-level label has no underscore; None when there is none."""
    tlds = top_level_domains()
    dot = text.rfind(".", start, end)
    while dot > start:
        label_end = text.find(".", dot + 1, end)
        label_end = end if label_end < 0 else label_end
        for n in range(label_end - dot - 1, 0, -1):
            after = text[dot + 1 + n : dot + 2 + n]
            if text[dot + 1 : dot + 1 + n].lower() in tlds and not _NOT_AFTER_TLD.match(after):
                name_start = max(text.rfind(".", start, dot) + 1, start)
                if "_" not in text[name_start:dot]:
                    return dot + 1 + n
                break
        dot = text.rfind(".", start, dot)
    return None


_ONE_DOMAIN_CHAR = regex.compile(_DOMAIN_CHAR)


def _bad_before(text: str, start: int) -> bool:
    """A bare address right after ``- _ . /`` is no link. twitter-text's pattern may start earlier than
    ours, inside the same run of domain characters ("_한국U.S.net"), so look past those."""
    while start > 0 and _ONE_DOMAIN_CHAR.match(text, start - 1):
        start -= 1
    return start > 0 and text[start - 1] in _BAD_BEFORE_BARE


def _bare(text: str, start: int, end: int, tail: str) -> Iterator[tuple[int, int, bool]]:
    """The ASCII hosts inside a bare match (``서울example.com``); the last carries the path."""
    host = text[start:end]
    found = []
    pos = 0
    while (m := _ASCII_HOST.search(host, pos)) is not None:
        stop = _host_end(host, m.start(), m.end())
        if stop is not None:
            found.append((m.start(), stop))
            pos = stop
        else:  # a later label may still start a host ("a.sub_dom.example.org")
            nxt = _NOT_ASCII_LABEL.search(host, m.start())
            pos = nxt.end() if nxt else len(host)
    for i, (s, e) in enumerate(found):
        if i == len(found) - 1 and e == len(host) and tail:
            yield start + s, start + e + len(tail), False
        elif not _short(host[s:e]):
            yield start + s, start + e, False


def _short(host: str) -> bool:
    """``name.kr``: one label and a country code (not .co or .tv), no link without a path."""
    labels = host.lower().split(".")
    return len(labels) == 2 and country_code(labels[1]) and labels[1] not in _SPECIAL_SHORT


def _tail(path: str, query: str) -> str:
    """Path and query with the punctuation twitter-text leaves out of a link trimmed off the end."""
    trimmed = _trim(path, _PATH_END)
    if trimmed != path or not query:
        return trimmed
    query = _trim(query, _QUERY_END)
    return trimmed + (query if len(query) > 1 else "")


def _trim(part: str, ending: regex.Pattern[str]) -> str:
    end = len(part)
    while end > 1:
        char = part[end - 1]
        if char == ")" and part[:end].count("(") >= part[:end].count(")"):
            break
        if char not in "()" and ending.fullmatch(char):
            break
        end -= 1
    return part[:end]


def _encodable(host: str) -> bool:
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True
