"""A fake OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

It records every request (path, headers, JSON body) and answers with whatever the
test scripted: a reply text, a raw body, an HTTP status, or a delay.
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
class Script:
    """What the fake answers next; tests mutate it between calls."""

    reply: str = "A short summary."
    raw_body: bytes | None = None  # sent as-is instead of a JSON completion
    status: int = 200
    delay: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeLLM:
    base_url: str
    script: Script
    requests: list[Recorded] = field(default_factory=list)


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = None
            fake.requests.append(Recorded(self.path, dict(self.headers.items()), body))
            script = fake.script
            if script.delay:
                time.sleep(script.delay)
            payload = script.raw_body
            if payload is None:
                payload = json.dumps(
                    {"choices": [{"index": 0, "message": {"role": "assistant", "content": script.reply}}]}
                ).encode()
            try:
                self.send_response(script.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output clean

    return Handler


@contextmanager
def fake_llm(prefix: str = "/v1") -> Iterator[FakeLLM]:
    """Run the fake on an ephemeral port; ``base_url`` ends with ``prefix``."""
    fake = FakeLLM(base_url="", script=Script())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
