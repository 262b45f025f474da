"""One-click unsubscribe under load (figures go in the docs).

2,000 RFC 8058 one-click POSTs (``List-Unsubscribe=One-Click``, each for a different
subscriber's signed link) from 50 concurrent clients against a real `digest serve`
(waitress, its own process) on SQLite and on PostgreSQL. Reports requests per second
and latency percentiles, and checks every one was honoured: each answered 200, each
address unsubscribed exactly once, and the 500 addresses nobody clicked for untouched.

Run: .venv/bin/python benchmarks/serve.py [--posts 2000] [--clients 50] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY = "benchmark-key-" + "0" * 30
BODY = b"List-Unsubscribe=One-Click"
CONTROL = 500  # subscribers nobody unsubscribes: they must stay active


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (fsync on, as in production) with one database."""
    from tests.fakes.postgres import _as_owner, _free_port, bindir

    folder_bin = bindir()
    if folder_bin is None:
        raise SystemExit("PostgreSQL is not installed; use --skip-postgres")
    folder = Path(tempfile.mkdtemp(prefix="digest-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    subprocess.run(
        _as_owner([str(folder_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run(
        _as_owner(
            [
                str(folder_bin / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(folder / "server.log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(folder_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def environment(folder: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(
        DIGEST_DATA_DIR=str(folder / "var"), DIGEST_SOURCES=str(ROOT / "content"), DIGEST_SECRET_KEY=KEY
    )
    if database_url:
        env["DIGEST_DATABASE_URL"] = database_url
    return env


def fill(env: dict[str, str], count: int) -> list[str]:
    from digest.plugins import load_settings
    from digest.store import open_store
    from digest.subscribers import import_csv

    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    run = uuid.uuid4().hex[:6]
    addresses = [f"reader{i:05d}.{run}@example.net" for i in range(count + CONTROL)]
    csv = settings.data_dir / "list.csv"
    csv.write_text("email\n" + "\n".join(addresses) + "\n")
    import_csv(engine, csv)
    engine.dispose()
    return addresses


@contextmanager
def server(env: dict[str, str], folder: Path) -> Iterator[int]:
    from tests.serve.conftest import free_port

    port = free_port()
    log = (folder / "serve.log").open("w")  # a pipe nobody reads would block the server once full
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("digest serve did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def hammer(port: int, paths: list[str], clients: int) -> tuple[list[float], list[int], float]:
    """POST every path once, ``clients`` at a time over keep-alive connections."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    work = iter(paths)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        while True:
            with lock:
                path = next(work, None)
            if path is None:
                return
            start = time.perf_counter()
            conn.request("POST", path, body=BODY, headers=headers)
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                statuses.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - start


def honoured(env: dict[str, str], clicked: list[str], control: list[str]) -> dict[str, int]:
    from digest.plugins import load_settings
    from digest.store import open_store
    from digest.store.signups import lookup

    engine = open_store(load_settings(environ=env, read_dotenv=False).db_url)
    try:
        gone = sum(1 for a in clicked if (row := lookup(engine, a)) and row.status == "unsubscribed")
        kept = sum(1 for a in control if (row := lookup(engine, a)) and row.status == "active")
    finally:
        engine.dispose()
    return {"unsubscribed": gone, "control_active": kept}


def run(label: str, database_url: str, posts: int, clients: int) -> dict[str, Any]:
    from digest.unsubscribe import make_token

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = environment(folder, database_url)
        addresses = fill(env, posts)
        clicked, control = addresses[:posts], addresses[posts:]
        paths = [f"/u/{make_token(KEY.encode(), a)}" for a in clicked]
        with server(env, folder) as port:
            latencies, statuses, wall = hammer(port, paths, clients)
        check = honoured(env, clicked, control)
    ordered = sorted(latencies)
    return {
        "database": label,
        "posts": posts,
        "clients": clients,
        "req_per_s": round(posts / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
        "answered_200": statuses.count(200),
        **check,
        "ok": statuses.count(200) == posts
        and check["unsubscribed"] == posts
        and check["control_active"] == CONTROL,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    results = [run("sqlite", "", args.posts, args.clients)]
    if not args.skip_postgres:
        with postgres() as url:
            results.append(run("postgresql", url, args.posts, args.clients))
    for r in results:
        print(
            f"{r['database']:<10} {r['posts']} POSTs, {r['clients']} clients: {r['req_per_s']} req/s, "
            f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; {r['answered_200']} answered 200, "
            f"{r['unsubscribed']} unsubscribed, {r['control_active']}/{CONTROL} others untouched"
            f"{'' if r['ok'] else '  <-- NOT ALL HONOURED'}"
        )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
