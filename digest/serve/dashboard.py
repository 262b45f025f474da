"""What the dashboard shows and does, apart from the web plumbing (see admin.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from digest.serve.charts import Bars, bars, line

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.store import Engine
    from digest.store.tallies import Listed

QUEUE = ["review", "pending", "failed"]
# What each queued state means to the volunteer reading the card.
STATE_TEXT = {
    "review": "waiting for your review",
    "pending": "approved, waiting to be published",
    "failed": "failed to publish",
}
DONE = {
    "approve": "approved, waiting to be published",
    "save": "saved; approve it when it reads right",
    "skip": "skipped: it will not be published",
}
WEEKS = 26


def overview(
    settings: Settings, engine: Engine, now: datetime, problems: dict[int, list[str]], drafts: dict[int, str]
) -> dict[str, Any]:
    from flask import session

    from digest.deliver.resolve import EMAIL
    from digest.serve.calendar import calendar
    from digest.status import collect, progress_line
    from digest.store.rows import UNFINISHED
    from digest.store.tallies import first_in_status

    status = collect(settings, engine, now, limit=8)
    for e in status["editions"]:
        e["progress_text"] = progress_line(e) if e["progress"] or e["paused"] else ""
        e["pausable"] = e["status"] in UNFINISHED
    return {
        "any_unfinished": any(e["pausable"] for e in status["editions"]),
        "next_run": (status["scheduler"].get("next_run") or {}).get("text", "not scheduled"),
        "schedule": status["scheduler"].get("schedule", ""),
        "editions": status["editions"],
        "calendar": calendar(settings, engine, now),
        "approval_on": settings.approval == "email",
        "delivery_chart": bars(
            "Email deliveries per edition", [(e["key"], _counts(e["deliveries"])) for e in status["editions"]]
        ),
        "events_chart": _events_chart(engine, [e["key"] for e in status["editions"]]),
        "growth_chart": line("Subscribers over time", _growth(engine, now)),
        "posts": _posts(settings, engine, problems, drafts),
        "unknown": [_unknown(r) for r in first_in_status(engine, "unknown", EMAIL, 200)],
        "withheld": _withheld(settings, engine),
        "alerts": status["scheduler"].get("alerts", []),
        "flash": session.pop("flash", ""),
        "post_flash": session.pop("post_flash", None),
    }


def _withheld(settings: Settings, engine: Engine) -> dict[str, str]:
    """Sent editions the public archive withholds now: edition key -> which term is where."""
    from digest.protect import describe
    from digest.serve.archive import sent_editions

    return {e.key: describe(hits) for e, hits in sent_editions(settings, engine) if hits}


def _counts(counts: dict[str, int]) -> dict[str, int]:
    return {k: counts.get(k, 0) for k in ("sent", "failed", "unknown")}


def _events_chart(engine: Engine, editions: list[str]) -> Bars | None:
    """What the providers' webhooks reported for the editions shown; empty when they reported nothing."""
    from digest.store.mail_events import edition_counts

    counts = edition_counts(engine)
    rows = [(key, counts[key]) for key in editions if key in counts]
    return bars("Provider events per edition", rows) if rows else None


def _growth(engine: Engine, now: datetime) -> list[tuple[str, int]]:
    """The running total at the end of every week since WEEKS ago, weeks without a sign-up included
    (the line stays flat across them instead of cutting straight from one sign-up to the next)."""
    from digest.store.dashboard import subscribers_by_week

    since = now - timedelta(weeks=WEEKS)
    total, weeks = subscribers_by_week(engine, since)
    added = {start.date(): n for start, n in weeks}
    monday = since.date() - timedelta(days=since.weekday())
    points = [(since.date().isoformat(), total)]
    while monday <= now.date():
        total += added.get(monday, 0)
        points.append((monday.isoformat(), total))
        monday += timedelta(weeks=1)
    return points


def _posts(
    settings: Settings, engine: Engine, problems: dict[int, list[str]], drafts: dict[int, str]
) -> list[dict[str, Any]]:
    from digest.serve.posts import check_post
    from digest.social.queue import listing
    from digest.store.ledger import Ledger
    from digest.summarise.origins import from_json

    out = []
    sources: dict[str, dict[str, str]] = {}
    for row in listing(engine, QUEUE):
        if row.edition_key not in sources:
            sources[row.edition_key] = Ledger(engine).frozen_sources(row.edition_key)
        data = row.data()
        platform = row.channel.removeprefix("social:")
        text = drafts.get(row.id, data["parts"][0])
        checked = check_post(settings, platform, text, data)
        out.append(
            {
                "id": row.id,
                "platform": platform,
                "status": row.status,
                "state": STATE_TEXT.get(row.status, row.status),
                "edition": row.edition_key,
                "title": data.get("article_title", ""),
                "text": text,
                "checked": checked,
                "problems": problems.get(row.id, []),
                "last_error": row.last_error,
                "sentences": from_json(sources[row.edition_key].get(row.target, "")),
            }
        )
    return out


def _unknown(row: Listed) -> dict[str, Any]:
    return {
        "id": row.id,
        "edition": row.edition_key,
        "channel": row.channel,
        "count": row.people or 1,
        "error": row.last_error,
    }


def done_message(post_id: int, action: str) -> str:
    """What the dashboard says after an action on a post went through."""
    return f"Post #{post_id} {DONE.get(action, 'done')}."


def count_draft(settings: Settings, engine: Engine, post_id: int, text: str) -> dict[str, Any] | None:
    """The counter for a draft of post ``post_id``: the same check a save makes (None: no such
    post). The browser shows this, so the page and the server never disagree."""
    from dataclasses import asdict

    from digest.serve.posts import check_post
    from digest.store.social import SocialStore

    row = SocialStore(engine).post(post_id)
    if row is None:
        return None
    text = text.replace("\r\n", "\n").strip()
    checked = check_post(settings, row.channel.removeprefix("social:"), text, row.data())
    too_long = checked.used > checked.limit
    return {**asdict(checked), "fits": not checked.errors, "too_long": too_long}


def act_on_post(settings: Settings, engine: Engine, post_id: int, action: str, text: str | None) -> list[str]:
    """Save, approve or skip one post; the problems that stopped it (empty when done)."""
    from digest.serve.posts import check_post, text_language
    from digest.social.queue import approve, skip
    from digest.store.dashboard import edit_post
    from digest.store.social import SocialStore

    row = SocialStore(engine).post(post_id)
    if row is None or action not in ("save", "approve", "skip"):
        return ["there is no such post, or no such action"]
    if action == "skip":
        return [] if skip(engine, [post_id]) else [f"post {post_id} is {row.status} and cannot be skipped"]
    if row.status != "review":
        return [f"post {post_id} is {row.status}; only posts waiting for review can be changed"]
    data = row.data()
    new_text = (text if text is not None else data["parts"][0]).replace("\r\n", "\n").strip()
    checked = check_post(settings, row.channel.removeprefix("social:"), new_text, data)
    if checked.errors:
        return checked.errors
    if new_text != data["parts"][0] and not edit_post(
        engine, post_id, new_text, text_language(settings, new_text)
    ):
        return [f"post {post_id} changed meanwhile; look again"]
    if action == "approve" and not approve(engine, [post_id]):
        return [f"post {post_id} changed meanwhile; look again"]
    return []


def pause_or_resume(settings: Settings, engine: Engine, action: str, key: str | None) -> str:
    """The same rules as `digest pause` / `digest resume` (without waiting); one line saying what happened."""
    from digest import clock
    from digest.deliver.pause import pause_edition, resume_edition
    from digest.errors import DigestError

    by = "from the dashboard"
    try:
        if action == "pause":
            return pause_edition(settings, engine, clock.now(), key, by).message
        return resume_edition(engine, key, by).message
    except DigestError as exc:
        return str(exc)


def resolve_deliveries(settings: Settings, engine: Engine, ids: list[int], action: str) -> str:
    """The same rules as `digest deliveries resolve --sent | --resend`; one line saying what happened."""
    from datetime import UTC
    from datetime import datetime as dt

    from digest.deliver.resolve import resend, resolve_sent

    if action == "sent":
        done = resolve_sent(engine, ids, "from the dashboard")
    else:
        done = resend(settings, engine, ids, now=dt.now(UTC), note="from the dashboard")
    return "; ".join(done.lines())


def edition_page(settings: Settings, engine: Engine, key: str, now: datetime) -> dict[str, Any] | None:
    """The edition page: its receipt now (:mod:`digest.deliver.receipt`) and the sources' health."""
    from digest.deliver.receipt import build_receipt, receipt_idem
    from digest.status import source_lines
    from digest.store.receipts import side_mail_made

    receipt = build_receipt(settings, engine, key, now)
    if receipt is None:
        return None
    sent = side_mail_made(engine, receipt_idem(key))
    return {"r": receipt, "sources": source_lines(engine, settings.sources), "receipt_sent": sent}
