"""Approval of an edition by email (DIGEST_APPROVAL=email): the request each approver gets, and
the decision an Approve or Hold link (or the dashboard) records.

A request carries an opaque random token (only its SHA-256 is stored) in two links,
``{DIGEST_PUBLIC_URL}/approval/<token>?do=approve`` and ``...?do=hold``. Opening a link shows a
page and changes nothing (mail scanners open every link); the page's button POSTs. A token is
spent by its first decision, and is bound to the content hash of the edition it was mailed for:
an edition frozen again (an edit) has other bytes, so older tokens decide nothing and its
approvers get a new request. Every decision is an event in the ledger, with who and when.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from digest.config import Settings
from digest.errors import DigestError, ProviderError
from digest.links import campaign_slug
from digest.store import Engine, watch
from digest.store import approvals as rows
from digest.store.ledger import EditionRow, Ledger
from digest.store.rows import OPEN
from digest.types import Recipient

log = logging.getLogger("digest.approval")

DECISIONS = ("approve", "hold")


@dataclass(frozen=True)
class Draft:
    """What approvers see besides the frozen email: its posts and what the pre-flight reported."""

    posts: list[tuple[str, str]] = field(default_factory=list)  # (platform, text)
    reported: list[str] = field(default_factory=list)


if TYPE_CHECKING:
    from digest.deliver.side_email import SideEmail


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_approvals(settings: Settings, engine: Engine, key: str, draft: Draft, now: datetime) -> list[str]:
    """Mail every approver not yet asked about the edition's current bytes; the addresses mailed."""
    # The side-email path brings the templates: imported here, not by status and the dashboard.
    from digest.deliver.side_email import send_side_email

    row = Ledger(engine).edition(key)
    if row is None or row.status != "ready":
        return []
    already = rows.asked(engine, key, row.content_sha256)
    mailed = []
    sources = blurb_sources(engine, key)  # where each sentence came from, beside it
    for entry in settings.approvers:
        name, address = parseaddr(entry)
        if address.lower() in already:
            continue
        token = secrets.token_urlsafe(32)
        rows.add_request(engine, token_hash(token), key, row.content_sha256, address, now)
        try:
            mail = _mail(settings, row, draft, Recipient(address, name), token, sources)
            send_side_email(settings, engine, mail, now)
        except (DigestError, OSError) as exc:
            if not (isinstance(exc, ProviderError) and exc.outcome_unknown):
                rows.drop_request(engine, token_hash(token))  # the next look mails a new one
            log.error("could not email the approval request for %s to %s: %s", key, address, exc)
            continue
        mailed.append(address)
    if mailed:
        Ledger(engine).event("info", "approval-requested", f"approval asked of {', '.join(mailed)}", key)
    return mailed


def blurb_sources(engine: Engine, key: str) -> list[dict[str, Any]]:
    """Each article of frozen edition ``key`` whose blurb sentences' sources were kept, in the
    email's order: ``{"title", "sentences": [{"text", "source"}]}``, as the ledger keeps them (a
    paragraph naming a protected term withheld). A sentence's ``source`` gets ``"all_words"`` when
    every word of a written sentence is in its supporting sentences (the faithfulness check's
    verdict, to be said in the approver's language)."""
    from digest.summarise.origins import SUPPORTED, from_json

    ledger = Ledger(engine)
    kept = ledger.frozen_sources(key)
    out = []
    for ident, _blurb, title, *_rest in ledger.frozen_articles(key):
        sentences = from_json(kept.get(ident, ""))
        for sentence in sentences:
            if isinstance(sentence.get("source"), dict) and sentence["source"].get("verdict"):
                sentence["source"]["all_words"] = sentence["source"]["verdict"] == SUPPORTED
        if sentences:
            out.append({"title": title, "sentences": sentences})
    return out


def _mail(settings: Settings, row: EditionRow, draft: Draft, to: Recipient, token: str,
          sources: list[dict[str, Any]]) -> SideEmail:
    from digest.deliver.side_email import SideEmail

    link = f"{settings.public_url}/approval/{token}"
    sha = row.content_sha256
    context: dict[str, Any] = {
        "edition_key": row.key,
        "edition_subject": row.subject,
        "slot": f"{row.slot_utc.astimezone(settings.cadence.zone):%Y-%m-%d %H:%M} ({settings.timezone})",
        "approve_url": f"{link}?do=approve",
        "hold_url": f"{link}?do=hold",
        "silence": settings.approval_silence,
        "reported": draft.reported,
        "posts": draft.posts,
        "sources": sources,
        "digest_html": frozen_body(row.html, settings.site_url),
        "digest_text": row.text,
    }
    return SideEmail(
        kind="approval", to=to, language=settings.language, context=context,
        key=f"approval-{campaign_slug(row.key)}-{sha[:12]}-{secrets.token_hex(4)}",
        idem_key=hashlib.sha256(f"approval|{row.key}|{sha}|{to.email.lower()}".encode()).hexdigest()[:40],
    )


def frozen_body(html: str, site_url: str) -> Any:
    """The frozen email's body, its unsubscribe links inert, to show inside the request."""
    import lxml.html
    from markupsafe import Markup

    from digest.render.email import personalise

    inert = f"{site_url}/unsubscribe/preview-only"
    filled = personalise(html, unsubscribe_url=inert, manage_url=inert, is_html=True)
    try:
        body = lxml.html.document_fromstring(filled).find("body")
    except ValueError:
        return Markup("")
    if body is None:
        return Markup("")
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
    return Markup(inner)  # noqa: S704 (our own renderer's frozen output, escaped when it was rendered)


@dataclass(frozen=True)
class Look:
    """What an approval link stands for now: ``situation`` is open (a decision can be made), used,
    changed (the edition has other bytes now), finished (sent, missed...) or unknown."""

    situation: str
    request: watch.Request | None = None
    edition: EditionRow | None = None
    acted: bool = False  # this call made the decision


def look(engine: Engine, token: str) -> Look:
    request = rows.find(engine, token_hash(token)) if 20 <= len(token) <= 100 else None
    if request is None:
        return Look("unknown")
    edition = Ledger(engine).edition(request.edition_key)
    if edition is None or edition.status not in OPEN:
        return Look("finished", request, edition)
    if request.decision:
        return Look("used", request, edition)
    if edition.content_sha256 != request.content_sha256:
        return Look("changed", request, edition)
    return Look("open", request, edition)


def decide(engine: Engine, token: str, decision: str, now: datetime) -> Look:
    """Record ``decision`` (approve or hold) with the token, once; what the link stands for after."""
    found = look(engine, token)
    if found.situation != "open" or decision not in DECISIONS or found.request is None:
        return found
    if not rows.use(engine, token_hash(token), decision, now):
        return look(engine, token)  # another click got there first
    _logged(engine, found.request.edition_key, decision, found.request.approver)
    after = look(engine, token)
    return Look(after.situation, after.request, after.edition, acted=True)


def decide_on_dashboard(engine: Engine, key: str, decision: str, who: str, now: datetime) -> str:
    """An approver's decision from the dashboard for the edition's current bytes; '' or why not."""
    edition = Ledger(engine).edition(key)
    if edition is None or edition.status != "ready" or decision not in DECISIONS:
        return f"{key} cannot be approved or held now (it is {edition.status if edition else 'unknown'})"
    rows.record(engine, key, edition.content_sha256, who, decision, now)
    _logged(engine, key, decision, who)
    return ""


def rebuild(engine: Engine, key: str, who: str = "the dashboard") -> str:
    """Unfreeze edition ``key`` to be built again (an edit); '' or why not."""
    if not rows.reopen(engine, key):
        return f"{key} cannot be built again: only a frozen edition nothing of which went out can"
    Ledger(engine).event("info", "rebuild", f"{key} unfrozen by {who} to be built again", key)
    return ""


def _logged(engine: Engine, key: str, decision: str, who: str) -> None:
    done = "approved" if decision == "approve" else "held"
    Ledger(engine).event("info", done, f"{key} {done} by {who}", key)
