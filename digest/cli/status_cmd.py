"""`digest status`: editions, what was sent, failures and alerts."""

from __future__ import annotations

import argparse
import json
from typing import Any

from digest.cli import add_command
from digest.cli.context import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "status",
        "show editions, deliveries, failures and alerts",
        "  digest status\n  digest status --json\n",
        reads_sources=False,
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--limit", type=int, default=10, help="how many editions to show (default 10)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.campaign_stats import stats_source
    from digest.status import collect

    provider = stats_source(ctx.settings)
    try:
        data = collect(ctx.settings, ctx.reader, ctx.now(), args.limit, provider)
    finally:
        if provider is not None:
            provider.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0 if data["ok"] else 1
    if not data["editions"]:
        print("No editions yet. Try: digest preview, then digest send")
    for e in data["editions"]:
        print("\n".join(_edition_lines(e)))
    for alert in data["alerts"]:
        if alert["resolved"]:
            print(f"resolved {alert['at']} {alert['kind']}: {alert['message']}")
        else:
            print(f"ALERT {alert['at']} {alert['kind']}: {alert['message']}")
    for source in data["sources"]:
        kind = f"; {source['error_kind']}: {source['error']}" if source["error_kind"] else ""
        print(f"source {source['source']}: {source['state']}; last good fetch {source['last_ok']}, "
              f"newest item first seen {source['last_new']}{kind}")
    from digest.scheduler_status import lines

    print("\n".join(lines(data["scheduler"])))
    return 0 if data["ok"] else 1


def _edition_lines(e: dict[str, Any]) -> list[str]:
    from digest.status import progress_line

    reason = f" ({e['reason']})" if e["reason"] else ""
    status = e["status"]
    if e.get("rehearsal"):  # went only to a provider that sends nothing: not a sent edition
        status = "rehearsal"
        reason = " (a provider that sends nothing: nobody was emailed; never in the archive)"
    # People, not internal batches: 1,000 recipients in one batch call count 1,000.
    lines = [f"{e['key']:<20} {status:<9}{reason}", f"    email recipients: {_counts(e['recipients'])}"]
    if e["approval"]:
        lines.append(f"    approval: {e['approval']}")
    if e["progress"] or e["paused"]:
        lines.append(f"    progress: {progress_line(e)}")
    lines += [f"      error: {error}" for error in e["errors"]]
    if e["possible_duplicates"]:
        shown = ", ".join(e["possible_duplicates"][:10])
        lines.append(f"      possible duplicates (sent again after a hard stop): {shown}")
    if e["deliveries"].get("unknown") or e["deliveries"].get("failed"):
        lines.append(f"      see them and resolve them: digest deliveries --edition {e['key']}")
    lines += [_campaign_line(c) for c in e["campaigns"]]
    if e["social"]:
        lines.append(f"    social posts: {_counts(e['social'])}")
        lines += [f"      error: {error}" for error in e["social_errors"]]
    return lines


def _campaign_line(c: dict[str, Any]) -> str:
    where = f"    campaign {c['campaign_id']} at {c['provider']}"
    if "warning" in c:
        return f"{where}: warning: {c['warning']}"
    delivered = f", {c['delivered']} delivered" if c["delivered"] is not None else ""
    return f"{where}: {c['sent']} sent, {c['bounced']} bounced{delivered}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"
