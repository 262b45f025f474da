"""`digest deliveries`: list email deliveries that need a look, and settle them by hand."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from digest.cli import add_command
from digest.cli.context import Context

# Heavy modules are imported in the functions that use them, so `digest --help` starts fast.
if TYPE_CHECKING:
    from digest.deliver.resolve import Resolution
    from digest.store.ledger import DeliveryRow

STATUSES = ("unknown", "failed", "pending", "sending", "sent", "skipped", "all")

EXAMPLES = """\
  digest deliveries                                   unknown and failed deliveries of every edition
  digest deliveries --edition weekly:2026-W48 --status unknown
  digest deliveries resolve 12 15 --sent              you checked: they arrived
  digest deliveries resolve 12 --resend               you checked: it did not arrive; send it again
  digest deliveries retry-failed                      failed deliveries of this period's edition
"""

DESCRIPTION = """\
Deliveries whose outcome is unknown (a timeout or crash after the call went out)
are never resent by digest when the provider could send them twice. Check with
your provider (its log or activity page) or ask the recipient, then tell digest
what happened with `resolve --sent` or `resolve --resend`. The edition's status
is worked out again afterwards: sent once nothing is failed or unknown.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub, "deliveries", "list unknown and failed email deliveries; resolve them", EXAMPLES, DESCRIPTION,
        reads_sources=False, schedules=False,
    )
    p.add_argument("--edition", metavar="KEY", help="only this edition (e.g. weekly:2026-W48)")
    p.add_argument(
        "--status", choices=STATUSES, help="only deliveries in this status (default: unknown and failed)"
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=run_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    _register_resolve(actions)
    retry = add_command(
        actions,
        "retry-failed",
        "put failed deliveries back to be sent again (after fixing what made them fail)",
        "  digest deliveries retry-failed\n  digest deliveries retry-failed --edition weekly:2026-W48\n",
        "Failed deliveries (refused by the provider, or out of attempts) go back to pending with "
        "the same idempotency key; the next `digest send` or scheduler check sends them.",
        reads_sources=False,
    )
    retry.add_argument(
        "--edition", metavar="KEY", default=argparse.SUPPRESS, help="the edition (default: this period's)"
    )
    retry.add_argument("--note", default="", help="why, for the record (shown by digest status)")
    retry.set_defaults(func=run_retry)


def _register_resolve(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    r = add_command(
        actions,
        "resolve",
        "say what happened to unknown (or failed) deliveries, after checking",
        "  digest deliveries resolve 12 15 --sent --note 'in the provider log'\n"
        "  digest deliveries resolve 12 --resend\n",
        "--sent: you checked and they arrived; they count as sent. --resend: you checked and "
        "they did not arrive; they go back to pending with the same idempotency key and the next "
        "`digest send` or scheduler check sends them (this period's edition only).",
        reads_sources=False,
    )
    r.add_argument("ids", nargs="+", type=int, metavar="ID", help="delivery IDs from `digest deliveries`")
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--sent", action="store_true", help="they arrived: mark them sent")
    how.add_argument("--resend", action="store_true", help="they did not arrive: send them again")
    r.add_argument("--note", default="", help="how you checked, for the record (shown by digest status)")
    r.set_defaults(func=run_resolve)


# -- listing ------------------------------------------------------------------
def run_list(args: argparse.Namespace, ctx: Context) -> int:
    statuses: tuple[str, ...] = ("unknown", "failed")
    if args.status:
        statuses = () if args.status == "all" else (args.status,)
    from digest.store.quick import deliveries_on
    from digest.store.rows import EMAIL

    rows = deliveries_on(ctx.reader, EMAIL, args.edition, statuses)
    if args.json:
        print(json.dumps([_as_dict(r) for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        which = " or ".join(statuses) + " " if statuses else ""
        print(f"no {which}email deliveries" + (f" in {args.edition}" if args.edition else ""))
    for row in rows:
        print(_line(row))
        if row.last_error:
            print(f"      {row.last_error}")
    if rows:
        print(_hint(rows))
    for line in _event_lines(ctx, args.edition):
        print(line)
    return 0


def _event_lines(ctx: Context, edition: str | None) -> list[str]:
    """What the providers' webhooks said, per edition (addresses, not events: retries count once)."""
    from digest.store.quick import event_counts
    from digest.types import SHOWN_EVENTS

    counts = event_counts(ctx.reader, SHOWN_EVENTS, edition)
    if not counts:
        return []
    lines = ["provider events (addresses per edition):"]
    for key in sorted(counts, key=lambda k: (k == "", k)):
        n = counts[key]
        name = key or "(side emails)"
        said = f"{n['delivered']} delivered, {n['bounced']} bounced, {n['complained']} complained"
        lines.append(f"  {name:<20} {said}")
    return lines


def _who(row: DeliveryRow) -> str:
    from digest.store.rows import CAMPAIGN, recipients

    if row.target == CAMPAIGN:
        ref = f" {row.provider_id}" if row.provider_id else ""
        return f"campaign{ref} (the provider's own list)"

    people = recipients(row)
    if len(people) == 1:
        return people[0]
    shown = ", ".join(people[:3])
    return f"{row.target}, {len(people)} recipients: {shown}" + (" ..." if len(people) > 3 else "")


def _line(row: DeliveryRow) -> str:
    from digest.store.rows import EMAIL

    provider = row.channel.removeprefix(EMAIL)
    tries = f"{row.attempts} attempt" + ("" if row.attempts == 1 else "s")
    return f"#{row.id:<6} {row.edition_key:<18} {row.status:<8} {provider:<10} {_who(row)}  ({tries})"


def _hint(rows: list[DeliveryRow]) -> str:
    from digest.store.rows import people_by_status

    # Count people, not internal batches: one call to a provider may carry 1,000 recipients
    # (a campaign's row names none: the provider keeps the list).
    per_status = people_by_status(rows)
    out = ["recipients: " + ", ".join(f"{n} {status}" for status, n in sorted(per_status.items()))]
    if any(r.status == "unknown" for r in rows):
        out.append(
            "unknown: check with your provider, then `digest deliveries resolve ID... --sent` (it arrived) "
            "or `--resend` (it did not)"
        )
    if any(r.status == "failed" for r in rows):
        out.append("failed: fix the cause (see the error), then `digest deliveries retry-failed`")
    return "\n".join(out)


def _as_dict(row: DeliveryRow) -> dict[str, Any]:
    from digest.store.rows import EMAIL, recipients

    return {
        "id": row.id,
        "edition": row.edition_key,
        "status": row.status,
        "provider": row.channel.removeprefix(EMAIL),
        "target": row.target,
        "recipients": recipients(row),
        "attempts": row.attempts,
        "provider_id": row.provider_id,
        "last_error": row.last_error,
    }


# -- acting -------------------------------------------------------------------
def _report(done: Resolution) -> int:
    for line in done.lines():
        print(line)
    if any(s == "sending" for s in done.statuses.values()):
        print("they go out with the next `digest send` (or the scheduler's next check)")
    return 1 if done.skipped or not done.changed else 0


def run_resolve(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.resolve import resend, resolve_sent

    if args.sent:
        return _report(resolve_sent(ctx.engine, args.ids, args.note))
    return _report(resend(ctx.settings, ctx.engine, args.ids, now=ctx.now(), note=args.note))


def run_retry(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.resolve import retry_failed, this_period

    key, channel = this_period(ctx.settings, ctx.now())
    edition = getattr(args, "edition", None) or key
    if edition != key:
        print(
            f"skipped: {edition} is not this period's edition ({key}); digest send only sends the "
            "current edition"
        )
        return 1
    return _report(retry_failed(ctx.engine, edition=edition, channel=channel, note=args.note))
