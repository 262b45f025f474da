"""`digest schedule`: when the next editions go out, in local time and UTC."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from digest.cli import add_command
from digest.cli.context import Context

EXAMPLES = """\
  digest schedule              the cadence in words and the next 5 runs
  digest schedule --next 10
  digest schedule --json       for scripts
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "schedule",
        "show when the next editions go out (local time and UTC)",
        EXAMPLES,
        description="Show DIGEST_SCHEDULE in plain words and its next runs in "
        "DIGEST_TIMEZONE and in UTC. Sends nothing.",
        reads_sources=False,
    )
    p.add_argument("--next", type=_count, default=5, metavar="N", help="how many runs to list (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=run)


def _count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if not 1 <= value <= 500:
        raise argparse.ArgumentTypeError("use a number from 1 to 500")
    return value


def _line(run: dict[str, str], zone: str) -> str:
    utc = datetime.fromisoformat(run["utc"])
    local = utc.astimezone(ZoneInfo(zone))  # the zone's own abbreviation (CET, KST), not an offset
    return f"  {local:%Y-%m-%d %H:%M} {local:%a} {local:%Z %z}  =  {utc:%Y-%m-%d %H:%M} UTC"


def run(args: argparse.Namespace, ctx: Context) -> int:
    from digest.schedule import plan

    settings = ctx.settings
    cadences = {"email": settings.cadence, "social": settings.social_cadence}
    data = {
        "timezone": settings.timezone,
        "max_lateness": settings.max_lateness_text,
        **plan(cadences, ctx.now(), args.next),
    }
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    email, zone = data["email"], data["timezone"]
    print(f"Email digest: {email['description']}   (DIGEST_SCHEDULE={email['cron']})")
    print("Next runs:")
    print("\n".join(_line(r, zone) for r in email["next"]) or "  none: this schedule never fires again")
    social = data.get("social")
    if social:
        print(f"\nSocial posts: {social['description']}   (DIGEST_SOCIAL_SCHEDULE={social['cron']})")
        print("\n".join(_line(r, zone) for r in social["next"]) or "  none")
    else:
        print("\nSocial posts: with the email.")
    print(
        f"\n`digest run` checks at start and every 15 minutes: an edition that is due and not sent "
        f"goes out if it is no more than {data['max_lateness']} late (DIGEST_MAX_LATENESS); a later "
        "one is skipped with an alert, and its articles go into the next edition."
    )
    return 0
