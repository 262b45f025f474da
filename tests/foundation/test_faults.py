"""Issue 13: a damaged or read-only database, and output cut short by `head`: one line, no traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from digest.store.faults import database_fault
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    clean.update(env)
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True,
                          env=clean, cwd=cwd, timeout=180)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE)}


def test_damaged_database_is_one_line_and_nothing_is_sent(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "digest.db").write_bytes(b"this is not SQLite " * 500)
    result = run("send", env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0] and "backup" in lines[0]
    assert not (tmp_path / "var" / "outbox").exists()


def test_read_only_database_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    # Opened read-only through SQLite itself, so the test holds even for root (which ignores chmod).
    assert run("status", env=env, cwd=tmp_path).returncode in (0, 1)
    db = tmp_path / "var" / "digest.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    before = db.read_bytes()
    ro = {**env, "DIGEST_DATABASE_URL": f"sqlite:///file:{db}?mode=ro&uri=true"}
    result = run("send", env=ro, cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and "DIGEST_DATA_DIR" in lines[0]
    assert db.read_bytes() == before


def test_read_only_fault_mid_command_is_described() -> None:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"ro-{os.getpid()}.db"
    sqlite3.connect(path).close()
    try:
        with pytest.raises(sqlite3.OperationalError) as info:
            ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            ro.execute("CREATE TABLE t (x)")
        fault = database_fault(info.value)
        assert fault is not None and "read-only" in str(fault)
        assert database_fault(ValueError("not a database problem")) is None
    finally:
        path.unlink()


@pytest.mark.parametrize("command", [["--help"], ["config", "--example"], ["schedule", "--next", "200"],
                                     ["status"], ["sources"]])
def test_output_piped_into_head_ends_quietly(tmp_path: Path, env: dict[str, str], command: list[str]) -> None:
    shutil.copytree(SAMPLE, tmp_path / "content")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    clean.update(env)
    digest = " ".join([sys.executable, "-m", "digest", *command])
    # `true` never reads, so every write meets a closed pipe: the case `head` causes at its last line.
    for reader in ("head -n 1", "true"):
        result = subprocess.run(["bash", "-c", f"{digest} | {reader}"], capture_output=True,
                                text=True, env=clean, cwd=tmp_path, timeout=180)
        assert result.stdout.strip() or reader == "true", result.stderr
        assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
        assert "Exception ignored" not in result.stderr
