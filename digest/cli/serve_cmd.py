"""`digest serve`: the sign-up, unsubscribe, archive and dashboard pages (Flask on waitress)."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context

EXAMPLES = """\
  digest serve                          # http://127.0.0.1:8080, for a reverse proxy in front
  digest serve --port 8090
  curl http://127.0.0.1:8080/healthz    # answers ok
  digest serve --hash-password          # the line for .env that turns the dashboard on
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "serve",
        "serve the unsubscribe, sign-up and archive pages and the volunteers' dashboard",
        EXAMPLES,
        description="Serve the web pages of digest with waitress. Put Caddy or nginx in front for https "
        "(see deploy/) and set DIGEST_PUBLIC_URL to the public address; the emails' unsubscribe links "
        "then point here.",
        reads_sources=False,
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; another needs DIGEST_PUBLIC_URL)",
    )
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080; 0: any free one)")
    p.add_argument(
        "--hash-password",
        action="store_true",
        help="ask for the dashboard password and print the line to put in .env (DIGEST_ADMIN_PASSWORD=...)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.hash_password:
        return _hash_password()
    from digest.serve import create_app
    from digest.serve.runner import check_host, serve

    check_host(ctx.settings, args.host)  # before the app opens anything
    app = create_app(ctx.settings, ctx.engine)
    serve(app, ctx.settings, args.host, args.port)
    return 0


def _hash_password() -> int:
    from digest.cli.passwords import new_password_hash

    hashed = new_password_hash("dashboard password: ", "digest serve --hash-password")
    print(f"DIGEST_ADMIN_PASSWORD={hashed}")
    return 0
