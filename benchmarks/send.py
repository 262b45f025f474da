"""Delivery benchmarks (figures go in the docs).

1. 10,000 messages into a minimal SMTP sink (benchmarks/smtp_sink.py, its own
   process; its own pipelined rate is measured first, many times digest's). The
   floor: smtplib replaying one pre-built digest message of the same size over the
   same number of reused connections. Against it, in the same run and interleaved:
   digest's send loop (edition frozen beforehand) and the whole `digest send` in a
   fresh process (start-up, building and freezing the edition included), with the
   CPU each spends per message.
2. 100,000 subscribers through a batch HTTP provider (SendGrid mail/send, fake
   served locally): request count and peak memory, against a 1,000-subscriber run.

Run: .venv/bin/python benchmarks/send.py [--messages 10000] [--connections 4] [--repeat 3]
     [--big 100000] [--skip-smtp | --skip-http] [--no-pipelining]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_world(workdir: Path, n: int, extra: dict[str, str]):  # type: ignore[no-untyped-def]
    """Settings, an engine with n subscribers and this period's edition frozen (not yet sent)."""
    from digest.compose.build import build_edition, current_period
    from digest.plugins import load_settings
    from digest.store import open_store
    from digest.store.ledger import Ledger
    from tests.delivery.conftest import add_subscribers

    env = {"DIGEST_DATA_DIR": str(workdir / "var"), "DIGEST_SOURCES": str(ROOT / "content"), **extra}
    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    add_subscribers(engine, n)
    now = datetime.now(UTC)
    key, slot = current_period(settings, now)
    ledger = Ledger(engine)
    ledger.ensure_edition(key, slot)
    built = build_edition(settings, ledger, now=now, key=key, slot=slot)
    r = built.rendered
    ledger.freeze_edition(
        key, r.subject, r.html, r.text, [(i.article.id, i.blurb) for i in built.edition.items]
    )
    return settings, engine, key, slot, now


NOW = "2027-01-04T10:00:00+00:00"  # the whole command's clock (DIGEST_TEST_NOW)

SMTP_WORLD = {
    "DIGEST_PROVIDER": "smtp",
    "DIGEST_SMTP_HOST": "127.0.0.1",
    "DIGEST_SMTP_SECURITY": "none",
    "DIGEST_UNSUBSCRIBE_URL": "https://example.org/unsubscribe?token={token}",
}


def digest_fanout(port: int, n: int, connections: int, workdir: Path) -> tuple[float, float, dict[str, int]]:
    """digest's send loop alone (edition frozen beforehand): seconds, CPU seconds, counts."""
    from digest.deliver.send import send_edition
    from digest.providers import make_provider

    settings, engine, key, slot, now = make_world(
        workdir,
        n,
        {**SMTP_WORLD, "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_CONNECTIONS": str(connections)},
    )
    started, cpu = time.perf_counter(), time.process_time()
    report = send_edition(settings, engine, make_provider(settings), key=key, slot=slot, now=now)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return took, cpu, report.counts


def sample_message(workdir: Path) -> bytes:
    """One real digest message as it goes on the wire, for the replay.

    Same settings and the same kind of recipient as the `digest send` run, so both
    send the same bytes (within a few characters of name and address).
    """
    from functools import partial

    from digest.deliver.messages import Letters
    from digest.providers.base import wire_bytes
    from digest.store.ledger import Ledger
    from digest.store.link_refs import refs_for
    from digest.types import Recipient

    settings, engine, key, _, _ = make_world(workdir, 0, SMTP_WORLD)
    edition = Ledger(engine).edition(key)
    assert edition is not None
    reader = Recipient("reader000000@example.net", "Reader 0")
    letters = Letters.from_settings(settings, edition, partial(refs_for, engine))
    data = wire_bytes(letters.outgoing(reader).message)
    engine.dispose()
    return data


def smtp_bench(n: int, connections: int, repeat: int, pipelining: bool = True) -> dict[str, Any]:
    """The sink's own rate first; then ``repeat`` rounds of (replay, digest's send loop, replay,
    whole `digest send`), each digest figure divided by the replay measured next to it."""
    from benchmarks.smtp_sink import pipelined, replay, running_sink
    from benchmarks.whole_command import list_only, whole_command

    rounds: list[dict[str, float]] = []
    windows: list[tuple[float, float]] = []  # each whole command's start and end (epoch seconds)
    with tempfile.TemporaryDirectory() as tmp, running_sink(pipelining) as (port, sink):
        work = Path(tmp)
        data = sample_message(work / "sample")
        seed = list_only(n, work)
        capacity = n / pipelined(port, n, connections, data)
        for run in range(repeat):
            cpu = time.process_time()
            floor = replay(port, n, connections, data)
            floor_cpu = time.process_time() - cpu
            loop, loop_cpu, counts = digest_fanout(port, n, connections, work / f"loop{run}")
            assert counts == {"sent": n}, counts
            floor2 = replay(port, n, connections, data)
            env = {**SMTP_WORLD, "DIGEST_SOURCES": str(ROOT / "content"), "DIGEST_TEST_NOW": NOW}
            began = time.time()
            whole, whole_cpu, _ = whole_command(env, port, connections, seed, work / f"whole{run}")
            windows.append((began, time.time()))
            rounds.append(
                {
                    "replay": n / floor,
                    "replay2": n / floor2,
                    "fanout": n / loop,
                    "whole": n / whole,
                    "fanout_ratio": floor / loop,
                    "whole_ratio": floor2 / whole,
                    "replay_cpu_ms": 1000 * floor_cpu / n,
                    "fanout_cpu_ms": 1000 * loop_cpu / n,
                    "whole_cpu_ms": 1000 * whole_cpu / n,
                }
            )
    for each, window in zip(rounds, windows, strict=True):
        each.update(phases(window, sink["connections"]))
    return {
        "messages": n,
        "connections": connections,
        "message_bytes": len(data),
        "sink_capacity": capacity,
        "sink_cpu_ms": 1000 * sink["cpu"] / sink["messages"],
        "rounds": rounds,
    }


def phases(window: tuple[float, float], connections: list[list[float]]) -> dict[str, float]:
    """A whole command's time split by what the sink saw of it: before its first connection,
    from there to its last message accepted, and after (its report, the process ending)."""
    began, ended = window
    mine = [c for c in connections if began <= c[0] <= ended and c[2]]
    first, last = min(c[0] for c in mine), max(c[1] for c in mine)
    return {"before": first - began, "calls": last - first, "after": ended - last}


def print_smtp(smtp: dict[str, Any]) -> None:
    print(
        f"SMTP, {smtp['messages']:,} messages of {smtp['message_bytes']:,} bytes, "
        f"{smtp['connections']} connections"
    )
    print(
        f"  sink alone (pipelined, {smtp['connections']} connections): {smtp['sink_capacity']:,.0f} msg/s; "
        f"sink CPU over the whole run {smtp['sink_cpu_ms']:.3f} ms/msg"
    )
    for r in smtp["rounds"]:
        print(
            f"  replay {r['replay']:5.0f} msg/s ({r['replay_cpu_ms']:.2f} ms CPU/msg) | "
            f"send loop {r['fanout']:5.0f} msg/s ({r['fanout_cpu_ms']:.2f} ms) = {r['fanout_ratio']:.2f}x | "
            f"replay {r['replay2']:5.0f} | whole `digest send` {r['whole']:5.0f} msg/s "
            f"({r['whole_cpu_ms']:.2f} ms) = {r['whole_ratio']:.2f}x"
        )
        print(
            f"    the whole command: {r['before']:.2f} s before its first call, {r['calls']:.2f} s of "
            f"calls, {r['after']:.2f} s after its last"
        )
    for name in ("fanout_ratio", "whole_ratio"):
        values = [r[name] for r in smtp["rounds"]]
        low, high = min(values), max(values)
        print(f"  {name}: median {statistics.median(values):.2f}x (min {low:.2f}, max {high:.2f})")


def http_child(n: int, base: str, workdir: str) -> None:
    """Runs in a fresh process: one send of n subscribers; prints peak memory as JSON."""
    import tracemalloc

    from digest.deliver.send import send_edition
    from digest.providers import make_provider

    settings, engine, key, slot, now = make_world(
        Path(workdir),
        n,
        {
            "DIGEST_PROVIDER": "sendgrid",
            "DIGEST_SENDGRID_API_KEY": "SG.test-key",
            "DIGEST_SENDGRID_BASE_URL": base,
            "DIGEST_UNSUBSCRIBE_URL": "https://example.org/unsubscribe?token={token}",
        },
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    report = send_edition(settings, engine, make_provider(settings), key=key, slot=slot, now=now)
    took = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    print(
        json.dumps(
            {
                "counts": report.counts,
                "seconds": took,
                "traced_peak_mb": peak / 2**20,
                "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_before_send_mb": rss_before / 1024,
            }
        )
    )


def http_bench(sizes: list[int]) -> list[dict[str, object]]:
    from tests.fakes.esp_sendgrid import FakeSendGrid
    from tests.fakes.http_api import serve

    results = []
    for n in sizes:
        with serve(FakeSendGrid()) as api, tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--http-child", str(n), api.base, tmp],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            data = json.loads(out.stdout.strip().splitlines()[-1])
            data.update(
                subscribers=n,
                requests=api.calls,
                delivered=len(api.delivered),  # type: ignore[attr-defined]
                violations=len(api.violations),
            )
            results.append(data)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="SMTP rounds (medians shown)")
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--http-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--skip-smtp", action="store_true")
    parser.add_argument("--skip-http", action="store_true", help="only the SMTP benchmark")
    parser.add_argument(
        "--no-pipelining", action="store_true", help="the sink does not offer PIPELINING (each command waits)"
    )
    args = parser.parse_args()
    if args.http_child:
        n, base, work = args.http_child
        http_child(int(n), base, work)
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if not args.skip_smtp:
        if args.no_pipelining:
            print("the sink does not offer PIPELINING: MAIL, RCPT and DATA each wait for their answer")
        print_smtp(smtp_bench(args.messages, args.connections, args.repeat, not args.no_pipelining))
    if args.skip_http:
        return
    runs = http_bench([1000, args.big])
    for r in runs:
        print(
            f"HTTP batch (sendgrid fake), {r['subscribers']:>7,} subscribers: {r['requests']} requests, "
            f"{r['delivered']:,} delivered, {r['violations']} violations, {r['seconds']:.1f} s, "
            f"traced peak {r['traced_peak_mb']:.1f} MB, process peak RSS {r['rss_peak_mb']:.0f} MB"
        )
    small, big = runs
    print(
        f"  peak memory ratio {args.big:,} / 1,000: "
        f"traced {big['traced_peak_mb'] / small['traced_peak_mb']:.2f}x, "
        f"RSS {big['rss_peak_mb'] / small['rss_peak_mb']:.2f}x"
    )


if __name__ == "__main__":
    main()
