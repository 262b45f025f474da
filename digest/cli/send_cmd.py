"""`digest send`: build and send the current period's edition, once; or one test copy."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable

from digest.cli import add_command
from digest.cli.context import Context, kept_start_up
from digest.stopping import CAPPED, INTERRUPTED, PAUSED, StopRequest, stop_signals


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "send",
        "send this period's edition through the provider (once)",
        "  digest send\n"
        "  digest send --test me@example.org     # one [TEST] copy; the edition is not marked sent\n"
        "  digest send --allow-large             # even if the email is over DIGEST_HTML_BUDGET\n"
        "  digest --env-file production.env send\n",
        description="Build, freeze and send the current period's edition. Sending twice in "
        "one period sends nothing the second time; an interrupted send resumes where it stopped. "
        "After a crash, a message that was never handed over is sent again; one handed over "
        "without an answer is sent again once over SMTP and reported as a possible duplicate; "
        "other unknown outcomes are reported, never resent.",
    )
    p.add_argument(
        "--test",
        metavar="ADDRESS",
        help="send one copy with a [TEST] subject to ADDRESS through the real provider, and nothing else",
    )
    p.add_argument(
        "--allow-large",
        action="store_true",
        help="send even when the email's HTML is over DIGEST_HTML_BUDGET (Gmail will show it cut off)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    with kept_start_up() as started:
        return _send(args, ctx, started)


def _send(args: argparse.Namespace, ctx: Context, started: Callable[[], None]) -> int:
    # Imported here, not at the top, so `digest --help` starts fast.
    from digest.config import with_overrides
    from digest.deliver import send_current
    from digest.providers import make_provider

    provider = make_provider(ctx.settings)
    started()
    if args.test:
        from digest.deliver.testcopy import send_test

        print(send_test(ctx.settings, ctx.engine, provider, args.test, now=ctx.now()))
        return 0
    settings = with_overrides(ctx.settings, allow_large=True) if args.allow_large else ctx.settings
    stop = StopRequest()
    with stop_signals(lambda signum: _first_stop(stop, signum), lambda signum: _hard_stop(ctx, signum)):
        report = send_current(
            settings, ctx.engine, provider, now=ctx.now(), progress=ctx.interactive, stop=stop
        )
    from digest.compose.findings import sources

    for finding in sources(report.problems) + report.reported:  # as the preview reports them
        print(f"reported: {finding.line()}")
    print(report.message)
    if report.counts:
        from digest.deliver.firstrun import sent_summary

        print("\n".join(sent_summary(ctx.settings, ctx.engine, report.key)))
    from digest.social.queue import after_send, unpublished_platforms  # social posts follow the email

    for line in after_send(ctx.settings, ctx.engine, report.key, report.status, ctx.now()):
        print(line)
    for line in _tell(ctx, report.key, report.status):
        print(line)
    if report.held == INTERRUPTED:
        return stop.exit_code
    # A capped send is on track: the schedule sends the rest when the caps allow. A paused one
    # waits for a person (digest resume).
    unfinished = report.status in ("partial", "sending", "failed") and report.held != CAPPED
    code = 1 if unfinished or report.held == PAUSED else 0
    return code or _publishing_refused(unpublished_platforms(ctx.settings, report.status))


def _tell(ctx: Context, key: str, status: str) -> list[str]:
    """The sources' alerts (or recovery notes), and the edition's receipt once it is out."""
    from digest.deliver.receipt import send_receipt
    from digest.jobs.source_watch import watch_sources

    lines = watch_sources(ctx.settings, ctx.engine, ctx.now())
    if status in ("sent", "partial"):
        lines.append(send_receipt(ctx.settings, ctx.engine, key, ctx.now()))
    return [line for line in lines if line]


def _first_stop(stop: StopRequest, signum: int) -> None:
    stop.ask(signum)
    name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    print(f"\ndigest: {name}: stopping after the messages in flight are answered, so none is cut off "
          "(press Ctrl-C again to stop at once)", file=sys.stderr, flush=True)


def _hard_stop(ctx: Context, signum: int) -> None:
    """The second signal: exit now, without unwinding (no database work that could hang first)."""
    sent = _progress_now(ctx)
    print(f"\ndigest: stopped at once{sent}. A message handed over without an answer stays recorded as "
          "in doubt: the next digest send sends it once more and names it as a possible duplicate; the "
          "rest simply wait. Run digest send to finish.", file=sys.stderr, flush=True)
    os._exit(128 + signum)


def _progress_now(ctx: Context) -> str:
    """", 12 of 60 recipients sent" read from the ledger within two seconds; "" if it cannot be."""
    found: list[str] = []

    def read() -> None:
        from digest.compose.build import current_period
        from digest.deliver.pace import sent_of

        try:
            key, _slot = current_period(ctx.settings, ctx.now())
            sent, total = sent_of(ctx.engine, key)
        except Exception:  # the database is busy or gone: the line goes without the numbers
            return
        found.append(f": {sent} of {total} recipients of {key} sent")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(2.0)
    return found[0] if found else ""


def _publishing_refused(missing: list[tuple[str, str]]) -> int:
    """The email went out; posts of a platform without its keys were not published: say so (exit 2)."""
    for platform, key in missing:
        print(f"digest: error: {key}: is empty, so no {platform} post was published; set it in .env "
              f"and run digest social publish", file=sys.stderr)
    return 2 if missing else 0
