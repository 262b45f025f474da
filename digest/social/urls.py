"""Finding links in post text, the way the platforms' counters do.

Platforms that weigh every link the same (a class's ``url_weight``) must find links
exactly where their own counter does: ``http://`` and ``https://`` addresses and,
for twitter-text, bare domains such as ``example.org``. Trailing
punctuation is not part of a link; a host label longer than 63 characters (after
IDNA encoding) makes it no link at all, as in twitter-text.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from digest.social.twitter_links import twitter_text_links

# Path and query characters twitter-text accepts: Latin and Cyrillic letters, digits and
# URL punctuation. Hangul or CJK in a path ends the link (percent-encode them).
_PATH_CHAR = r"[\p{Latin}\p{Cyrillic}\p{M}\p{N}!*';:=+,.$/%#\[\]\-\u2013_~@|&()?]"
# Characters a host may contain: letters and digits of any script, '-', '_'.
_HOST_LABEL = r"[\p{L}\p{M}\p{N}_-]+"
_PROTOCOL_URL = regex.compile(
    r"(?<![\p{L}\p{N}@$#/])https?://"
    r"(?:[\w.~%!$&'()*+,;=:-]+@)?"  # user info
    r"(?P<host>\[[0-9a-fA-F:.]+\]|" + _HOST_LABEL + r"(?:\." + _HOST_LABEL + r")*)"
    r"(?::\d{1,5})?"
    r"(?P<rest>[/?#]" + _PATH_CHAR + r"*)?",
    regex.IGNORECASE,
)
_TRAILING = ".,;:!?'\"…"  # never the end of a link
_CLOSERS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class Link:
    start: int  # code-point offsets into the searched text
    end: int
    url: str
    has_protocol: bool


def find_links(text: str, *, bare_domains: bool) -> list[Link]:
    """Links in ``text`` in order. ``bare_domains``: twitter-text's rules, which also find
    ``example.org`` (see :mod:`digest.social.twitter_links`); otherwise only http(s) addresses."""
    if bare_domains:
        return [Link(s, e, text[s:e], proto) for s, e, proto in twitter_text_links(text)]
    return [link for m in _PROTOCOL_URL.finditer(text) if (link := _link(m)) is not None]


def _link(m: regex.Match[str]) -> Link | None:
    host = m.group("host")
    if not host.startswith("[") and not _valid_host(host):
        return None
    end = _trim_end(m.group(0)) + m.start()
    return Link(m.start(), end, m.string[m.start() : end], True)


def _valid_host(host: str) -> bool:
    """DNS rules twitter-text applies: no empty label, no edge '-', 63 bytes a label after IDNA."""
    labels = host.rstrip(".").split(".")
    for label in labels:
        if not label or label.startswith("-") or label.endswith("-"):
            return False
        if label.isascii():
            size = len(label)
        else:
            try:
                size = len(b"xn--" + label.lower().encode("punycode"))
            except UnicodeError:
                return False
        if size > 63:
            return False
    return True


def _trim_end(url: str) -> int:
    """Length of ``url`` without trailing punctuation and unbalanced closing brackets."""
    end = len(url)
    while end > 0:
        char = url[end - 1]
        unbalanced = char in _CLOSERS and url[:end].count(_CLOSERS[char]) < url[:end].count(char)
        if char not in _TRAILING and not unbalanced:
            break
        end -= 1
    return end
