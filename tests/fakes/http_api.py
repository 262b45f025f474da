"""A local HTTP API server (127.0.0.1) for provider fakes, with injectable faults.

A fake provider module subclasses :class:`FakeApi` and implements ``handle``,
checking every request against the provider's documented API and recording
anything off in ``violations`` (tests assert it stays empty). Faults queued with
:meth:`FakeApi.fail` hit the next matching requests: a status (429 with
Retry-After, 500...) before or after handling, a slow answer (after the request
was handled, as a real timeout would be), a dropped connection (before or after
handling), or a broken body after handling.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def header(self, name: str) -> str:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return ""


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as is instead of ``body`` as JSON


@dataclass
class Counts:
    """What a campaign fake reports for a started campaign (drafts report zeros), in each
    provider's own shape: messages sent, delivered, hard and soft bounces."""

    sent: int = 120
    delivered: int = 114
    hard: int = 4
    soft: int = 2

    def of(self, started: bool) -> Counts:
        return self if started else Counts(0, 0, 0, 0)


@dataclass
class Fault:
    match: str  # substring of "METHOD /path"
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0  # seconds, after handling (the provider acted, the answer is late)
    drop: str = ""  # "before" (not handled) or "after" (handled, no answer)
    handled: bool = False  # with ``status``: the provider acted, then answered that status
    raw: bytes | None = None  # the answer's body as these bytes (after handling), e.g. broken JSON


class FakeApi:
    """Base of provider fakes: state, request log, violations and the fault queue."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.base = ""
        self.counts = Counts()  # campaign fakes: the statistics they report

    def fail(self, match: str, **kwargs: Any) -> None:
        self.faults.append(Fault(match, **kwargs))

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.violations.append(what)

    def await_faults(self, timeout: float = 120.0) -> None:
        """Wait until every queued fault has met its request. On a loaded machine a request the
        client gave up on (a timeout) can reach this server seconds later; a test whose premise
        is that the provider acted must not take its next step before it has."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if not self.faults:
                    return
            assert time.monotonic() < deadline, f"no request met the faults {self.faults}"
            time.sleep(0.02)

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def _fault(self, request: Request) -> Fault | None:
        line = f"{request.method} {request.path}"
        for fault in self.faults:
            if fault.match in line:
                self.faults.remove(fault)
                return fault
        return None

    def respond(self, request: Request) -> tuple[Reply | None, float]:
        """(reply or None to drop the connection, delay before answering)."""
        with self.lock:
            self.requests.append(request)
            fault = self._fault(request)
            if fault and fault.drop == "before":
                return None, 0.0
            if fault and fault.status and not fault.handled:
                return Reply(fault.status, fault.body, fault.headers), 0.0
            reply = self.handle(request)
        if fault and fault.status:
            reply = Reply(fault.status, fault.body, fault.headers)
        if fault and fault.raw is not None:
            reply = Reply(reply.status, None, reply.headers, fault.raw)
        if fault and fault.drop == "after":
            return None, 0.0
        return reply, fault.delay if fault else 0.0


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path, dict(self.headers), body)
            reply, delay = api.respond(request)
            if reply is None:
                self.close_connection = True
                self.connection.close()
                return
            if delay:
                time.sleep(delay)
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
            if reply.raw is not None:
                data = reply.raw
            try:
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    api.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
