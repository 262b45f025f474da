"""A local HTTP server for the social platform fakes (127.0.0.1, a free port).

Each fake (tests/fakes/social_<platform>.py) subclasses :class:`FakePlatform`:
``handle(req)`` checks the request against the platform's documented API and
returns (status, json body, headers). Faults can be queued: the next request
whose path contains ``match`` gets the fault instead: an HTTP status (429, 500,
401) or ``"timeout"`` (the request is *processed*, then the answer comes too late,
as when a response is lost after the post was made).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


class Problem(Exception):
    """The request breaks the documented API: the fake answers 400 and records why."""


@dataclass
class Fault:
    match: str
    kind: int | str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"  # faults hit the calls that create posts
    after: int = 0  # let this many matching requests through first


class FakePlatform:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self.faults: list[Fault] = []
        self.delay = 2.0  # how late a "timeout" answer comes
        self.lock = threading.Lock()
        self.in_flight = 0  # requests received and not yet handled
        self._server: ThreadingHTTPServer | None = None

    # -- to implement -------------------------------------------------------------
    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    # -- plumbing -----------------------------------------------------------------
    def fail_next(self, match: str, kind: int | str, after: int = 0, **headers: str) -> None:
        self.faults.append(Fault(match, kind, headers, after=after))

    def await_faults(self, timeout: float = 120.0) -> None:
        """Wait until every queued fault has met its request and that request was handled. On a
        loaded machine a request the client gave up on (a timeout) can reach this server seconds
        later; a test whose premise is that the platform acted must not go on before it has."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if not self.faults and not self.in_flight:
                    return
            assert time.monotonic() < deadline, f"no request met the faults {self.faults}"
            time.sleep(0.02)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakePlatform:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                req = Request(
                    self.command,
                    parts.path,
                    {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                status, body, headers = fake.dispatch(req)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()  # bytes: a file
                try:
                    self.send_response(status)
                    for key, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def dispatch(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.in_flight += 1
        try:
            return self._dispatch(req)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _dispatch(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append(req)
            fault = next((f for f in self.faults if f.match in req.path and f.method == req.method), None)
            if fault and fault.after:
                fault.after -= 1
                fault = None
            elif fault:
                self.faults.remove(fault)
        if fault and fault.kind != "timeout":
            return int(fault.kind), {"error": "Injected", "message": f"injected {fault.kind}"}, fault.headers
        try:
            with self.lock:
                answer = self.handle(req)
        except Problem as exc:
            self.problems.append(f"{req.method} {req.path}: {exc}")
            return 400, {"error": "BadRequest", "message": str(exc)}, {}
        if fault:  # processed, but the answer arrives after the client gave up
            time.sleep(self.delay)
        return answer


def need(condition: bool, why: str) -> None:
    if not condition:
        raise Problem(why)


def multipart(req: Request) -> dict[str, tuple[str, str, bytes]]:
    """The fields of a multipart/form-data body: name -> (file name, content type, bytes)."""
    from email import message_from_bytes
    from email.policy import HTTP

    kind = req.headers.get("content-type", "")
    need(kind.startswith("multipart/form-data; boundary="), f"not multipart/form-data: {kind!r}")
    message = message_from_bytes(f"Content-Type: {kind}\r\n\r\n".encode() + req.body, policy=HTTP)
    fields: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        need(isinstance(name, str), "a part without a name")
        data = part.get_payload(decode=True)
        fields[str(name)] = (part.get_filename() or "", part.get_content_type(), data)
    return fields


MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "image/gif": b"GIF8",
         "image/webp": b"RIFF"}


def need_image(data: bytes, mime: str, max_bytes: int, kinds: tuple[str, ...]) -> None:
    """An upload is a picture of a type the platform takes, is what its type says and within its size."""
    need(mime in kinds, f"image type {mime!r} is not one of {', '.join(kinds)}")
    need(data.startswith(MAGIC.get(mime, b"?")), f"the bytes are not {mime}")
    need(0 < len(data) <= max_bytes, f"image of {len(data):,} bytes (the limit is {max_bytes:,})")
