"""How `digest run` runs the jobs: once (for cron or a systemd timer) or as a daemon.

Both stop cleanly on SIGTERM/SIGINT: the call in progress finishes and the rest of
the edition goes out at the next start. A second signal exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from digest.stopping import stop_signals as signals_of_stop

if TYPE_CHECKING:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from digest.jobs.runner import Runner

log = logging.getLogger("digest.run")


def run_once(runner: Runner) -> tuple[int, list[str]]:
    """Do what is due now. Exit status 1 when the check found trouble or a job failed unexpectedly."""
    with stop_signals(runner.request_stop):
        result = runner.check("once")
        if runner.settings.social_schedule:
            runner.social()
        bounces = runner.bounces()
    runner.stopped()
    lines = [result.message] if result is not None else []
    lines += [bounces] if bounces and bounces != "stopping" else []
    lines += [f"alert: {failure}" for failure in runner.failures if failure not in lines]
    failed = bool(runner.failures) or (result is not None and result.trouble)
    return (1 if failed else 0), lines


def run_daemon(runner: Runner, log_path: Path | None = None) -> int:
    """Keep running the declared jobs until a stop signal."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from digest.jobs.runner import declare_jobs
    from digest.schedule import describe

    cadence = runner.settings.cadence
    log.info("digest run started: %s; logging to %s", describe(cadence), log_path)
    scheduler = BlockingScheduler(timezone=cadence.zone)
    declare_jobs(scheduler, runner, runner.settings)

    def stop() -> None:
        runner.request_stop()
        # shutdown(wait=True) waits for the running check; it must not run inside
        # the signal handler, which interrupts the scheduler's own main loop.
        threading.Thread(target=_shutdown, args=(scheduler,), daemon=True).start()

    with stop_signals(stop):
        scheduler.start()  # blocks until _shutdown has finished
    runner.stopped()
    log.info("digest run stopped")
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
def stop_signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """First SIGTERM/SIGINT: finish the call in progress, then stop. Second: stop now."""

    def first(signum: int) -> None:
        log.warning("%s received: finishing the call in progress, then stopping", signal.Signals(signum).name)
        on_stop()

    def second(_signum: int) -> None:
        log.warning("second stop signal: exiting now; the call in progress is settled by the next run")
        os._exit(1)

    with signals_of_stop(first, second):
        yield
