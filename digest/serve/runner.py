"""Run the app under waitress: bound to 127.0.0.1 unless told otherwise, proxy headers trusted once."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from digest.config import Settings

# Proxies we may sit behind set these; anything else a client sends is dropped by waitress.
PROXY_HEADERS = "x-forwarded-for x-forwarded-proto x-forwarded-host"
# Seconds a thread runs Python before another may take the interpreter lock (Python's default is
# 5 ms). Waitress reads and writes every connection in one thread, which needs the lock for it:
# under a burst of requests (a list unsubscribing after a send) it waited behind the busy
# workers for each read and write, and answers queued (issue 24: p99 0.4-1 s, half the rate).
SWITCH_INTERVAL = 0.001


def check_host(settings: Settings, host: str) -> None:
    """Without DIGEST_PUBLIC_URL, listen on this machine only (ConfigError otherwise).

    The address in emailed links comes from DIGEST_PUBLIC_URL alone, never from a request's Host;
    without it, sign-up is closed, and a server reachable from elsewhere would only show that.
    """
    from digest.config.web_values import is_local
    from digest.errors import ConfigError

    if not settings.public_url and not is_local(host):
        raise ConfigError(
            "DIGEST_PUBLIC_URL",
            f"is empty, but digest serve was asked to listen on {host}",
            "set it to the public https address of these pages (e.g. https://news.example.org), "
            "or leave --host at 127.0.0.1",
        )


def waitress_options(settings: Settings, host: str, port: int) -> dict[str, object]:
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "threads": settings.serve_threads,
        "ident": "digest",
        # The largest body any route reads: a webhook's (forms stop at 64 KB in the app).
        "max_request_body_size": settings.webhook_max_mb * 1024 * 1024,
        "channel_timeout": 60,
    }
    if settings.trusted_proxy:
        options["trusted_proxy"] = settings.trusted_proxy
        options["trusted_proxy_headers"] = PROXY_HEADERS
        options["trusted_proxy_count"] = 1
    if settings.public_url.startswith("https://") and not settings.trusted_proxy:
        # Without a trusted proxy, requests look like plain http and Secure cookies would not
        # come back; say so once rather than let the dashboard log-in fail mysteriously.
        print(
            "digest serve: DIGEST_PUBLIC_URL is https but DIGEST_TRUSTED_PROXY is empty; "
            "set it to your proxy's address (e.g. 127.0.0.1)",
            file=sys.stderr,
        )
    return options


def serve(app: Flask, settings: Settings, host: str, port: int) -> None:
    from waitress.server import create_server

    from digest.serve.site import site
    from digest.serve.worker import SideMailWorker

    check_host(settings, host)
    sys.setswitchinterval(SWITCH_INTERVAL)
    server = create_server(app, **waitress_options(settings, host, port))  # type: ignore[arg-type]
    bound = server.getsockname()  # type: ignore[union-attr]
    worker = SideMailWorker(site(app))
    worker.start()
    print(f"digest serve: listening on http://{bound[0]}:{bound[1]} (Ctrl+C stops)", flush=True)
    try:
        server.run()
    finally:
        server.close()
        worker.stop()
