"""The scheduler's half of approval by email (DIGEST_APPROVAL=email).

Every look of the digest job (each slot, the 15-minute watchdog, `digest run --once`):

- :func:`prepare_next`: once the coming slot is DIGEST_APPROVAL_LEAD away, build and freeze its
  edition (the same build and checks as a send) and mail each approver the email, its posts and
  the pre-flight report; an edition frozen again after an edit has other bytes, so its approvers
  are asked again;
- :func:`gate`: at the slot, the edition goes out only when approved for the bytes frozen (or
  nobody answered and DIGEST_APPROVAL_SILENCE=send). Held or unanswered, nothing is sent; an
  approval given later, within DIGEST_MAX_LATENESS, is sent by the next look; after that the
  digest job marks the edition missed and alerts, as for any edition that did not go out.
"""

from __future__ import annotations

from datetime import datetime

from digest.compose.freeze import Frozen, build_and_freeze
from digest.config import Settings
from digest.deliver.approval import Draft, request_approvals
from digest.deliver.lease import holding
from digest.errors import DigestError, EditionBusy
from digest.jobs.alerts import Alert, raise_alert
from digest.providers.registry import rehearsal_channels
from digest.schedule import next_slots, period_key
from digest.store import Engine, watch
from digest.store import approvals as rows
from digest.store.ledger import EditionRow, Ledger


def prepare_next(settings: Settings, engine: Engine, now: datetime) -> None:
    """Freeze the coming slot's edition and ask the approvers, once it is within the lead."""
    upcoming = next_slots(settings.cadence, now, 1)
    if not upcoming or upcoming[0] - now > settings.approval_lead:
        return
    slot = upcoming[0]
    ask(settings, engine, period_key(settings.cadence, slot), slot, now)


def ask(settings: Settings, engine: Engine, key: str, slot: datetime, now: datetime) -> None:
    """Freeze edition ``key`` if it is not yet, then mail whoever was not asked about its bytes."""
    ledger = Ledger(engine)
    ledger.ensure_edition(key, slot)
    row = ledger.edition(key)
    draft = None
    if row is not None and row.status == "building":
        try:
            with holding(ledger, key):
                frozen = build_and_freeze(settings, engine, key=key, slot=slot, now=now,
                                          uncounted=rehearsal_channels(settings.provider))
        except EditionBusy:
            return  # another run is building it; the next look asks
        except DigestError as exc:
            message = f"{key} could not be prepared for approval: {exc}"
            alert = Alert(f"approval:{key}:{type(exc).__name__}", "approval", key, message)
            raise_alert(settings, engine, alert, now=now)
            return
        draft = _draft(settings, engine, key, frozen)
    row = ledger.edition(key)
    if row is None or row.status != "ready":
        return
    if draft is not None or _anyone_unasked(settings, engine, row):
        request_approvals(settings, engine, key, draft or _draft(settings, engine, key, None), now)


def _anyone_unasked(settings: Settings, engine: Engine, row: EditionRow) -> bool:
    """Whether an approver has not been asked about the edition's bytes (the draft is built only then)."""
    from email.utils import parseaddr

    asked = rows.asked(engine, row.key, row.content_sha256)
    return any(parseaddr(entry)[1].lower() not in asked for entry in settings.approvers)


def _draft(settings: Settings, engine: Engine, key: str, frozen: Frozen | None) -> Draft:
    """The posts and the pre-flight report of the edition (the link check included). The posts come
    from the edition just composed, or, when an earlier look froze it (a restart since, or an
    approver added), from its frozen articles and blurbs: the same the posts are queued from
    once it is sent. Only a just-frozen edition has the freeze's own findings."""
    from digest.preview import link_findings

    composed = frozen.composed if frozen is not None else None
    if composed is None and settings.social_platforms:
        from digest.social.queue import edition_from_ledger

        composed = edition_from_ledger(engine, key)
    posts = []
    if composed is not None and settings.social_platforms:
        from digest.social.compose import posts_for_edition

        posts = posts_for_edition(composed, settings)
    row = frozen.edition if frozen is not None else Ledger(engine).edition(key)
    found = frozen.reported if frozen is not None else []
    found = found + link_findings(settings, row.html if row is not None else "", posts)
    return Draft(posts=[(p.platform, p.text) for p in posts], reported=[f.line() for f in found])


def gate(settings: Settings, engine: Engine, key: str, slot: datetime, now: datetime) -> str:
    """'' when edition ``key`` may go out now; else why not (nothing is sent)."""
    ledger = Ledger(engine)
    row = ledger.edition(key)
    if row is not None and row.status not in ("building", "ready"):
        return ""  # already sending, sent or finished: the digest job knows what to do
    if row is None or row.status == "building":
        ask(settings, engine, key, slot, now)  # the lead passed unseen: freeze and ask now
        row = ledger.edition(key)
        if row is None or row.status != "ready":
            return "" if row is not None and row.status != "building" else f"{key} could not be frozen"
    state, decision = watch.state_of(engine, row)
    if state == watch.APPROVED:
        return ""
    if state == watch.HELD and decision is not None:
        return f"{key} is held by {decision.approver}; nothing is sent unless it is approved"
    if settings.approval_silence == "send":
        ledger.event("warning", "unapproved", f"{key} goes out unapproved (no answer; silence=send)", key)
        return ""
    message = (f"{key} was not approved by its slot; nothing is sent (DIGEST_APPROVAL_SILENCE=hold). "
               f"An approval within DIGEST_MAX_LATENESS ({settings.max_lateness_text}) still sends it")
    raise_alert(settings, engine, Alert(f"unapproved:{key}", "unapproved", key, message), now=now)
    return message
