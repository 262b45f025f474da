"""The last check before anything irreversible: the current protected terms against the frozen bytes.

An edition is frozen once, but the terms file can grow afterwards (a run ended on
a 429, a post waited for approval). So the current terms are checked before every
dispatch of an email and every publish of a post (the file is read again whenever
its time or size changed: see :mod:`digest.terms_file`), and matched against exactly
what would go out: the frozen subject, text and HTML in every language, and the
header values (From, Reply-To, the unsubscribe address). A hit stops it; nothing
is marked sent or skipped, so removing the term (if it was a false alarm) lets the
next `digest send` carry on where it stopped.

It sits at the foundation, below the edition checks (which check the header settings
before freezing) and every send and publish, so each surface can reach it.
"""

from __future__ import annotations

from digest.config import Settings
from digest.errors import ProtectedTermError
from digest.protect import STOPPED, Hit, ProtectedTerms, describe, post_hits
from digest.store.ledger import EditionRow, Ledger

__all__ = ["STOPPED", "describe", "frozen_hits", "header_settings", "post_hits", "stop_if_protected"]


def header_settings(settings: Settings) -> list[tuple[str, str]]:
    """Settings that end up in every message's headers."""
    return [
        ("DIGEST_FROM", settings.sender),
        ("DIGEST_REPLY_TO", getattr(settings, "reply_to", "") or ""),
        ("DIGEST_UNSUBSCRIBE_URL", getattr(settings, "unsubscribe_url", "") or ""),
    ]


def frozen_hits(terms: ProtectedTerms, settings: Settings, edition: EditionRow,
                bodies: dict[str, tuple[str, str, str]]) -> list[Hit]:
    """Every term found in what this edition would send now."""
    if not terms.terms:
        return []
    hits: list[Hit] = []
    versions = [("", (edition.subject, edition.html, edition.text)), *sorted(bodies.items())]
    for lang, (subject, html, text) in versions:
        label = f" ({lang})" if lang else ""
        hits += terms.find(subject, where=f"the frozen subject{label}")
        hits += terms.find(text, where=f"the frozen text part{label}")
        hits += terms.find_in_html(html, where=f"the frozen HTML{label}")
    for key, value in header_settings(settings):
        hits += terms.find(value, where=f"setting {key}")
    return hits


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
