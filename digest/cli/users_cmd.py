"""`digest users`: the volunteers who may log in to the dashboard, each with a role (issue 22)."""

from __future__ import annotations

import argparse

from digest.accounts import ROLES
from digest.cli import add_command
from digest.cli.context import Context, who
from digest.errors import DigestError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "users",
        "add, list and remove the volunteers who log in to the dashboard, each with a role",
        "  digest users add mina@example.org --role editor\n"
        "  digest users add jun@example.org --role approver   # again with another role: changes it\n"
        "  digest users list\n"
        "  digest users password mina@example.org      # asks for it twice; --remove: link only\n"
        "  digest users remove mina@example.org\n",
        description="Each volunteer has their own dashboard log-in. An editor edits and approves "
        "social posts; an approver also approves or holds editions and resolves deliveries; an admin "
        "also manages users. DIGEST_ADMIN_PASSWORD keeps working as the first admin. Every change "
        "is in the audit log (the dashboard shows it).",
        reads_sources=False,
        schedules=False,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="give a volunteer an account, or change their role")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True, help="what they may do (see above)")
    actions.add_parser("list", help="print the accounts as CSV: email, role, password, created")
    rem = actions.add_parser("remove", help="delete an account; its log-ins end at once")
    rem.add_argument("email")
    pw = actions.add_parser(
        "password",
        help="set a volunteer's own password (asked twice, or one line of stdin); their log-ins so far end",
    )
    pw.add_argument("email")
    pw.add_argument("--remove", action="store_true", help="remove it: they log in by emailed link only")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from digest.store import users

    if args.action == "list":
        print("email,role,password,created")
        for u in users.users(ctx.engine):
            print(f"{u.email},{u.role},{'yes' if u.has_password else 'no'},{u.created_at:%Y-%m-%d}")
        return 0
    address = _address(args.email)
    if args.action == "add":
        done = users.save_user(ctx.engine, address, args.role, ctx.now(), who())
        said = {"added": "added as", "changed": "now", "": "already"}[done]
        print(f"{address}: {said} {args.role}")
        return 0
    if args.action == "password":
        return _password(ctx, address, args.remove)
    if not users.remove_user(ctx.engine, address, ctx.now(), who()):
        raise DigestError(f"{address} has no account; digest users list shows who has one")
    print(f"{address}: removed")
    return 0


def _password(ctx: Context, address: str, remove: bool) -> int:
    from digest.cli.passwords import new_password_hash
    from digest.store import users

    if users.user_row(ctx.engine, address) is None:  # before asking for a password that cannot be kept
        raise DigestError(f"{address} has no account; add it first: digest users add {address} --role ROLE")
    again = f"digest users password {address}"
    hashed = "" if remove else new_password_hash(f"password for {address}: ", again)
    users.set_password(ctx.engine, address, hashed, ctx.now(), who())
    print(f"{address}: password {'set' if hashed else 'removed'}; their earlier log-ins have ended")
    return 0


def _address(raw: str) -> str:
    from digest.accounts import account_email

    try:
        return account_email(raw)
    except ValueError as exc:
        raise DigestError(str(exc)) from None

