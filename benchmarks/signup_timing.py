"""Does a sign-up's answer time tell whether an address is on the list? (figures go in docs/web.md)

A real `digest serve` (its own process, SQLite, provider smtp) mails through a local SMTP server
that takes 0.5 s per message, as a distant one may. Sign-ups alternate between new addresses and
addresses already subscribed; each answer is timed from the POST to its last byte. Baseline in
the same run: GET /subscribe (the form, no database write). The confirmations are sent by the
server's worker after the answers; the run checks that every new address got one and no
subscriber did.

Run: .venv/bin/python benchmarks/signup_timing.py [--rounds 40] [--smtp-delay 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    answer = call()
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200, answer.status_code
    return elapsed


def summary(name: str, times: list[float], base: float) -> str:
    ms = sorted(t * 1000 for t in times)
    median, p90 = statistics.median(ms), ms[int(len(ms) * 0.9) - 1]
    return f"{name:<22} median {median:6.1f} ms  p90 {p90:6.1f} ms  ({median / base:4.2f}x the form)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--smtp-delay", type=float, default=0.5)
    args = parser.parse_args()
    from tests.fakes.smtp import Mailbox, smtp_server
    from tests.serve.conftest import add_people, running
    from tests.serve.helpers import hidden_fields, queue_settled

    with tempfile.TemporaryDirectory(prefix="digest-bench-") as folder, smtp_server(
        Mailbox(delay=args.smtp_delay)
    ) as (box, port):
        root = Path(folder)
        settings = {"DIGEST_PROVIDER": "smtp", "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port)}
        settings.update(DIGEST_SMTP_SECURITY="none", DIGEST_SIGNUPS_PER_IP="100000")
        with running(root, **settings) as srv:
            members = [f"member{n}@example.org" for n in range(args.rounds)]
            add_people(srv, *[(a, "en") for a in members])
            form_times, new_times, member_times = [], [], []
            for n in range(args.rounds):
                for address, into in ((f"new{n}@example.org", new_times), (members[n], member_times)):
                    srv.session.cookies.clear()
                    form_times.append(timed(lambda: srv.session.get(srv.url("/subscribe"))))
                    page = srv.session.get(srv.url("/subscribe"))
                    fields = {**hidden_fields(page.text), "email": address, "language": "en"}
                    fields["consent"] = "yes"
                    into.append(timed(lambda f=fields: srv.session.post(srv.url("/subscribe"), data=f)))
            started = time.perf_counter()
            queue_settled(root, timeout=args.rounds * (args.smtp_delay + 1) + 30)
            drained = time.perf_counter() - started
    base = statistics.median(form_times) * 1000
    print(f"{args.rounds} rounds, SMTP server taking {args.smtp_delay} s per message")
    print(summary("GET /subscribe (base)", form_times, base))
    print(summary("sign-up, new address", new_times, base))
    print(summary("sign-up, subscribed", member_times, base))
    gap = abs(statistics.median(new_times) - statistics.median(member_times)) * 1000
    print(f"difference of the medians: {gap:.1f} ms; queue drained {drained:.1f} s after the last answer")
    mailed = sorted(box.rcpts)
    assert mailed == sorted(f"new{n}@example.org" for n in range(args.rounds)), "a confirmation went astray"
    print(f"confirmations: {len(mailed)} to the new addresses, 0 to subscribers")


if __name__ == "__main__":
    main()
