"""The floor `benchmarks/serve.py` measures `digest serve` against: the least an app can do.

A minimal Flask app on waitress (as many threads as `digest serve`) that answers
``POST /u/<token>``: it checks the token's HMAC with the same function digest uses, then runs
one UPDATE (the address found through the token's id in the same statement) on a connection
kept per thread, and answers a one-line page. Same database, same settings: SQLite in WAL
with synchronous=FULL (SQLite's default, which digest keeps), or PostgreSQL.
It keeps none of digest's promises (no expiry, no page, no security headers, no forgotten
or old links), which is why it is a floor.

It runs at Python's default switch interval; with a second argument, at that one (`digest serve`
sets its own: ``--floor-switch-interval`` of the benchmark gives the floor the same).

Run by the benchmark: python benchmarks/serve_floor.py PORT [SWITCH_INTERVAL] (DIGEST_* from the
environment).
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UPDATE = (
    "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = {p} "
    "WHERE email = (SELECT email FROM link_refs WHERE ref = {p}) AND status <> 'unsubscribed'"
)


def connector(url: str) -> tuple[Any, str]:
    """A function opening one autocommit connection to ``url``, and the driver's placeholder."""
    if url.startswith(("postgresql://", "postgres://")):
        import psycopg

        return (lambda: psycopg.connect(url, autocommit=True)), "%s"
    import sqlite3

    path = url.removeprefix("sqlite:///")

    def connect() -> Any:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    return connect, "?"


def floor_app(url: str, key: bytes) -> Any:
    from flask import Flask, Response, abort

    from digest.unsubscribe import UNSUBSCRIBE, read_token

    connect, p = connector(url)
    sql = UPDATE.format(p=p)
    local = threading.local()
    app = Flask(__name__)

    @app.post("/u/<path:token>")
    def unsubscribe(token: str) -> Response:
        opened = read_token(key, UNSUBSCRIBE, token)
        if opened is None:
            abort(404)
        conn = getattr(local, "conn", None) or connect()
        local.conn = conn
        conn.execute(sql, (datetime.now(UTC), opened.ref))
        return Response("You are unsubscribed.\n", mimetype="text/plain")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok\n"

    return app


def main() -> None:
    from waitress import serve

    from digest.plugins import load_settings
    from digest.unsubscribe import secret_key

    if len(sys.argv) > 2:
        sys.setswitchinterval(float(sys.argv[2]))
    settings = load_settings(environ=dict(os.environ), read_dotenv=False)
    app = floor_app(settings.db_url, secret_key(settings))
    serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=settings.serve_threads, ident="floor")


if __name__ == "__main__":
    main()
