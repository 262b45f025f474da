"""`digest preview --serve`: serve the preview on 127.0.0.1 and rebuild it when inputs change.

Polling modification times (no extra dependency) of the templates, the local
article sources, `.env` and the protected-terms file; the dashboard asks
``/__version`` every second and reloads when it changes. Only the dashboard
polls: the email itself carries no script.

The server listens on 127.0.0.1 only, answers only requests whose Host is this
machine (a web page elsewhere cannot reach it through DNS rebinding), and serves
only the files the preview writes: ``--out .`` must never hand out `.env` or the
database.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from digest.config import Settings

Fingerprint = tuple[tuple[str, int, int], ...]
# What `digest preview` writes (digest/preview/__init__.py and social.py); nothing else is served.
PREVIEW_FILES = frozenset(
    {"index.html", "email.html", "email.txt", "email.eml", "report.json", "social.json"}
)
_SOCIAL_FILE = re.compile(r"social/[a-z0-9_-]{1,40}\.txt")
_LANGUAGE_FOLDER = re.compile(r"[a-z]{2}(?:-[a-z]{2})?/")
_LOCAL_HOSTS = ("127.0.0.1", "localhost")


def fingerprint(paths: Iterable[Path]) -> Fingerprint:
    """(path, mtime, size) of every file under ``paths``; missing paths count as absent."""
    seen: list[tuple[str, int, int]] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            seen.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(seen)


def watched_paths(settings: Settings, env_file: Path | None) -> list[Path]:
    """What to watch for a rebuild: templates, local sources, .env and the protected-terms file."""
    from digest.render.env import builtin_templates

    paths = [builtin_templates(), env_file or Path(".env")]
    if settings.templates_dir:
        paths.append(settings.templates_dir)
    if settings.protected_terms_file:
        paths.append(settings.protected_terms_file)
    paths += [Path(s).expanduser() for s in settings.sources if "://" not in s]
    return paths


class PreviewServer:
    """A local server for the preview folder plus a watcher thread that calls ``rebuild``.

    ``rebuild()`` builds the preview again and returns the paths to watch next
    (they can change when `.env` does). It may raise; the error is shown by
    ``on_error`` and the last good preview stays up.
    """

    def __init__(
        self,
        out: Path,
        port: int,
        rebuild: Callable[[], list[Path]],
        watched: list[Path],
        on_error: Callable[[Exception], None],
        interval: float = 0.5,
    ) -> None:
        self.out = out
        self.rebuild = rebuild
        self.watched = watched
        self.on_error = on_error
        self.interval = interval
        self.version = 1
        self._stop = threading.Event()
        handler = functools.partial(_Handler, self, directory=str(out))
        # 127.0.0.1 only: the preview may show names that must never leave this machine.
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        for target in (self.httpd.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _watch(self) -> None:
        last = fingerprint(self.watched)
        while not self._stop.wait(self.interval):
            current = fingerprint(self.watched)
            if current == last:
                continue
            try:
                self.watched = self.rebuild()
            except Exception as exc:  # noqa: BLE001 - any failure must keep the server up and be shown
                self.on_error(exc)
            last = fingerprint(self.watched)
            self.version += 1


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, server_state: PreviewServer, *args: Any, **kwargs: Any) -> None:
        self.state = server_state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if not self._allowed():
            return
        if self.path.split("?")[0] == "/favicon.ico":
            # browsers ask for it when email.html is opened on its own; a 404 would log a console error
            self.send_response(204)
            self.end_headers()
            return
        if self.path.split("?")[0] == "/__version":
            body = str(self.state.version).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if self._allowed():
            super().do_HEAD()

    def _allowed(self) -> bool:
        """Answer 421 to another Host and 404 to any file the preview did not write."""
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.state.httpd.server_address[1]
        if host not in {f"{name}:{port}" for name in _LOCAL_HOSTS}:
            self.send_error(421, "this preview answers only at 127.0.0.1")
            return False
        wanted = unquote(urlsplit(self.path).path).lstrip("/") or "index.html"
        if wanted in ("__version", "favicon.ico") or self._preview_file(wanted):
            return True
        self.send_error(404, "not a file of the preview")
        return False

    def _preview_file(self, wanted: str) -> bool:
        # a preview per language may sit in its own folder (en/, ko/)
        name = wanted.split("/", 1)[1] if _LANGUAGE_FOLDER.match(wanted) else wanted
        if name not in PREVIEW_FILES and not _SOCIAL_FILE.fullmatch(name):
            return False
        root = self.state.out.resolve()
        target = (root / wanted).resolve()
        return target.is_relative_to(root) and target.is_file()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would bury the rebuild messages
