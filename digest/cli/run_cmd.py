"""`digest run`: the scheduler daemon (APScheduler triggers; the ledger decides)."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "run",
        "keep running and send each edition on schedule",
        "  digest run\n  digest run --once      # for cron or systemd timers\n",
    )
    p.add_argument("--once", action="store_true", help="do whatever is due now, then exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from digest.schedule import parse_cadence
    from jobs.digest_job import send_due

    settings = ctx.settings
    if args.once:
        report = send_due(settings)
        print(report.message)
        return 0
    cadence = parse_cadence(settings.schedule, settings.timezone)
    scheduler = BlockingScheduler(timezone=cadence.zone)
    scheduler.add_job(
        send_due,
        cadence.trigger,
        args=[settings],
        id="digest",
        misfire_grace_time=None,
        coalesce=True,
        max_instances=1,
    )
    print(
        f"digest run: next edition at {scheduler.get_jobs()[0].trigger.get_next_fire_time(None, ctx.now())}"
    )
    scheduler.start()
    return 0
