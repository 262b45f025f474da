"""What one thread driving every SMTP connection would reach (issue 24): a measurement of a design,
not digest's send path.

digest's send loop gives each connection a thread and one ledger writer commits for them all; what
holds it is the interpreter lock handed between those five threads (docs/sending.md). This script
sends the same edition the same way from one thread, in rounds: read each connection's answers
(the last message's "." and the pipelined MAIL, RCPT and DATA of the next), write every body, then
ONE flushed transaction that records the round's hand-overs, the last round's outcomes and claims
the next deliveries (with the list's question, ``SendPath.settle`` as the writer runs it), then each
"." with the next envelope behind it. The promise holds as today: at most one message a connection
is handed over without a recorded answer. Left out, as a prototype may: every refusal, retry,
reconnection, TLS, pacing, stopping and the bounce policy (every answer here is a 250).

Run: .venv/bin/python benchmarks/one_driver.py [--rounds 3] [--connections 4]
Against the replay and today's send loop, alternating, 10,000 messages.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def answers(conn: list[Any], n: int) -> list[int]:
    """The codes of the next n replies on ``conn`` ([socket, unread bytes])."""
    sock, buf = conn
    codes: list[int] = []
    while len(codes) < n:
        end = buf.find(b"\r\n")
        if end < 0:
            buf += sock.recv(65536)
            continue
        line, buf = buf[:end], buf[end + 2 :]
        if line[3:4] != b"-":
            codes.append(int(line[:3]))
    conn[1] = buf
    return codes


class Driver:
    """One edition, one thread, ``width`` connections."""

    def __init__(self, port: int, width: int, n: int, workdir: Path) -> None:
        from benchmarks.send import SMTP_WORLD, make_world
        from digest.deliver.fanout import SendOptions
        from digest.deliver.modes import mode_for
        from digest.providers import make_provider
        from digest.store.ledger import Ledger

        extra = {**SMTP_WORLD, "DIGEST_SMTP_PORT": str(port)}
        self.settings, self.engine, self.key, _, _ = make_world(workdir, n, extra)
        self.ledger = Ledger(self.engine)
        self.provider = make_provider(self.settings)
        self.mode = mode_for(self.provider)
        self.options = SendOptions.from_settings(self.settings)
        self.port, self.width, self.sent = port, width, 0
        self.encoder = smtplib.SMTP()  # only for envelope_bytes' command encoding
        self._prepared: dict[int, bytes] = {}  # each claimed delivery's message, as DATA carries it

    def run(self) -> int:
        from digest.deliver.fanout import snapshot
        from digest.deliver.messages import Letters
        from digest.store.rows import ClaimSpec
        from digest.store.sendpath import SendPath
        from digest.store.sendreads import SendReads

        snapshot(self.ledger, self.mode, self.ledger.edition(self.key))
        edition = self.ledger.edition(self.key)
        assert edition is not None
        self.reads = SendReads(self.engine, self.options.links.key)
        self.letters = Letters(
            self.options.heading, self.options.links, edition, self.reads.refs, self.ledger.bodies(self.key)
        )
        claim = ClaimSpec(self.key, self.provider.channel(), "one-driver", 300.0, None, self.reads.question)
        conns = [self._open() for _ in range(self.width)]
        with self.reads, SendPath(self.engine, durable_claims=False) as path:
            current = dict(enumerate(path.settle([], claim, self.width)))
            for c, row in current.items():
                conns[c][0].sendall(self._envelope(row))
            current = {c: (row, self._prepared[row.id]) for c, row in current.items()}
            self._rounds(path, claim, conns, current)
        for sock, _ in conns:
            sock.close()
        return self.sent

    def _rounds(self, path: Any, claim: Any, conns: list[list[Any]], current: dict[int, Any]) -> None:
        from digest.store.rows import Outcome

        done: list[Any] = []
        answered: dict[int, int] = {}  # connection -> delivery whose "." awaits its answer
        while current or answered:
            for c in sorted(set(current) | set(answered)):
                codes = answers(conns[c], (1 if c in answered else 0) + (3 if c in current else 0))
                if c in answered:
                    done.append(Outcome(answered.pop(c), "sent", provider_id="x"))
                    self.sent += 1
                    codes = codes[1:]
                assert codes in ([250, 250, 354], []), codes
            for c, (_, data) in current.items():
                conns[c][0].sendall(data)
            claimed = path.settle(done, claim, len(current), [row.id for row, _ in current.values()])
            done, following = [], iter(claimed)
            for c, (row, _) in list(current.items()):
                answered[c] = row.id
                nxt = next(following, None)
                conns[c][0].sendall(b".\r\n" + (self._envelope(nxt) if nxt is not None else b""))
                if nxt is None:
                    del current[c]
                else:
                    current[c] = (nxt, self._prepared[nxt.id])
        path.settle(done, None, 0)

    def _envelope(self, row: Any) -> bytes:
        """Build ``row``'s message (the list asked, the links made) and return its envelope."""
        from digest.deliver.modes import still_due
        from digest.providers.smtp_exchange import envelope_bytes
        from digest.render.message import message_id

        due = still_due(self.ledger, row, self.letters.links.key, gone=self.reads.not_to_mail)
        item = self.letters.batch(due)[0]
        msgid = message_id(item.edition_key, item.recipient.email, item.content.sender)
        self._prepared[row.id] = self.provider._wire(item, msgid)
        return envelope_bytes(self.encoder, self.provider.mail_from(row.idem_key), item.recipient.email)

    def _open(self) -> list[Any]:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = [sock, b""]
        answers(conn, 1)
        sock.sendall(b"EHLO one-driver\r\n")
        answers(conn, 1)
        return conn


def main() -> None:
    from benchmarks.send import digest_fanout, sample_message
    from benchmarks.smtp_sink import replay, running_sink

    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    n, width = 10_000, args.connections
    with tempfile.TemporaryDirectory() as tmp, running_sink() as (port, _):
        data = sample_message(Path(tmp) / "sample")
        for r in range(args.rounds):
            floor = replay(port, n, width, data)
            driver = Driver(port, width, n, Path(tmp) / f"one{r}")
            started = time.perf_counter()
            sent = driver.run()
            took = time.perf_counter() - started
            assert sent == n, sent
            floor2 = replay(port, n, width, data)
            loop, _, counts = digest_fanout(port, n, width, Path(tmp) / f"loop{r}")
            assert counts == {"sent": n}, counts
            print(
                f"one thread: {n / took:5.0f} msg/s = {floor / took:.2f}x of the replay | "
                f"today's loop: {n / loop:5.0f} msg/s = {floor2 / loop:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
