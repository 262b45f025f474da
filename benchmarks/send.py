"""Delivery benchmarks (figures go in the docs).

1. 5,000 messages to a local SMTP server (aiosmtpd, its own process): `digest send`
   (ledger on, DIGEST_SMTP_CONNECTIONS parallel connections) against a raw smtplib
   loop over the same number of reused connections (the ceiling that server
   allows); plus a naive loop opening one connection per message, without and
   with STARTTLS.
2. 100,000 subscribers through a batch HTTP provider (SendGrid mail/send, fake
   served locally): request count and peak memory, against a 1,000-subscriber run.

Run: .venv/bin/python benchmarks/send.py [--messages 5000] [--connections 4] [--repeat 5]
     [--big 100000] [--skip-smtp | --skip-http]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import smtplib
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_smtp(port: int, cert: str, key: str, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            return "250 OK"

    context = None
    if cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context)
    controller.start()
    ready.set()
    threading.Event().wait()


def start_server(tls: bool, workdir: Path) -> tuple[multiprocessing.Process, int]:
    from tests.fakes.smtp import free_port

    cert = key = ""
    if tls:
        cert, key = str(workdir / "cert.pem"), str(workdir / "key.pem")
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                key,
                "-out",
                cert,
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
    port = free_port()
    ready = multiprocessing.Event()
    proc = multiprocessing.Process(target=serve_smtp, args=(port, cert, key, ready), daemon=True)
    proc.start()
    ready.wait(10)
    return proc, port


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


SMTP_WORLD = {
    "DIGEST_PROVIDER": "smtp",
    "DIGEST_SMTP_HOST": "127.0.0.1",
    "DIGEST_SMTP_SECURITY": "none",
    "DIGEST_UNSUBSCRIBE_URL": "https://example.org/unsubscribe?token={token}",
}


def digest_send(port: int, n: int, connections: int, workdir: Path) -> tuple[float, dict[str, int]]:
    from digest.deliver.send import send_edition
    from digest.providers import make_provider

    settings, engine, key, slot, now = make_world(
        workdir,
        n,
        {**SMTP_WORLD, "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_CONNECTIONS": str(connections)},
    )
    started = time.perf_counter()
    report = send_edition(settings, engine, make_provider(settings), key=key, slot=slot, now=now)
    took = time.perf_counter() - started
    engine.dispose()
    return took, report.counts


def sample_message(workdir: Path) -> bytes:
    """One real digest message as it goes on the wire, for the raw loops.

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


def raw_reused(port: int, n: int, connections: int, data: bytes) -> float:
    def worker(count: int) -> None:
        conn = smtplib.SMTP("127.0.0.1", port)
        conn.ehlo()
        for i in range(count):
            conn.sendmail("newsletter@example.org", [f"reader{i}@example.net"], data)
        conn.quit()

    shares = [n // connections + (1 if i < n % connections else 0) for i in range(connections)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def raw_naive(port: int, n: int, data: bytes, starttls: bool) -> float:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # a throwaway self-signed certificate on 127.0.0.1
    started = time.perf_counter()
    for i in range(n):
        conn = smtplib.SMTP("127.0.0.1", port)
        conn.ehlo()
        if starttls:
            conn.starttls(context=context)
            conn.ehlo()
        conn.sendmail("newsletter@example.org", [f"reader{i}@example.net"], data)
        conn.quit()
    return time.perf_counter() - started


def smtp_bench(n: int, connections: int, repeat: int) -> dict[str, Any]:
    """``repeat`` pairs of (raw loop, digest send) against the same server; the naive loops once."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plain, port = start_server(False, work)
        tls, tls_port = start_server(True, work)
        try:
            data = sample_message(work / "sample")
            pairs = []
            for run in range(repeat):
                ceiling = raw_reused(port, n, connections, data)
                ours, counts = digest_send(port, n, connections, work / f"digest{run}")
                assert counts == {"sent": n}, counts
                pairs.append((n / ceiling, n / ours))
            naive_n = min(n, 1000)
            naive = raw_naive(port, naive_n, data, starttls=False)
            naive_tls = raw_naive(tls_port, naive_n, data, starttls=True)
        finally:
            plain.terminate()
            tls.terminate()
    ratios = [d / r for r, d in pairs]
    return {
        "messages": n,
        "connections": connections,
        "message_bytes": len(data),
        "pairs": pairs,
        "ratios": ratios,
        "median_ratio": statistics.median(ratios),
        "naive_per_s": naive_n / naive,
        "naive_starttls_per_s": naive_n / naive_tls,
    }


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
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1, help="SMTP runs (median ratio shown)")
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--http-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--skip-smtp", action="store_true")
    parser.add_argument("--skip-http", action="store_true", help="only the SMTP benchmark")
    args = parser.parse_args()
    if args.http_child:
        n, base, work = args.http_child
        http_child(int(n), base, work)
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if not args.skip_smtp:
        smtp = smtp_bench(args.messages, args.connections, args.repeat)
        print(
            f"SMTP, {smtp['messages']} messages of {smtp['message_bytes']} bytes, "
            f"{smtp['connections']} connections"
        )
        for (raw, ours), ratio in zip(smtp["pairs"], smtp["ratios"], strict=True):
            print(
                f"  raw smtplib, reused connections (ceiling) {raw:6.0f} msg/s; "
                f"digest send (ledger on) {ours:6.0f} msg/s = {ratio:.2f}x"
            )
        print(f"  median ratio over {len(smtp['ratios'])} runs: {smtp['median_ratio']:.2f}x of the ceiling")
        print(f"  naive, one connection per msg   : {smtp['naive_per_s']:8.0f} msg/s")
        print(f"  naive, same with STARTTLS       : {smtp['naive_starttls_per_s']:8.0f} msg/s")
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
