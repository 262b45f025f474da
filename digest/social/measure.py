"""Counting rules for post lengths, and :class:`Measure`, a length against a limit.

Each platform's class (``digest/social/platforms/<name>.py``) owns its limit, its
unit and which of these rules counts its posts (``Publisher.measure``); this module
names no platform and never asks for one, so the platforms can build on it.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

    from digest.social.urls import Link

# twitter-text config v3: these code points weigh 1; all others weigh 2.
_NARROW = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

_PATTERNS = {
    "emoji": (
        r"[\p{RI}][\p{RI}]"  # flags
        r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"  # subdivision flags
        r"|[0-9#*]\uFE0F?\u20E3"  # keycaps
        r"|\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]*"
        r"(?:\u200D\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]*)*"
    ),
    "mention_domain": r"(?<=(?<![\w@])@\w+)@[\w.-]+\w",
    "little_text": r"[\\|{}@\[\]()<>#*_~]",
    # Refused by the twitter-text platform in any post (bidi embeddings and overrides, BOM,
    # non-characters); its class reports them through rejected_chars.
    "rejected": "[\u202a-\u202e\ufeff\ufffe\uffff]",
    "hashtag": r"(?<![\p{L}\p{N}_])#(?=[\p{L}\p{N}_]*\p{L})[\p{L}\p{N}_]+",
    "grapheme": r"\X",
}


@functools.cache
def _pattern(name: str) -> regex.Pattern[str]:
    """Compiled on first use: the platforms' settings are read by every command, and compiling
    these (with the regex module and the link finder) cost each one's start-up."""
    import regex

    return regex.compile(_PATTERNS[name])


def _links(text: str, *, bare_domains: bool) -> list[Link]:
    from digest.social.urls import find_links

    return find_links(text, bare_domains=bare_domains)


@dataclass(frozen=True)
class Measure:
    used: int
    limit: int
    unit: str
    bytes_used: int = 0
    bytes_limit: int = 0
    rejected: str = ""  # characters the platform refuses, as U+XXXX codes

    @property
    def fits(self) -> bool:
        within = self.used <= self.limit and (not self.bytes_limit or self.bytes_used <= self.bytes_limit)
        return within and not self.rejected


def strip_rejected(text: str) -> str:
    """``text`` without the invisible characters a platform refuses (they carry nothing readable)."""
    return _pattern("rejected").sub("", text)


def rejected_chars(text: str) -> str:
    """The refused characters of ``text``, as ``U+202E, U+FFFF`` (empty when none)."""
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in _pattern("rejected").findall(text)}))


def weighted_length(text: str, url_weight: int = 23) -> int:
    """twitter-text v3 ``weightedLength`` of ``text``: every link (bare domains too) weighs
    ``url_weight``; see :func:`_weigh_chars` and :func:`_weigh_emoji` for the rest."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for link in _links(text, bare_domains=True):
        total += _weigh_plain(text[pos : link.start]) + url_weight
        pos = link.end
    return total + _weigh_plain(text[pos:])


def _weigh_plain(text: str) -> int:
    total = 0
    pos = 0
    for match in _pattern("emoji").finditer(text):
        total += _weigh_chars(text[pos : match.start()]) + _weigh_emoji(match.group(0))
        pos = match.end()
    return total + _weigh_chars(text[pos:])


# twitter-text knows the emoji of Emoji 12.0. A newer sequence (🐦‍🔥) is counted by its
# parts there, so we do the same: counting it as 2 would under-count.
_WEIGHTED_EMOJI_VERSION = 12.0


def _known_emoji(seq: str) -> bool:
    data = _emoji_data().get(seq)
    return data is not None and data["E"] <= _WEIGHTED_EMOJI_VERSION


@functools.cache
def _emoji_data() -> dict[str, Any]:
    # The emoji table is large (about 0.1 s to import): loaded when weighted_length first needs it,
    # not whenever the platforms are listed.
    import emoji

    return emoji.EMOJI_DATA


def _weigh_emoji(seq: str) -> int:
    """One known emoji weighs 2. In a newer ZWJ sequence the longest known run from the
    left weighs 2, then each joiner 1, and so on, as twitter-text's emoji regex matches."""
    if len(seq) == 1 or _known_emoji(seq):
        return 2
    parts = seq.split("\u200d")
    total, i = 0, 0
    while i < len(parts):
        j = next((j for j in range(len(parts), i + 1, -1) if _known_emoji("\u200d".join(parts[i:j]))), i + 1)
        total += _weigh_element(parts[i]) if j == i + 1 else 2
        total += 1 if j < len(parts) else 0  # the joiner after this run
        i = j
    return total


def _weigh_element(seq: str) -> int:
    if not seq or _known_emoji(seq):
        return 2 if seq else 0
    return sum(2 if _known_emoji(c) else _weigh_chars(c) for c in seq)


def _weigh_chars(text: str) -> int:
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _NARROW) else 2 for c in text)


def graphemes(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters)."""
    return len(_pattern("grapheme").findall(text))


def split_graphemes(text: str) -> list[str]:
    return _pattern("grapheme").findall(text)


def link_weighted_graphemes(text: str, url_weight: int = 23) -> int:
    """Graphemes, every http(s) link ``url_weight``, remote mentions without the domain."""
    total = 0
    pos = 0
    for link in _links(text, bare_domains=False):
        total += graphemes(_pattern("mention_domain").sub("", text[pos : link.start])) + url_weight
        pos = link.end
    return total + graphemes(_pattern("mention_domain").sub("", text[pos:]))


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape_little_text(text: str) -> str:
    r""""Little text": reserved characters get a backslash, or the platform silently cuts
    the post at the first one. Links and our own ``#hashtags`` stay as they are."""
    out: list[str] = []
    pos = 0
    for link in _links(text, bare_domains=False):
        out.append(_escape_plain(text[pos : link.start]))
        out.append(link.url)
        pos = link.end
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    out: list[str] = []
    pos = 0
    for tag in _pattern("hashtag").finditer(text):
        out.append(_pattern("little_text").sub(lambda m: "\\" + m.group(0), text[pos : tag.start()]))
        out.append(tag.group(0))
        pos = tag.end()
    out.append(_pattern("little_text").sub(lambda m: "\\" + m.group(0), text[pos:]))
    return "".join(out)
