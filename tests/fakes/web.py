"""A tiny web server on 127.0.0.1 serving fixed pages, for source-fetching tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    """A fixed answer. ``location`` makes it a redirect; ``dribble`` sends the body
    two bytes at a time with that many seconds between them (a slow-loris server)."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    location: str = ""
    dribble: float = 0.0


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve(site: Site, host: str = "127.0.0.1") -> Iterator[Site]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            site.requests.append((self.path, dict(self.headers)))
            page = site.pages.get(self.path)
            if page is None:
                self.send_error(404)
                return
            if page.delay:
                time.sleep(page.delay)
            try:
                self.send_response(page.status)
                if page.location:
                    self.send_header("Location", page.location)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                if not page.dribble:
                    self.wfile.write(page.body)
                for n in range(0, len(page.body) if page.dribble else 0, 2):
                    self.wfile.write(page.body[n : n + 2])
                    self.wfile.flush()
                    time.sleep(page.dribble)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
