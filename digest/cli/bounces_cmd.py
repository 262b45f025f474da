"""`digest bounces`: read the bounce mailbox now, or show what saved reports say."""

from __future__ import annotations

import argparse
from pathlib import Path

from digest.cli import add_command
from digest.cli.context import Context

EXAMPLES = """\
  digest bounces check                  read DIGEST_BOUNCE_MAILBOX now (digest run does it every 15 minutes)
  digest bounces read returned.eml      what a saved bounce or complaint report says; changes nothing
"""

DESCRIPTION = """\
With your own SMTP server (DIGEST_PROVIDER=smtp), a bounce that comes after the send
(a delivery status notification) or a complaint report arrives by mail, addressed to
DIGEST_BOUNCE_ADDRESS. digest reads DIGEST_BOUNCE_MAILBOX, records what each report
says with the same rules as the providers' webhooks (a hard bounce or a complaint
suppresses the address; three soft bounces in a row on separate editions do), and
moves each report it dealt with out of the way. Other mail is left as it was.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(sub, "bounces", "late bounces and complaint reports of your own SMTP server", EXAMPLES,
                    DESCRIPTION)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = add_command(
        actions,
        "check",
        "read the bounce mailbox now and record what its reports say",
        "  digest bounces check\n",
        "Reads DIGEST_BOUNCE_MAILBOX once: each bounce or complaint report about a message digest "
        "sent is recorded and moved to the folder digest-processed (deleted over POP3); other "
        "messages are left alone and counted. Exit 1 when the mailbox cannot be read.",
    )
    check.set_defaults(func=run_check)
    read = add_command(
        actions,
        "read",
        "show what saved bounce or complaint reports say, changing nothing",
        "  digest bounces read returned.eml\n  digest bounces read ~/Maildir/new/*\n",
        "Reads each file as one message (.eml) and prints, per recipient it reports, what digest "
        "would record: a hard or soft bounce, a complaint, or a refusal about the sender.",
    )
    read.add_argument("files", nargs="+", type=Path, metavar="FILE", help="messages saved as files")
    read.set_defaults(func=run_read)


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.bounces import check_bounces, require

    found = check_bounces(require(ctx.settings), ctx.engine)
    print(found.summary())
    for address, status in sorted(found.suppressed.items()):
        print(f"  {address}: {status}")
    return 0


def run_read(args: argparse.Namespace, ctx: Context) -> int:
    from digest.bounce_codes import classify
    from digest.dsn import read_report

    code = 0
    for path in args.files:
        try:
            report = read_report(path.read_bytes())
        except OSError as exc:
            print(f"{path}: cannot read it ({exc.strerror})")
            code = 1
            continue
        if report is None:
            print(f"{path}: not a bounce or complaint report; digest leaves such mail alone")
            continue
        kind = f"{report.kind} report" + (f" ({report.feedback_type})" if report.feedback_type else "")
        print(f"{path}: {kind}")
        for f in report.failures:
            verdict = classify(f.code, f.diagnostic, f.status)
            if f.action == "complained":
                said = "complaint: suppressed as complained"
            elif not verdict.about_address:
                said = "refusal about the sender or the message: the address stays subscribed"
            else:
                said = "hard bounce: suppressed" if verdict.hard else "soft bounce: three in a row suppress"
            status = verdict.status or f.status
            print(f"  {f.address or '(address not given)'}: {status + ' ' if status else ''}{said}")
        if not report.failures:
            print("  no failed recipient (a delay warning or a report without a failure): nothing to record")
    return code
