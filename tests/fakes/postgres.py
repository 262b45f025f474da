"""A real, throwaway PostgreSQL server for the tests (not a fake: Debian's own server).

``postgres_server`` (session) runs ``initdb`` into a temporary folder and starts
the server on 127.0.0.1 and a free port; ``pg_url`` (per test) creates a fresh
database in it. PostgreSQL refuses to run as root, so under root the cluster
belongs to the ``postgres`` user. The tests are skipped only when the server's
binaries are not installed (scripts/test.sh installs them).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class PostgresServer:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def bindir() -> Path | None:
    """Where initdb and pg_ctl live: pg_config's bindir, else Debian's versioned folder, else PATH."""
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        folder = Path(out.stdout.strip())
        if (folder / "initdb").exists():
            return folder
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _initdb(folder_bin: Path) -> Path:
    """A new cluster in a folder of its own. initdb failed once in a whole-suite run (and passed
    when run again): a second try in a fresh folder, and its own words if that fails too."""
    for attempt in (1, 2):
        folder = Path(tempfile.mkdtemp(prefix="digest-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        initdb = [str(folder_bin / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres"]
        done = subprocess.run(_as_owner(initdb), capture_output=True, text=True)
        if done.returncode == 0:
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        if attempt == 2:
            raise RuntimeError(f"initdb failed twice: {done.stderr.strip()[-2000:]}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    folder_bin = bindir()
    if folder_bin is None:
        pytest.skip("PostgreSQL is not installed (scripts/test.sh installs it)")
    folder = _initdb(folder_bin)
    data = folder / "data"
    port = _free_port()
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off"
    subprocess.run(
        _as_owner([str(folder_bin / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                   str(folder / "server.log"), "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer(port, folder)
    finally:
        subprocess.run(
            _as_owner([str(folder_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
