"""`digest status`: editions, what was sent, failures and alerts."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from typing import Any

from digest.cli import add_command
from digest.cli.context import Context
from digest.deliver.resolve import EMAIL, SOCIAL, channel_counts
from digest.store.ledger import DeliveryRow


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "status",
        "show editions, deliveries, failures and alerts",
        "  digest status\n  digest status --json\n",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--limit", type=int, default=10, help="how many editions to show (default 10)")
    p.set_defaults(func=run)


def collect(ctx: Context, limit: int) -> dict[str, Any]:
    """Editions with their email deliveries (``deliveries``, ``errors``) and social posts
    (``social``, ``social_errors``) counted apart, events, alerts and the scheduler."""
    ledger = ctx.ledger
    editions = []
    for e in ledger.editions(limit):
        trouble = ledger.deliveries(e.key, statuses=("failed", "unknown"))
        editions.append(
            {
                "key": e.key,
                "status": e.status,
                "reason": e.reason,
                "slot_utc": e.slot_utc.isoformat(),
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
                "deliveries": channel_counts(ctx.engine, e.key, EMAIL),
                "errors": _errors(d for d in trouble if d.channel.startswith(EMAIL)),
                "social": channel_counts(ctx.engine, e.key, SOCIAL),
                "social_errors": _errors(d for d in trouble if d.channel.startswith(SOCIAL)),
            }
        )
    events = ledger.recent_events(limit)
    alerts = [ev for ev in events if ev["level"] in ("warning", "error")]
    from jobs.status import scheduler_status

    return {
        "editions": editions,
        "events": events,
        "alerts": alerts,
        "scheduler": scheduler_status(ctx.settings, ctx.engine, ctx.now()),
        "ok": not any(e["status"] in ("partial", "failed", "missed") for e in editions)
        and not any(ev["level"] == "error" and not _settled(ev, editions) for ev in events),
    }


# Errors about an edition's email that no longer matter once the edition is sent
# (its unknown deliveries settled or resolved, the login fixed).
SETTLED_KINDS = ("partial", "auth")


def _settled(event: dict[str, Any], editions: list[dict[str, Any]]) -> bool:
    sent = {e["key"] for e in editions if e["status"] == "sent"}
    return event["kind"] in SETTLED_KINDS and event["edition"] in sent


def run(args: argparse.Namespace, ctx: Context) -> int:
    data = collect(ctx, args.limit)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0 if data["ok"] else 1
    if not data["editions"]:
        print("No editions yet. Try: digest preview, then digest send")
    for e in data["editions"]:
        reason = f" ({e['reason']})" if e["reason"] else ""
        print(f"{e['key']:<20} {e['status']:<9}{reason}")
        print(f"    email deliveries: {_counts(e['deliveries'])}")
        for error in e["errors"]:
            print(f"      error: {error}")
        if e["deliveries"].get("unknown") or e["deliveries"].get("failed"):
            print(f"      see them and resolve them: digest deliveries --edition {e['key']}")
        if e["social"]:
            print(f"    social posts: {_counts(e['social'])}")
            for error in e["social_errors"]:
                print(f"      error: {error}")
    for alert in data["alerts"]:
        print(f"ALERT {alert['at']} {alert['kind']}: {alert['message']}")
    from jobs.status import lines

    print("\n".join(lines(data["scheduler"])))
    return 0 if data["ok"] else 1


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"


def _errors(rows: Iterable[DeliveryRow]) -> list[str]:
    """Up to five distinct last errors."""
    return sorted({d.last_error for d in rows if d.last_error})[:5]
