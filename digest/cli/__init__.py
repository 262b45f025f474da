"""The `digest` command line.

Each subcommand lives in its own module with ``register(subparsers)`` and a
``run(args, ctx) -> int``; add a module to ``COMMANDS`` to add a command.
Errors from the exception tree print as one line and exit with their status;
no traceback unless --debug.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import logging
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from digest import __version__
from digest.cli.context import Context
from digest.errors import DigestError

COMMANDS = [
    "digest.cli.sources_cmd",
    "digest.cli.preview_cmd",
    "digest.cli.send_cmd",
    "digest.cli.pause_cmd",
    "digest.cli.status_cmd",
    "digest.cli.deliveries_cmd",
    "digest.cli.bounces_cmd",
    "digest.cli.doctor_cmd",
    "digest.cli.subscribers_cmd",
    "digest.cli.run_cmd",
    "digest.cli.schedule_cmd",
    "digest.cli.config_cmd",
    "digest.cli.social_cmd",
    "digest.cli.summarise_cmd",
    "digest.cli.serve_cmd",
    "digest.cli.users_cmd",
]

DESCRIPTION = """\
digest turns your articles and feeds into one weekly email and matching social
posts, previews them locally, and sends them on schedule: never twice, never
silently skipped. Settings come from .env (see .env.example).
"""

EPILOG = """\
examples:
  digest sources              what the next edition would contain
  digest preview --out preview
  digest send                 send this period's edition (once)
  digest status --json
  digest run                  keep running and send on schedule
"""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. Given the arguments, only the command they name is added when its module
    (``digest.cli.<command>_cmd``) adds it: each module imports what its command needs, so a
    command does not load all the others (issue 24). Everything else (no command, --help, a
    name no module has) gets every command, as the help and argparse's errors list them."""
    parser = argparse.ArgumentParser(
        prog="digest",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("--env-file", metavar="PATH", help="read settings from PATH instead of ./.env")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    command = _command_named(argv) if argv is not None else None
    module = f"digest.cli.{command}_cmd"
    if command is not None and module in COMMANDS:
        import_module(module).register(sub)
        return parser if command in sub.choices else build_parser()
    for name in COMMANDS:
        import_module(name).register(sub)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The first argument that is not an option of `digest` itself (nor --env-file's value),
    reading options as argparse does (a long option may be shortened: --env for --env-file)."""
    takes_value = False
    for arg in argv:
        if takes_value:
            takes_value = False
        elif arg == "--":
            return None
        elif arg.startswith("--") and len(arg) > 2 and "=" not in arg and "--env-file".startswith(arg):
            takes_value = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    # When the process ends, the interpreter's last collections walk every object it still holds:
    # 0.15-0.2 s after a send to 10,000 (issue 24). Nothing there needs collecting (the database is
    # closed by then, see Context.close), so the objects are frozen first, once the command is done.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`digest status | head`): stop quietly. Point stdout at
        # /dev/null so the interpreter's final flush does not raise a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from digest.redact import RedactingFormatter

    to_stderr = logging.StreamHandler(sys.stderr)
    # Library debug lines (urllib3's request lines) carry URLs, some with a token in the query string.
    to_stderr.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[to_stderr])
    ctx = Context(
        env_file=args.env_file, reads_sources=getattr(args, "reads_sources", True),
        schedules=getattr(args, "schedules", True),
    )
    try:
        return int(args.func(args, ctx) or 0)
    except DigestError as exc:
        if args.debug:
            raise
        from digest.redact import redact

        print(f"digest: error: {redact(str(exc), ctx.secrets())}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A database fault outside the store's own checks (a file damaged or made read-only
        # while we run): one line saying what to do; the transaction was rolled back.
        from digest.store.faults import database_fault

        fault = database_fault(exc)
        if fault is None or args.debug:
            raise
        print(f"digest: error: {fault}", file=sys.stderr)
        return fault.exit_code
    finally:
        ctx.close()


def add_command(
    sub: argparse._SubParsersAction,
    name: str,
    help: str,
    examples: str,  # type: ignore[type-arg]
    description: str = "",
    *,
    reads_sources: bool = True,
    schedules: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand parser with its help, description and an examples epilog. ``reads_sources``:
    False for a command that never reads the articles, so DIGEST_SOURCES is not checked for it;
    ``schedules``: False for one that never uses the schedule, so its cron lines are not read
    (which needs APScheduler)."""
    parser = sub.add_parser(
        name,
        help=help,
        description=description or help,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(reads_sources=reads_sources, schedules=schedules)
    return parser
