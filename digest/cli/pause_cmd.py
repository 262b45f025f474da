"""`digest pause` and `digest resume`: hold an edition's send, and let it go on."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context, who

STOP_WAIT = 90.0  # seconds to wait for the calls in flight (an SMTP or HTTP time-out is 30 s)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "pause",
        "stop a send in progress at its next safe point and keep the edition paused",
        "  digest pause                      # the edition being sent (or this period's)\n"
        "  digest pause weekly:2027-W01\n"
        "  digest pause --no-wait            # do not wait for the send to stop\n",
        description="Pause an edition: a send in progress (here, in digest run, or on another "
        "instance sharing the database) stops between two messages within seconds, and neither "
        "digest send nor the schedule continues it until digest resume. Nobody is missed or sent "
        "twice across a pause. Without EDITION: the edition being sent, else this period's.",
    )
    p.add_argument("edition", nargs="?", metavar="EDITION", help="its key (digest status lists them)")
    p.add_argument("--no-wait", action="store_true", help="return at once, not when the send has stopped")
    p.set_defaults(func=run_pause)
    r = add_command(
        sub,
        "resume",
        "let a paused edition be sent again (by digest send or the schedule)",
        "  digest resume                     # the paused edition\n"
        "  digest resume weekly:2027-W01 && digest send\n",
        description="Lift the pause of an edition. The next digest send, or the schedule's next "
        "check, sends the rest of it; nobody gets it twice.",
    )
    r.add_argument("edition", nargs="?", metavar="EDITION", help="the edition's key; default: the paused one")
    r.set_defaults(func=run_resume)


def run_pause(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.pace import sent_of
    from digest.deliver.pause import pause_edition, wait_until_stopped

    outcome = pause_edition(ctx.settings, ctx.engine, ctx.now(), args.edition, by=who())
    print(outcome.message)
    if args.no_wait:
        return 0
    if not wait_until_stopped(ctx.engine, outcome.key, STOP_WAIT):
        print(f"the send of {outcome.key} has not stopped yet: its calls in flight are still waiting "
              "for an answer; digest status shows when it has")
        return 1
    sent, total = sent_of(ctx.engine, outcome.key)
    so_far = f": {sent} of {total} recipients sent" if total else ""
    print(f"no send of {outcome.key} is running now{so_far}")
    return 0


def run_resume(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.pause import resume_edition

    print(resume_edition(ctx.engine, args.edition, by=who()).message)
    return 0

