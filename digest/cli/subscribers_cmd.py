"""`digest subscribers`: the list we keep, which message-by-message providers send to."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from digest.cli import add_command
from digest.cli.context import Context
from digest.cli.subscriber_data import export, forget, spreadsheet_safe
from digest.errors import DigestError
from digest.types import SUPPRESSED

EXAMPLES = """\
  digest subscribers import supporters.csv    # columns: email, and optionally name, language (en, ko)
  digest subscribers import mailchimp.csv     # exports of Mailchimp, Buttondown or listmonk as they are
  digest subscribers import unsubscribed_members_export_1a2b.csv   # leavers are recorded as such
  digest subscribers count
  digest subscribers list --status active
  digest subscribers remove old@example.org
  digest subscribers export someone@example.org              # all we hold about one address, as JSON
  digest subscribers export --format csv > everyone.csv      # every address, one row per delivery/event
  digest subscribers forget someone@example.org              # erase it; only a keyed hash is kept
  digest subscribers unsubscribe TOKEN        # the token from an unsubscribe link (what a website passes on)
  digest subscribers unsubscribe --address someone@example.org   # staff only: by address
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "subscribers",
        "import, list, count and remove subscribers; record unsubscribes",
        EXAMPLES,
        description="Manage digest's own subscriber list. Addresses are checked and de-duplicated "
        "whatever their case; bad rows of an import are reported with their line numbers and skipped. "
        "A campaign provider (one that sends to a list it keeps; see digest config --all for "
        "DIGEST_PROVIDER) keeps its own list.",
        reads_sources=False,
        schedules=False,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="add the addresses of a CSV file or a Mailchimp, Buttondown or listmonk export, each with "
        "the status the file gives it (who left is recorded as such; columns and counts are printed)",
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument(
        "--resubscribe",
        action="store_true",
        help="send the sign-up confirmation email to addresses the file lists as subscribed that "
        "unsubscribed, bounced or complained here; they rejoin only by pressing its link (needs "
        "DIGEST_PUBLIC_URL and digest serve). Rows the file says left, and blocked addresses, get none",
    )
    lst = actions.add_parser("list", help="print the list as CSV")
    lst.add_argument(
        "--status",
        choices=("active", *SUPPRESSED),
        help="only this status (bounced, complained: a bounce or spam report; blocked: removed or "
        "blocklisted by the list's owner, as an import said)",
    )
    actions.add_parser("count", help="how many are subscribed, unsubscribed, bounced, complained and blocked")
    rem = actions.add_parser("remove", help="delete an address from the list")
    rem.add_argument("email")
    exp = actions.add_parser(
        "export",
        help="everything held about one address, or all (subscriber row, sign-up, deliveries, events)",
    )
    exp.add_argument("email", nargs="?", metavar="EMAIL", help="only this address (default: every address)")
    exp.add_argument("--format", choices=("json", "csv"), default="json")
    fgt = actions.add_parser(
        "forget",
        help="erase an address and its history; a keyed hash stops it being mailed or imported again",
    )
    fgt.add_argument("email")
    uns = actions.add_parser(
        "unsubscribe",
        help="record an unsubscribe: the signed token from the link, or (staff) --address EMAIL",
        description="With TOKEN (what a website behind DIGEST_UNSUBSCRIBE_URL passes on), only a token "
        "signed with DIGEST_SECRET_KEY works: an address in its place is refused, so nobody can "
        "unsubscribe someone else. Staff unsubscribe by address with --address; the answer is the "
        "same whether or not the address was on the list.",
    )
    which = uns.add_mutually_exclusive_group(required=True)
    which.add_argument("token", nargs="?", metavar="TOKEN")
    which.add_argument("--address", metavar="EMAIL", help="unsubscribe this address (an admin action)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action in ("list", "count"):  # reads only: no SQLAlchemy on a current SQLite database
        return _list(ctx, args.status) if args.action == "list" else _count(ctx)
    from digest import subscribers

    engine = ctx.engine
    if args.action == "import":
        from digest.unsubscribe import secret_key

        report = subscribers.import_csv(engine, args.file, secret_key(ctx.settings))
        print(report.mapping)
        if report.forgotten:
            skipped = f"{report.forgotten} forgotten address(es) skipped (digest subscribers forget)"
            print(skipped, file=sys.stderr)
        for line, why in report.problems:
            print(f"line {line}: skipped {why}", file=sys.stderr)
        print("\n".join(report.lines()))
        if args.resubscribe:
            from digest.deliver.confirm import ask_again
            from digest.serve.words import consent_line

            org = ctx.settings.org_name
            sent, waiting = ask_again(ctx.settings, engine, report.rows, lambda lang: consent_line(lang, org))
            print(f"{sent} confirmation email(s) sent to suppressed addresses, {waiting} not sent now")
        return 1 if report.problems else 0
    if args.action == "remove":
        if not subscribers.remove(engine, args.email.strip()):
            raise DigestError(f"{args.email} is not on the list; see digest subscribers list")
        print(f"removed {args.email.strip().lower()}")
        return 0
    if args.action in ("export", "forget"):
        return export(ctx, args.email, args.format) if args.action == "export" else forget(ctx, args.email)
    if args.address is not None:
        return _unsubscribe(ctx, args.address.strip().lower())
    return _unsubscribe(ctx, _address_of_token(ctx, (args.token or "").strip()))


def _list(ctx: Context, status: str | None) -> int:
    from digest.store.quick import subscriber_rows

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["email", "name", "language", "status"])
    for row in subscriber_rows(ctx.reader, status):
        out.writerow([spreadsheet_safe(str(value)) for value in row])
    return 0


def _count(ctx: Context) -> int:
    from digest.store.quick import subscriber_counts

    counts = subscriber_counts(ctx.reader)
    summary = f"{counts.get('active', 0)} subscribed, {counts.get('unsubscribed', 0)} unsubscribed"
    # Suppressed by a provider's event or an import; shown once there are any (never mailed again).
    suppressed = [f"{counts[k]} {k}" for k in SUPPRESSED[1:] if counts.get(k)]
    print(", ".join([summary, *suppressed]))
    return 0


def _address_of_token(ctx: Context, token: str) -> str:
    from digest.unsubscribe import UNSUBSCRIBE, day_of, open_link, secret_key

    if "@" in token:
        raise DigestError(
            "an unsubscribe needs the signed token from the link, not an address; "
            "staff can use digest subscribers unsubscribe --address EMAIL"
        )
    link = open_link(ctx.engine, secret_key(ctx.settings), UNSUBSCRIBE, token, day_of(ctx.now()))
    if link.expired:
        raise DigestError(
            "the unsubscribe link has expired; the person can use the link in a newer digest, "
            "or staff can use digest subscribers unsubscribe --address EMAIL"
        )
    if link.address is None:
        raise DigestError(
            "the unsubscribe token is not valid (altered, of a forgotten address, or signed with "
            "another DIGEST_SECRET_KEY)"
        )
    return link.address


def _unsubscribe(ctx: Context, address: str) -> int:
    """The same answer whether or not ``address`` was on the list, so the list cannot be probed."""
    from digest import subscribers

    subscribers.unsubscribe(ctx.engine, address)
    print(f"unsubscribed {address}; no further digests go to this address")
    return 0
