"""Links the way twitter-text finds them, for its weighted length (every link counts 23).

A counting rule like the others in :mod:`digest.social.measure`: a platform's class
picks it, and the post fitter uses it so it never cuts an address in two. So it sits
with the counting helpers, below the platforms, and names none of them.

What makes a link for twitter-text 3, from its conformance cases (extract.yml, tlds.yml):

- The host ends in a top-level domain on twitter-text's list (:mod:`digest.social.tlds`)
  that is not followed by an ASCII letter, digit, ``@``, ``+`` or ``-``:
  ``bridgeofhope.org에서`` links ``bridgeofhope.org``; ``Node.js``, ``file.tar.bz2`` and
  ``domain.com-typo``'s tail are text. A bare ``hope.kr`` or ``bit.ly`` is a link too,
  path or not (older versions wanted a path after a country code; version 3 does not).
- Nothing right before it may be an ASCII letter or digit, ``@``, ``$`` or ``#``:
  ``john.doe@example.org`` is no link, nor is ``#tag.com`` or ``$TVI.CA``.
- Without ``http(s)://``: not after ``- _ . /``; only the ASCII part of the host
  counts (``서울example.com`` links ``example.com``).
- Paths take Latin and Cyrillic letters, digits and URL punctuation, and end on a
  letter, digit, ``+ - = _ # /`` or a balanced ``)``; a query ends on a letter, digit
  or ``- _ & = # /``.
- ``https://t.co/`` links end after their letters and digits (and a query); a slug of
  more than 40 makes no link.
- A host that IDNA cannot encode (an empty or over-long label) is no link.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from digest.social.tlds import is_top_level_domain, longest_top_level_domain

_PUNCT = r"!-/:-@\[-`{-~"  # every ASCII punctuation character, as class ranges
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_DOMAIN_CHAR = rf"[^{_PUNCT}\s\p{{Z}}{_INVALID}{_DIRECTIONAL}]"
# The accented Latin letters and the Cyrillic block twitter-text takes in hosts and paths.
_LATIN = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268"
    "\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_PATH_CHAR = rf"[a-z0-9{_LATIN}{_CYRILLIC}!*';:=+,.$/%#\[\]\-\u2013_~@|&]"
# Brackets in a path only in balanced pairs, one level deep: "/wiki/Primer_(film)".
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
# A run of path characters that ends on a letter, digit or "+ - = _ # /", so "/a/b...." links
# "/a/b"; or a bracketed part alone; or "@name/". (twitter-text's pattern reads so, its
# "ending" alternation not grouped: "/p.(x)" links "/p".)
_PATH_PART = (
    rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*[a-z0-9{_LATIN}{_CYRILLIC}+\-=_#/]"
    rf"|{_PARENS}|@{_PATH_CHAR}+/)"
)
_BAD_BEFORE_BARE = "-_./"
_LABEL = rf"{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*"
# A host of at most 127 labels, as in DNS: twitter-text sets no bound, but without one a long
# run such as "a.com_a.com_..." is read to its end at every address in it (quadratic).
_HOST = rf"{_LABEL}(?:\.{_LABEL}){{1,126}}"
# Candidates only; which dot starts the top-level domain is decided in code (_Hosts.end),
# which keeps the scan linear and the long TLD list out of the pattern.
_CANDIDATE = regex.compile(
    # After "_" or "-" only an address with its protocol may start (a bare one may not, and
    # trying every position of "a_b_c_..." would be quadratic).
    r"(?<![A-Za-z0-9@＠$#＃\ufffe\ufeff\uffff])(?:(?<=[_-])(?=https?://)|(?<![_-]))"
    rf"(?P<proto>https?://)?(?P<host>{_HOST})",
    regex.IGNORECASE,
)
# A bare address may also start right after "_" or "-"; twitter-text then refuses it (a bare
# address after "-_./" is no link) but skips past it, and that can change what comes next.
_DASH = regex.compile(rf"[_-](?={_DOMAIN_CHAR})")
_HOST_AT = regex.compile(_HOST, regex.IGNORECASE)
_LABEL_RUN = regex.compile(rf"(?:{_DOMAIN_CHAR}|[_-])*")
_TAIL = regex.compile(
    rf"(?P<port>:[0-9]+)?(?P<path>/{_PATH_PART}*)?"
    r"(?P<query>\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?",
    regex.IGNORECASE,
)
# ASCII labels; the top-level domain itself may be an IDN one ("foo.한국").
_ASCII_HOST = regex.compile(
    rf"(?:[\-a-z0-9{_LATIN}]+\.)+(?:xn--[\-0-9a-z]+|{_DOMAIN_CHAR}+)", regex.IGNORECASE
)
_NOT_ASCII_LABEL = regex.compile(rf"[^\-a-z0-9{_LATIN}]", regex.IGNORECASE)
_NOT_AFTER_TLD = regex.compile(r"[a-z0-9@+\-]", regex.IGNORECASE)
# A t.co link is its slug (and a query): "t.co/abc's" links "t.co/abc".
_TCO = regex.compile(
    r"https?://t\.co/([a-z0-9]+)(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?", regex.IGNORECASE
)
_TCO_SLUG = 40


def twitter_text_links(text: str) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, has_protocol)`` of every link twitter-text would find in ``text``, in order."""
    hosts = _Hosts(text)
    pos = 0
    floor = -1  # where twitter-text's scan resumes: after its last match (-1: the text's start)
    while text.find(".", pos) >= 0:
        m = _CANDIDATE.search(text, pos)
        if m is None:
            return
        skipped = _refused_after_dash(hosts, pos, m.start(), floor)
        if skipped is not None:
            pos = floor = skipped
            continue
        host_end = hosts.end(m.start("host"), m.end("host"))
        if host_end is None or not _encodable(text[m.start("host") : host_end]):
            # No shorter host in this run can end in a valid domain either; but its last
            # label may begin an address ("a.https://example.org").
            proto_next = text.startswith("://", m.end())
            pos = text.rfind(".", m.start("host"), m.end()) + 1 if proto_next else m.end()
            refused = None if m.group("proto") else _refused_after_dash(hosts, m.start(), m.end(), floor)
            if refused is not None:
                pos = floor = refused
            continue
        tail = _TAIL.match(text, host_end)
        end = pos = tail.end() if tail else host_end
        if m.group("proto"):
            found = _tco(text, m.start(), end)
            floor = end
            if found:
                yield m.start(), found, True
        else:
            # A bare address keeps its port and query only when it has a path; either way
            # twitter-text's scan goes on after them.
            has_path = bool(tail and tail.group("path"))
            if not _bad_before(text, m.start(), floor):
                yield from _bare(text, m.start("host"), host_end, text[host_end:end] if has_path else "")
            floor = end


def _address_end(text: str, host_end: int) -> int:
    """Where an address whose host ends at ``host_end`` ends: after its port, path and query."""
    tail = _TAIL.match(text, host_end)
    return tail.end() if tail else host_end


def _refused_after_dash(hosts: _Hosts, pos: int, stop: int, floor: int) -> int | None:
    """The end of the first bare address twitter-text finds (and refuses) right after a "_" or
    "-" in ``text[pos:stop]``, or None. Each run of label characters is tried at most twice, at
    its first such start and after its last "_" (a second-level label has none), so a long
    "a_b_c_..." stays linear."""
    text = hosts.text
    at = pos
    while (dash := _DASH.search(text, at, stop)) is not None:
        start = dash.end()
        if dash.start() < floor:
            at = start
            continue
        host = _HOST_AT.match(text, start)
        if host is None:  # no dot after this run: no start inside it can make a host
            at = _LABEL_RUN.match(text, start).end()
            continue
        for begin in (start, text.rfind("_", start, host.end()) + 1):
            end = hosts.end(begin, host.end()) if begin > 0 else None
            if end is not None and _encodable(text[begin:end]):
                return _address_end(text, end)
        at = host.end()
    return None


def _tco(text: str, start: int, end: int) -> int:
    """Where a link at ``text[start:end]`` ends: a t.co link at its slug (0 when the slug is
    too long to be one), any other where it is."""
    tco = _TCO.match(text, start, end)
    if tco is None:
        return end
    return 0 if len(tco.group(1)) > _TCO_SLUG else tco.end()


class _Hosts:
    """Where hosts end in one text. The last good top-level domain of a run of labels is found
    once, so trying many starts in one long run ("a.com_a.com_...") stays linear."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[int, tuple[int, tuple[int, int] | None]] = {}  # stop -> (floor, last)

    def end(self, start: int, stop: int) -> int | None:
        """Where the host in ``text[start:stop]`` ends: after its last top-level domain that
        follows a dot, is not followed by an ASCII letter, digit, @, + or -, and whose
        second-level label has no underscore; None when there is none."""
        known = self.found.get(stop)
        if known is None or known[0] > start:
            known = self.found[stop] = (start, self._last_whole(start, stop))
        last = known[1]
        if last is not None and last[0] >= start:
            return last[1]  # the name label lies whole after start
        first = self.text.find(".", start, stop)  # the one label that start cuts short
        return self._after(first, start, stop) if first > start else None

    def _last_whole(self, start: int, stop: int) -> tuple[int, int] | None:
        """(start of the second-level label, end of the host) for the last good top-level
        domain whose second-level label starts after a dot, at or after ``start``."""
        dot = self.text.rfind(".", start, stop)
        while dot > start:
            name = self.text.rfind(".", start, dot) + 1
            if name == 0:
                return None
            end = self._after(dot, name, stop)
            if end is not None:
                return name, end
            dot = name - 1
        return None

    def _after(self, dot: int, name: int, stop: int) -> int | None:
        """The end of the top-level domain after ``dot`` if it is good and ``text[name:dot]``
        (its second-level label) has no underscore."""
        text = self.text
        label_end = text.find(".", dot + 1, stop)
        longest = (stop if label_end < 0 else label_end) - dot - 1
        if text[dot + 1 : dot + 5].lower() != "xn--":
            longest = min(longest, longest_top_level_domain())
        for n in range(longest, 0, -1):
            after = text[dot + 1 + n : dot + 2 + n]
            if is_top_level_domain(text[dot + 1 : dot + 1 + n]) and not _NOT_AFTER_TLD.match(after):
                return dot + 1 + n if "_" not in text[name:dot] else None
        return None


_ONE_DOMAIN_CHAR = regex.compile(_DOMAIN_CHAR)


def _bad_before(text: str, start: int, floor: int) -> bool:
    """A bare address right after ``- _ . /`` is no link. twitter-text's pattern may start earlier than
    ours, inside the same run of domain characters ("_한국U.S.net"), so look past those, but
    not back into its last link: its scan resumes there, and the character after that link
    is the earliest that can come before the next one ("t.co/a한국example.com")."""
    if start == floor:  # its first character is the one before twitter-text's match
        return text[start + 1 : start + 2] in ("-", "_", ".")
    while start - 1 > floor and _ONE_DOMAIN_CHAR.match(text, start - 1):
        start -= 1
    return start > 0 and text[start - 1] in _BAD_BEFORE_BARE


def _bare(text: str, start: int, end: int, tail: str) -> Iterator[tuple[int, int, bool]]:
    """The ASCII hosts inside a bare match (``서울example.com``); the last carries the path."""
    host = text[start:end]
    hosts = _Hosts(host)
    found = []
    pos = 0
    while (m := _ASCII_HOST.search(host, pos)) is not None:
        stop = hosts.end(m.start(), m.end())
        if stop is not None:
            found.append((m.start(), stop))
            pos = stop
        else:  # a later label may still start a host ("a.sub_dom.example.org")
            nxt = _NOT_ASCII_LABEL.search(host, m.start())
            pos = nxt.end() if nxt else len(host)
    for i, (s, e) in enumerate(found):
        if i == len(found) - 1 and e == len(host) and tail:
            yield start + s, start + e + len(tail), False
        else:
            yield start + s, start + e, False


def _encodable(host: str) -> bool:
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True
