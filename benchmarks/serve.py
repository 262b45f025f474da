"""One-click unsubscribe under load, against the floor of the same work (figures go in the docs).

RFC 8058 one-click POSTs (``List-Unsubscribe=One-Click``, each for a different subscriber's
signed link) from 50 concurrent clients against a real `digest serve` (waitress, its own
process), and the same against the floor app of `benchmarks/serve_floor.py` (minimal Flask on
waitress: the same HMAC check, one UPDATE), alternating in one run on the same database, on
SQLite and on PostgreSQL. The machine is shared and noisy, so the figure that counts is the
ratio of requests per second within a round; each run also reports the server process's CPU
per request and p50/p99, and checks every POST was honoured: each answered 200, each address
unsubscribed, and the 500 addresses nobody clicked for untouched.

``--profile`` runs digest's rounds under cProfile (`benchmarks/serve_profile.py`) and prints
where its time goes (the profiler slows it: read that round's ratio as nothing).

Run: .venv/bin/python benchmarks/serve.py [--posts 2000] [--clients 50] [--rounds 3]
     [--skip-postgres] [--skip-sqlite] [--profile] [--floor-switch-interval 0.001]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
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

    def run_as_owner(*cmd: str, check: bool = True) -> None:
        subprocess.run(_as_owner([str(folder_bin / cmd[0]), *cmd[1:]]), check=check, capture_output=True)

    run_as_owner("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=100"
    run_as_owner("pg_ctl", "-D", str(data), "-o", options, "-w", "-l", str(folder / "server.log"), "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run_as_owner("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)


def environment(folder: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(
        DIGEST_DATA_DIR=str(folder / "var"), DIGEST_SOURCES=str(ROOT / "content"), DIGEST_SECRET_KEY=KEY
    )
    if database_url:
        env["DIGEST_DATABASE_URL"] = database_url
    return env


def fill(env: dict[str, str], count: int) -> tuple[list[str], list[str]]:
    """``count`` subscribers and CONTROL more; their addresses and one-click paths."""
    from digest import clock
    from digest.plugins import load_settings
    from digest.store import open_store
    from digest.store.link_refs import refs_for
    from digest.subscribers import import_csv
    from digest.unsubscribe import UNSUBSCRIBE, day_of, make_token

    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    run = uuid.uuid4().hex[:6]
    addresses = [f"reader{i:05d}.{run}@example.net" for i in range(count + CONTROL)]
    csv = settings.data_dir / "list.csv"
    csv.write_text("email\n" + "\n".join(addresses) + "\n")
    import_csv(engine, csv)
    refs = refs_for(engine, addresses)
    engine.dispose()
    today = day_of(clock.now())
    return addresses, [f"/u/{make_token(KEY.encode(), UNSUBSCRIBE, refs[a], today)}" for a in addresses]


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(command: list[str], env: dict[str, str], folder: Path) -> Iterator[tuple[int, int]]:
    """Start ``command`` (with ``{port}`` filled in) and wait for its /healthz; its port and pid."""
    from tests.serve.conftest import free_port

    port = free_port()
    log = (folder / "serve.log").open("a")  # a pipe nobody reads would block the server once full
    proc = subprocess.Popen(
        [a.replace("{port}", str(port)) for a in command],
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
                    raise SystemExit(f"{command[1]} did not start; see {folder / 'serve.log'}") from None
                time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=60)
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


def commands(folder: Path, profile: bool, floor_switch: str) -> dict[str, list[str]]:
    here = Path(__file__).parent
    digest = [sys.executable, "-m", "digest", "serve", "--port", "{port}"]
    if profile:
        digest = [sys.executable, str(here / "serve_profile.py"), "{port}", str(folder / "prof")]
    floor = [sys.executable, str(here / "serve_floor.py"), "{port}", *filter(None, [floor_switch])]
    return {"digest": digest, "floor": floor}


def one(
    command: list[str], env: dict[str, str], folder: Path, paths: list[str], clients: int
) -> dict[str, Any]:
    with server(command, env, folder) as (port, pid):
        cpu = cpu_seconds(pid)
        latencies, statuses, wall = hammer(port, paths, clients)
        cpu = cpu_seconds(pid) - cpu
    ordered = sorted(latencies)
    return {
        "req_per_s": len(paths) / wall,
        "cpu_ms": cpu * 1000 / len(paths),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
        "answered_200": statuses.count(200),
    }


def run(label: str, url: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], bool]:
    """``args.rounds`` rounds of digest and the floor, alternating which goes first."""
    runs, posts = [], args.posts
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = environment(folder, url)
        addresses, paths = fill(env, posts * 2 * args.rounds)
        control = addresses[-CONTROL:]
        apps = commands(folder, args.profile, args.floor_switch_interval)
        order = itertools.chain.from_iterable(
            ("digest", "floor") if r % 2 == 0 else ("floor", "digest") for r in range(args.rounds)
        )
        for i, app in enumerate(order):
            part = slice(i * posts, (i + 1) * posts)
            result = one(apps[app], env, folder, paths[part], args.clients)
            result.update(honoured(env, addresses[part], control), app=app, database=label, round=i // 2 + 1)
            runs.append(result)
            print(line(result), flush=True)
        if args.profile:
            print((folder / "prof").read_text())
    ok = all(r["answered_200"] == r["unsubscribed"] == posts and r["control_active"] == CONTROL for r in runs)
    return runs, ok


def line(r: dict[str, Any]) -> str:
    return (
        f"{r['database']:<10} round {r['round']} {r['app']:<6} {r['req_per_s']:7.1f} req/s, "
        f"{r['cpu_ms']:5.2f} ms CPU/request, p50 {r['p50_ms']:6.1f} ms, p99 {r['p99_ms']:6.1f} ms; "
        f"{r['answered_200']} answered 200, {r['unsubscribed']} unsubscribed, "
        f"{r['control_active']}/{CONTROL} others untouched"
    )


def summary(runs: list[dict[str, Any]]) -> str:
    """Per database: the median over rounds of digest's req/s over the floor's, and of the rest."""
    out = []
    for database in dict.fromkeys(r["database"] for r in runs):
        rounds: dict[int, dict[str, dict[str, Any]]] = {}
        for r in runs:
            if r["database"] == database:
                rounds.setdefault(r["round"], {})[r["app"]] = r
        ratios = [p["digest"]["req_per_s"] / p["floor"]["req_per_s"] for p in rounds.values()]
        cpu = [p["digest"]["cpu_ms"] / p["floor"]["cpu_ms"] for p in rounds.values()]
        p99 = statistics.median(p["digest"]["p99_ms"] for p in rounds.values())
        out.append(
            f"{database:<10} digest/floor req/s {statistics.median(ratios):.2f}x "
            f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}); CPU per request "
            f"{statistics.median(cpu):.2f}x the floor's; digest's p99 {p99:.0f} ms (median of rounds)"
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=2000, help="POSTs per app per round")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile digest's rounds (cProfile)")
    parser.add_argument(
        "--floor-switch-interval",
        default="",
        help="run the floor at this interpreter switch interval (digest serve's is "
        "digest.serve.runner.SWITCH_INTERVAL; the default is Python's own)",
    )
    args = parser.parse_args()
    runs, ok = run("sqlite", "", args) if not args.skip_sqlite else ([], True)
    if not args.skip_postgres:
        with postgres() as url:
            more, ok_pg = run("postgresql", url, args)
            runs, ok = runs + more, ok and ok_pg
    print(summary(runs))
    if not ok:
        print("NOT EVERY POST WAS HONOURED (see the lines above)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
