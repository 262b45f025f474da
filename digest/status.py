"""What `digest status` reports: editions, their deliveries counted per channel kind, events,
alerts and the scheduler, plus whether all is well (the command's exit status). Given a
campaign provider, each edition also carries its campaigns' sent and bounce counts as the
provider reports them (``campaigns``; a failed read is a ``warning`` there, never an error)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from digest.config import Settings
from digest.deliver.campaign_stats import campaign_stats
from digest.deliver.counts import people_of
from digest.deliver.pace import progress_of, sent_of
from digest.providers.registry import provider_class, rehearsal_among
from digest.scheduler_status import scheduler_status
from digest.store import overview, watch
from digest.store.quick import Reads, reader_of
from digest.store.rows import EMAIL, OPEN, RESOLVABLE, SOCIAL, UNFINISHED, EditionRow, recipients

if TYPE_CHECKING:
    from digest.providers.base import Provider

# Errors about an edition's email that no longer matter once the edition is sent
# (its unknown deliveries settled or resolved, the login fixed, the failed send retried).
SETTLED_KINDS = ("partial", "auth", "unknown", "send-failed", "failed", "protected")


def collect(
    settings: Settings, source: Reads, now: datetime, limit: int, provider: Provider | None = None
) -> dict[str, Any]:
    """Editions with their email deliveries (``deliveries``, ``errors``) and social posts
    (``social``, ``social_errors``) counted apart, events, alerts and the scheduler.

    ``provider``: read the campaigns' statistics from it (network calls; `digest status` only).
    ``source``: an engine, or a reader (`digest status` reads SQLite without SQLAlchemy).
    """
    source = reader_of(source)
    rows = overview.edition_rows(source, limit)
    keys = [e.key for e in rows]
    # Only the providers these editions went to are looked up (importing each module costs start-up).
    channels = {channel for key in keys for channel in overview.channels_of(source, key)}
    rehearsed = overview.rehearsed(source, rehearsal_among(channels), keys)
    editions = [{**_edition(source, e), "rehearsal": e.key in rehearsed} for e in rows]
    _add_progress(source, settings, editions)
    campaigns = campaign_stats(source, provider, [e["key"] for e in editions]) if provider else {}
    for edition in editions:
        edition["campaigns"] = campaigns.get(edition["key"], [])
    events = overview.recent_events(source, limit)
    states = watch.alert_resolutions(source)
    for ev in events:
        ev["resolved"] = _settled(ev, editions, states)
    alerts = [ev for ev in events if ev["level"] in ("warning", "error")]
    return {
        "editions": editions,
        "events": events,
        "alerts": alerts,
        "scheduler": scheduler_status(settings.cadence, source, now),
        "sources": source_lines(source, settings.sources),
        "ok": not any(e["status"] in ("partial", "failed", "missed") for e in editions)
        and not any(ev["level"] == "error" and not ev["resolved"] for ev in events),
    }


def _edition(source: Reads, e: EditionRow) -> dict[str, Any]:
    counted = overview.tallies(source, e.key)  # a few rows the database keeps: the history is never read
    doubtful = sum(t.doubtful for t in counted if t.channel.startswith(EMAIL))
    return {
        "key": e.key,
        "status": e.status,
        "reason": e.reason,
        "approval": describe_approval(source, e),  # '' unless it was asked for
        "slot_utc": e.slot_utc.isoformat(),
        "sent_at": e.sent_at.isoformat() if e.sent_at else None,
        "deliveries": overview.calls_by_status(counted, EMAIL),
        "recipients": people_of(source, e.key, counted),
        "errors": overview.last_errors(source, e.key, RESOLVABLE, EMAIL),
        "social": overview.calls_by_status(counted, SOCIAL),
        "social_errors": overview.last_errors(source, e.key, RESOLVABLE, SOCIAL),
        # Sent again once after a crash left them handed over without an answer (read only when some were).
        "possible_duplicates": [
            a
            for d in (overview.doubtful(source, e.key, EMAIL) if doubtful else [])
            for a in recipients(d) or [d.target]
        ],
    }


def describe_approval(source: Reads, edition: EditionRow) -> str:
    """'approved by ...', 'held by ...' or 'waiting for approval (asked of ...)' for an edition
    approvers were asked about (its current bytes); '' for any other."""
    made = watch.decisions(source, edition.key)
    if not made or edition.status not in OPEN or not edition.content_sha256:
        return ""
    state, decision = watch.state_of(source, edition)
    if decision is not None:
        return f"{state} by {decision.approver}"
    asked = sorted({r.approver for r in made if r.content_sha256 == edition.content_sha256})
    return f"waiting for approval (asked of {', '.join(asked)})" if asked else ""


def _add_progress(source: Reads, settings: Settings, editions: list[dict[str, Any]]) -> None:
    """An edition not yet out: who paused it, recipients sent of all, when the rest should go."""
    pauses = overview.pauses(source, [e["key"] for e in editions])
    channel = provider_class(settings.provider).channel()
    for e in editions:
        pause = pauses.get(e["key"])
        e["paused"] = {"by": pause.by, "at": pause.at.isoformat()} if pause else None
        e["progress"] = None
        if e["status"] not in UNFINISHED:
            continue
        sent, total = sent_of(source, e["key"])
        where = progress_of(source, settings.caps, e["key"], channel, sent, total)
        e["progress"] = {
            "sent": sent,
            "total": total,
            "resume_at": _iso(where.outlook.resume_at),
            "finish_at": None if pause else _iso(where.outlook.finish_at),
            "held_by": where.outlook.holding,
        }


def progress_line(e: dict[str, Any]) -> str:
    """'30 of 50 sent; the rest from 11:00 UTC (DIGEST_SEND_MAX_PER_HOUR); all by about 11:00 UTC'."""
    p, paused = e["progress"] or {}, e["paused"]
    parts = [f"{p['sent']} of {p['total']} recipients sent"] if p else []
    if paused:
        parts.append(f"paused {paused['by']} at {_short(paused['at'])}; digest resume lets it go on")
    elif p.get("resume_at"):
        parts.append(f"the rest from {_short(p['resume_at'])} ({p['held_by'] or 'the caps'})")
    if p.get("finish_at") and not paused:
        parts.append(f"all by about {_short(p['finish_at'])}")
    return "; ".join(parts)


def _short(iso: str) -> str:
    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC"


def _iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat() if at is not None else None


def source_lines(source: Reads, sources: list[str]) -> list[dict[str, Any]]:
    """Each configured source's health as the last runs that built an edition found it: the
    last good fetch, when its newest item was first seen, and the failure in progress."""
    return [
        {
            "source": h.source,
            "state": f"failing ({h.failures} run(s) in a row)" if h.failures else "ok",
            "last_ok": _day(h.last_ok_at),
            "last_new": _day(h.last_new_at),
            "error_kind": h.error_kind,
            "error": h.error,
        }
        for h in watch.health(source, sources)
    ]


def _day(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at else "never"


def _settled(
    event: dict[str, Any], editions: list[dict[str, Any]], states: dict[tuple[str, str, str], bool]
) -> bool:
    """Whether an event's trouble is over: its edition went out after all, or the alert it
    recorded has been resolved (digest.jobs.alerts.resolve). An alert records its event with its
    own message, so each source's alert closes when that source recovers, whatever the others do;
    an event no alert wrote word for word is settled when every alert of its kind and edition is."""
    sent = {e["key"] for e in editions if e["status"] == "sent"}
    if event["kind"] in SETTLED_KINDS and event["edition"] in sent:
        return True
    own = states.get((event["kind"], event["edition"], event["message"]))
    if own is not None:
        return own
    alike = [
        done
        for (kind, edition, _m), done in states.items()
        if (kind, edition) == (event["kind"], event["edition"])
    ]
    return bool(alike) and all(alike)

