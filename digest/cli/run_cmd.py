"""`digest run`: the scheduler daemon (APScheduler triggers; the ledger decides)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from digest.cli import add_command
from digest.cli.context import Context

if TYPE_CHECKING:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from digest.jobs.runner import Runner

log = logging.getLogger("digest.run")

EXAMPLES = """\
  digest run                 keep running; send each edition on DIGEST_SCHEDULE
  digest run --once          do whatever is due now, then exit (for cron or a systemd timer)
  digest -v run              log every check, including APScheduler's own lines

At start and every 15 minutes digest looks at the last scheduled time: an edition
not yet sent goes out if it is no later than DIGEST_MAX_LATENESS, else it is
skipped with an alert. Stop with Ctrl-C or SIGTERM: the call in progress finishes,
the rest of the edition is sent at the next start.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(sub, "run", "keep running and send each edition on schedule", EXAMPLES)
    p.add_argument("--once", action="store_true", help="do whatever is due now, then exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from digest.jobs.runner import Runner
    from digest.logs import setup_logging
    from digest.schedule import describe, parse_cadence

    settings = ctx.settings
    path = setup_logging(settings.data_dir, settings.log_level, verbose=bool(getattr(args, "verbose", False)))
    runner = Runner(settings, ctx.engine, mode="once" if args.once else "daemon")
    cadence = parse_cadence(settings.schedule, settings.timezone)
    if args.once:
        with _signals(runner.request_stop):
            result = runner.check("once")
            if settings.social_schedule:
                runner.social()
        runner.stopped()
        if result is None:
            return 0
        print(result.message)
        return 1 if result.trouble else 0
    log.info("digest run started: %s; logging to %s", describe(cadence), path)
    code = _daemon(runner)
    runner.stopped()
    log.info("digest run stopped")
    return code


def _daemon(runner: Runner) -> int:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from digest.jobs.runner import declare_jobs
    from digest.schedule import parse_cadence

    cadence = parse_cadence(runner.settings.schedule, runner.settings.timezone)
    scheduler = BlockingScheduler(timezone=cadence.zone)
    declare_jobs(scheduler, runner, runner.settings)

    def stop() -> None:
        runner.request_stop()
        # shutdown(wait=True) waits for the running check; it must not run inside
        # the signal handler, which interrupts the scheduler's own main loop.
        threading.Thread(target=_shutdown, args=(scheduler,), daemon=True).start()

    with _signals(stop):
        scheduler.start()  # blocks until _shutdown has finished
    return 0


def _shutdown(scheduler: BlockingScheduler) -> None:
    from apscheduler.schedulers import SchedulerNotRunningError

    for _ in range(600):  # a signal that came before start() finished waits for it
        try:
            scheduler.shutdown(wait=True)
            return
        except SchedulerNotRunningError:
            time.sleep(0.05)


@contextmanager
def _signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """First SIGTERM/SIGINT: finish the call in progress, then stop. Second: stop now."""
    asked: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        if asked:
            log.warning("second stop signal: exiting now; the call in progress will show as unknown")
            os._exit(1)
        asked.append(signum)
        log.warning("%s received: finishing the call in progress, then stopping", signal.Signals(signum).name)
        on_stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
