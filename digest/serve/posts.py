"""Checking a post a volunteer edited: the platform's counting, its link, protected terms.

The same rules that composed the post decide whether the edit may be saved:
the platform's own length (its class's counting rule and limit),
the article link still in the text, and no protected term anywhere in what the post would
publish with this text (the guard that stops it at publishing: a name hidden by a bidi
control, typed as jamo or in Hanja is refused exactly as its plain spelling is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from digest.guard import check, post_surfaces

if TYPE_CHECKING:
    from digest.config import Settings

MAX_TEXT = 10_000  # far above every platform's limit; bigger is refused before measuring


@dataclass(frozen=True)
class Checked:
    used: int
    limit: int
    unit: str
    errors: list[str]


def check_post(settings: Settings, platform: str, text: str, payload: dict[str, Any]) -> Checked:
    from digest.social.platforms.registry import measure_for

    if len(text) > MAX_TEXT:
        return Checked(len(text), MAX_TEXT, "characters", [f"too long: over {MAX_TEXT} characters"])
    m = measure_for(settings, platform, text)
    errors = []
    if not text.strip():
        errors.append("the post is empty")
    if not m.fits:
        errors.append(f"too long: {m.used}/{m.limit} {m.unit}")
    link = str(payload.get("link_text") or payload.get("url") or "")
    if link and link not in text:
        errors.append(f"the article link is missing; keep {link} in the text")
    # The whole post as it would go out with this text: the same guard as at publishing.
    hits = check(settings.protected_terms(), post_surfaces(payload, text=text, platform=platform))
    errors += [f"protected term {hit.term!r} in {hit.where}" for hit in hits]
    return Checked(m.used, m.limit, m.unit, errors)


def text_language(settings: Settings, text: str) -> str:
    from digest.language import text_language as guess

    return guess(text, settings.language)
