"""`digest run`: the scheduler daemon (APScheduler triggers; the ledger decides)."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context

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
    from digest.jobs.daemon import run_daemon, run_once
    from digest.jobs.runner import Runner
    from digest.logs import setup_logging

    settings = ctx.settings
    from digest.redact import secret_settings

    verbose = bool(getattr(args, "verbose", False))
    quiet = "warning" if args.once else ""  # --once prints each result on stdout itself
    secrets = secret_settings(settings)
    level = settings.log_level
    path = setup_logging(settings.data_dir, level, verbose=verbose, console=quiet, secrets=secrets)
    runner = Runner(settings, ctx.engine, mode="once" if args.once else "daemon")
    if not args.once:
        return run_daemon(runner, path)
    code, lines = run_once(runner)
    for line in lines:
        print(line)
    return code
