"""`digest social`: the approval queue of social posts."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context
from digest.errors import ConfigError, ProtectedTermError

EXAMPLES = """\
  digest social list                 posts waiting for approval, and what happened to the others
  digest social list --all
  digest social approve 12 13
  digest social approve --all
  digest social skip 14              never publish post 14
  digest social retry 15             try a failed post again
  digest social publish              publish every approved post now
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "social",
        "list, approve, skip and publish the social posts",
        EXAMPLES,
        description="Social posts wait for approval when DIGEST_SOCIAL_APPROVAL=true (the default). "
        "Each post is one article on one platform; IDs come from `digest social list`.",
        reads_sources=False,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="show the queue (waiting, approved, failed and unknown posts)")
    ls.add_argument("--all", action="store_true", help="also show published and skipped posts")
    ap = actions.add_parser("approve", help="approve posts by ID, or --all waiting posts")
    ap.add_argument("ids", nargs="*", type=int, metavar="ID")
    ap.add_argument("--all", action="store_true", help="approve every post waiting for review")
    sk = actions.add_parser("skip", help="never publish these posts")
    sk.add_argument("ids", nargs="+", type=int, metavar="ID")
    rt = actions.add_parser("retry", help="put failed posts back in the queue")
    rt.add_argument("ids", nargs="+", type=int, metavar="ID")
    actions.add_parser("publish", help="publish every approved post now")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here, not at the top, so `digest --help` starts fast.
    from digest.social import publish_due
    from digest.social.queue import approve, retry, skip

    if args.action == "list":
        return _list(ctx, args.all)
    if args.action == "approve":
        if not args.ids and not args.all:
            raise ConfigError("digest social approve", "no post given", "name post IDs or use --all")
        n = approve(ctx.engine, None if args.all else args.ids)
        print(f"approved {n} post(s); they go out with `digest social publish` or on schedule")
        return 0 if n or args.all else 1
    if args.action == "skip":
        n = skip(ctx.engine, args.ids)
        print(f"skipped {n} post(s)")
        return 0 if n == len(args.ids) else 1
    if args.action == "retry":
        n = retry(ctx.engine, args.ids)
        print(f"{n} failed post(s) back in the queue")
        return 0 if n == len(args.ids) else 1
    report = publish_due(ctx.settings, ctx.engine, ctx.now())
    print(report.message)
    if report.protected:
        return ProtectedTermError.exit_code
    return 0 if report.ok else 1


def _list(ctx: Context, everything: bool) -> int:
    from digest.social.queue import listing
    from digest.store.social import SocialStore

    statuses = None if everything else ["review", "pending", "sending", "failed", "unknown"]
    rows = listing(ctx.engine, statuses)
    for platform, (status, message) in sorted(SocialStore(ctx.engine).channels().items()):
        if status == "needs_reauth":
            print(f"! {platform} needs re-authorisation: {message}")
    if not rows:
        print("no social posts in the queue" + ("" if everything else " (use --all to see published ones)"))
        return 0
    for row in rows:
        data = row.data()
        head = f"#{row.id}  {row.status:<8} {row.channel.removeprefix('social:'):<9} {row.edition_key}"
        print(head + f"  {data.get('article_title', '')[:60]}")
        for line in data["parts"][0].splitlines():
            print(f"      {line}")
        if row.last_error and row.status != "sent":
            print(f"      ! {row.last_error}")
    return 0
