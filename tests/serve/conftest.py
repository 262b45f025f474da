"""`digest serve` as a real server: a subprocess on a free 127.0.0.1 port, stopped after the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parent.parent.parent
DIGEST = [sys.executable, "-m", "digest"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # only ever 127.0.0.1: no proxy from the environment
    return session


@dataclass
class Server:
    """A running `digest serve`, its folder and environment (to run other digest commands alike)."""

    root: Path
    env: dict[str, str]
    base: str = ""
    process: subprocess.Popen[str] | None = None
    session: requests.Session = field(default_factory=lambda: _session())

    def url(self, path: str) -> str:
        return self.base + path

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*DIGEST, *args],
            cwd=self.root,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=180,
        )

    def engine(self):  # type: ignore[no-untyped-def]
        from digest.plugins import load_settings
        from digest.store import open_store

        return open_store(load_settings(environ=self.env, read_dotenv=False).db_url)

    def start(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.env.setdefault("DIGEST_PUBLIC_URL", self.base)
        # A file, not a pipe: a pipe nobody reads blocks the server once its buffer is full.
        log = self.root / f"serve-{port}.log"
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [*DIGEST, "serve", "--port", str(port)],
                cwd=self.root,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"digest serve exited: {log.read_text()}")
            try:
                if self.session.get(self.url("/healthz"), timeout=2).text == "ok\n":
                    return
            except (requests.ConnectionError, requests.Timeout):  # busy machine: ask again
                time.sleep(0.1)
        raise RuntimeError("digest serve did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def base_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(
        DIGEST_DATA_DIR=str(root / "var"),
        DIGEST_SOURCES=str(SAMPLE),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


@contextmanager
def running(root: Path, **settings: str) -> Iterator[Server]:
    """``digest serve`` in ``root`` with extra DIGEST_* settings, stopped on the way out."""
    server = Server(root=root, env={**base_env(root), **settings})
    try:
        server.start()
        yield server
    except BaseException:
        # A failing test shows what the server said (pytest prints captured stderr on failure).
        for log in sorted(root.glob("serve-*.log")):
            tail = log.read_text().splitlines()[-60:]
            print(f"--- {log.name} (last 60 lines)", *tail, sep="\n", file=sys.stderr)
        raise
    finally:
        server.stop()


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """Start ``digest serve`` for one test; every server started is stopped."""
    with ExitStack() as stack:
        yield lambda **settings: stack.enter_context(running(tmp_path, **settings))


def add_people(server: Server, *rows: tuple[str, str]) -> None:
    """Put (address, language) rows on the list of ``server`` directly (quicker than the CLI)."""
    from digest import subscribers

    engine = server.engine()
    try:
        for address, language in rows:
            subscribers.add(engine, address, language=language)
    finally:
        engine.dispose()


# Links made on this day work until long after any day these tests run, so no test reads the clock.
FAR_AHEAD = __import__("datetime").date(2099, 1, 1)


def link(server: Server, purpose: str, address: str, key: str, made=FAR_AHEAD) -> str:  # type: ignore[no-untyped-def]
    """The path of ``address``'s page of ``purpose`` on ``server`` (/u/, /preferences/ or /confirm/),
    signed with ``key`` and made on ``made``, as an email from that server would carry it."""
    from digest.unsubscribe import CONFIRM, UNSUBSCRIBE, token_for

    engine = server.engine()
    try:
        token = token_for(engine, key.encode(), purpose, address, made)
    finally:
        engine.dispose()
    prefix = {UNSUBSCRIBE: "/u/", CONFIRM: "/confirm/"}.get(purpose, "/preferences/")
    return prefix + token
