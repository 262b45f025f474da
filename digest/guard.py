"""The protected-terms guard: one check for every surface anything goes out on.

A surface is ``(label, kind, value)``: the label names it in every message ("the subject",
"setting DIGEST_FROM", "the link card of a post for 'A title'"), the kind says how
it is read (:data:`KINDS`), the value is exactly what goes out. Every path builds its surfaces
and calls :func:`check`: the edition checks before freezing (digest/compose/checks.py), the
frozen email before each dispatch and test copy (:func:`stop_if_protected`), each post when
it is composed, edited in the dashboard and published, and the public archive at every
request (an edition sent before a term was added is withheld). Adding a surface is one more
tuple where the value is built; adding a kind of value is one entry in :data:`KINDS`.

The terms are the **current** ones: the file is read again whenever its time or size changed
(see :mod:`digest.terms_file`), so a term added after an edition was frozen still stops it. A
hit before a send stops it and nothing is marked sent or skipped, so removing the term (if it
was a false alarm) lets the next `digest send` carry on where it stopped.

It sits at the foundation, below the edition checks and every send, publish and page, so each
surface can reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from digest.config import Settings
from digest.errors import ProtectedTermError
from digest.protect import STOPPED, Hit, ProtectedTerms, describe
from digest.readings import html_text
from digest.store.rows import EditionRow

if TYPE_CHECKING:
    from digest.store.ledger import Ledger

__all__ = [
    "KINDS", "STOPPED", "Surface", "check", "describe", "email_surfaces", "frozen_hits", "frozen_surfaces",
    "header_settings", "header_surfaces", "post_hits", "post_surfaces", "sent_hits", "stop_if_protected",
]

# (label, kind, value)
Surface = tuple[str, str, str]


def _as_written(value: str) -> str:
    return value


# How each kind of value is read before matching. Every kind is also read in displayed (bidi)
# order, percent-decoded and with punycode hosts decoded (digest.readings.readings).
KINDS: dict[str, Callable[[str], str]] = {
    "text": _as_written,  # subjects, text parts, posts, titles, alt text, settings, file names
    "url": _as_written,  # links and slugs: /kim-chul-su/ reads like the text it spells
    "html": html_text,  # the visible text (bidi markup as controls) and the attributes a reader sees
}


def check(terms: ProtectedTerms, surfaces: Iterable[Surface]) -> list[Hit]:
    """Every term found on the surfaces: one hit per (term, label), in the surfaces' order."""
    if not terms.terms:
        return []
    hits: dict[tuple[str, str], Hit] = {}
    for label, kind, value in surfaces:
        reader = KINDS[kind]  # an unknown kind is a programming error: it must not pass unchecked
        for hit in terms.find(reader(value), where=label) if value else []:
            hits.setdefault((hit.term, label), hit)
    return list(hits.values())


def header_settings(settings: Settings) -> list[tuple[str, str]]:
    """Settings that end up in every message's headers."""
    return [
        ("DIGEST_FROM", settings.sender),
        ("DIGEST_REPLY_TO", getattr(settings, "reply_to", "") or ""),
        ("DIGEST_UNSUBSCRIBE_URL", getattr(settings, "unsubscribe_url", "") or ""),
    ]


def header_surfaces(settings: Settings) -> list[Surface]:
    return [(f"setting {key}", "text", value) for key, value in header_settings(settings)]


def email_surfaces(
    subject: str, html: str, text: str, *, frozen: bool = False, lang: str = ""
) -> list[Surface]:
    """An email's subject, text part and HTML (of the frozen edition, in language ``lang``)."""
    names = ("the frozen subject", "the frozen text part", "the frozen HTML") if frozen else (
        "the subject", "the email's text part", "the email's HTML")
    label = f" ({lang})" if lang else ""
    return [(names[0] + label, "text", subject), (names[1] + label, "text", text),
            (names[2] + label, "html", html)]


def frozen_surfaces(edition: EditionRow, bodies: dict[str, tuple[str, str, str]]) -> list[Surface]:
    """What a frozen edition holds, in every language."""
    versions = [("", (edition.subject, edition.html, edition.text)), *sorted(bodies.items())]
    return [s for lang, (subject, html, text) in versions
            for s in email_surfaces(subject, html, text, frozen=True, lang=lang)]


def sent_hits(terms: ProtectedTerms, ledger: Ledger, edition: EditionRow) -> list[Hit]:
    """Terms in an edition as the public archive shows it (every language), checked once per
    edition for the current terms: what was sent never changes, the terms may grow."""
    if not terms.terms:
        return []
    return terms.remember(
        ("sent edition", edition.key, edition.content_sha256),
        lambda: check(terms, frozen_surfaces(edition, ledger.bodies(edition.key))),
    )


def frozen_hits(terms: ProtectedTerms, settings: Settings, edition: EditionRow,
                bodies: dict[str, tuple[str, str, str]]) -> list[Hit]:
    """Every term found in what this edition would send now."""
    return check(terms, [*frozen_surfaces(edition, bodies), *header_surfaces(settings)])


def post_surfaces(payload: dict[str, Any], text: str | None = None, platform: str = "") -> list[Surface]:
    """Everything a post would publish: its text (``text`` in place of the first part, as the
    dashboard's editor changes it), its link, its link card's title and description, its hashtags,
    its image's address and alt text."""
    title = payload.get("article_title", "")
    post = f"the {platform} post" if platform else "the post"
    name = f"{post} for {title!r}"
    parts = [str(p) for p in payload.get("parts", [])]
    if text is not None:
        parts = [text, *parts[1:]]
    return [
        *[(name, "text", part) for part in parts],
        (f"the link of {name}", "url", str(payload.get("url", ""))),
        (f"the link of {name}", "url", str(payload.get("link_text", ""))),
        (f"the link card of {name}", "text", str(payload.get("title", ""))),
        (f"the link card of {name}", "text", str(payload.get("description", ""))),
        (f"the hashtags of {name}", "text", " ".join(f"#{t}" for t in payload.get("hashtags", []))),
        # The image's address names its file (kim-chul-su.jpg); its alt text is read aloud.
        (f"the image file name of {name}", "url", str(payload.get("image", ""))),
        (f"the image alt text of {name}", "text", str(payload.get("image_alt", ""))),
    ]


def post_hits(terms: ProtectedTerms, payload: dict[str, Any]) -> list[Hit]:
    """Terms in everything a queued post would publish."""
    return check(terms, post_surfaces(payload))


def stop_if_protected(
    settings: Settings, ledger: Ledger, edition: EditionRow, *, record: bool = True
) -> None:
    """Raise ProtectedTermError (exit 3) when a current term is in the frozen edition, recording why
    on the edition (shown by `digest status`) and as an error event unless ``record`` is false (a
    run that does not hold the edition's lease). Nothing is sent."""
    terms = settings.protected_terms()
    hits = frozen_hits(terms, settings, edition, ledger.bodies(edition.key))
    if not hits:
        if record and edition.reason.startswith(STOPPED):
            ledger.set_status(edition.key, edition.status, "")
        return
    reason = f"{STOPPED}: {describe(hits)}"
    if record:
        ledger.set_status(edition.key, edition.status, reason)
        ledger.event("error", "protected", reason, edition.key)
    raise ProtectedTermError(
        f"{edition.key}: {reason}; nothing further was sent. If the term must stay, this edition "
        "cannot go out; if it was added by mistake, remove it from DIGEST_PROTECTED_TERMS_FILE "
        "and run digest send again"
    )
