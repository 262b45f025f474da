"""Hashtags from key phrases plus the organisation's own allowlist.

Safety first: a term for which ``protected(term)`` is true never becomes a hashtag,
whether it arrives as a key phrase, through the alias table, or from the allowlist,
and the check is made on the phrase, its alias and the final CamelCase tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from digest.summarise.errors import SummariseError

_PARTS = re.compile(r"[^\W_]+")


def hashtags(
    keyphrases: Iterable[str],
    *,
    aliases: dict[str, str],
    allowlist: list[str],
    protected: Callable[[str], bool] | None,
    limit: int,
) -> list[str]:
    """Return up to ``limit`` hashtags as CamelCase words without '#', best first.

    Order: key phrases (best first) whose tag is on the allowlist, then the other
    key phrases (a tag of two characters or fewer only when allow-listed), then the
    remaining allowlist tags (``DIGEST_HASHTAGS``).  Each key phrase is first mapped
    through ``aliases`` (case-insensitive keys, e.g. ``{"DPRK": "North Korea"}``).
    Duplicates are dropped case-insensitively.  Any candidate for which
    ``protected`` returns true at any stage is dropped.
    Raises :class:`SummariseError` for a negative ``limit``.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise SummariseError(f"limit must be a non-negative integer, got {limit!r}")
    is_protected = protected or _never
    folded_aliases = {_fold(k): v for k, v in aliases.items()}
    allowed = [t for t in (_safe_tag(a, is_protected) for a in allowlist) if t]
    allowed_keys = {t.casefold() for t in allowed}
    from_text: list[str] = []
    for phrase in keyphrases:
        if is_protected(phrase):
            continue
        tag = _safe_tag(folded_aliases.get(_fold(phrase), phrase), is_protected)
        if tag:
            from_text.append(tag)
    # A two-letter tag ("US", "UN", "AI") is ambiguous and reads as noise: only when allow-listed.
    from_text = [t for t in from_text if len(t) > 2 or t.casefold() in allowed_keys]
    ranked = [t for t in from_text if t.casefold() in allowed_keys]
    ranked += [t for t in from_text if t.casefold() not in allowed_keys]
    return _dedupe(ranked + allowed)[:limit]


def camel_case(phrase: str) -> str:
    """ "Kim Jong-un" -> "KimJongUn", "U.S." -> "US"; keeps inner capitals ("HBO")."""
    return "".join(p[0].upper() + p[1:] for p in _PARTS.findall(phrase))


def _safe_tag(phrase: str, is_protected: Callable[[str], bool]) -> str:
    """CamelCase tag for ``phrase``, or "" when unusable or protected."""
    if is_protected(phrase):
        return ""
    tag = camel_case(phrase)
    if len(tag) < 2 or len(tag) > 40 or tag.isdigit() or is_protected(tag):
        return ""
    return tag


def _dedupe(tags: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            out.append(tag)
    return out


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _never(_term: str) -> bool:
    return False
