"""A minimal SMTP sink for the send benchmark: accepts every message, keeps none.

One asyncio protocol, no parsing beyond finding line ends and the end of DATA,
so it costs a few microseconds of CPU per message and is never what limits a
sender (benchmarks/send.py measures its own rate first, pipelined, before it
compares anything). It answers commands in order, so a client may pipeline.

Run on its own: .venv/bin/python benchmarks/smtp_sink.py PORT
It prints "ready" once it listens, and on SIGTERM the messages and the CPU
seconds it used, as JSON on one line.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

END = b"\r\n.\r\n"


class Sink(asyncio.Protocol):
    pipelining = True  # offered in the EHLO answer (its input is read pipelined either way)
    counter = [0]  # messages accepted by every connection of this process
    # Each connection: [opened, its last message accepted (epoch seconds), messages], so the
    # benchmark can split a whole command's time into before its first call, the calls, and after.
    connections: list[list[float]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = bytearray()
        self.in_data = False
        self.record = [time.time(), 0.0, 0]
        self.connections.append(self.record)
        self.transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while True:
            if self.in_data:
                # The end may straddle two reads: search from a few bytes before the new ones.
                end = self.buffer.find(END)
                if end < 0:
                    # keep only what could start the end marker
                    del self.buffer[: max(len(self.buffer) - 4, 0)]
                    break
                del self.buffer[: end + len(END)]
                self.in_data = False
                self.counter[0] += 1
                self.record[1] = time.time()
                self.record[2] += 1
                replies.append(b"250 2.0.0 queued\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                break
            verb = bytes(self.buffer[:4]).upper()
            del self.buffer[: line_end + 2]
            replies.append(self.answer(verb))
            if verb == b"DATA":
                self.in_data = True
                self.buffer[:0] = b"\r\n"  # the message's first line may be the "." alone
        if replies:
            self.transport.write(b"".join(replies))
            if replies[-1].startswith(b"221"):
                self.transport.close()

    @staticmethod
    def answer(verb: bytes) -> bytes:
        if verb == b"EHLO":
            offered = b"250-8BITMIME\r\n250 PIPELINING\r\n" if Sink.pipelining else b"250 8BITMIME\r\n"
            return b"250-sink\r\n" + offered
        if verb == b"DATA":
            return b"354 go ahead\r\n"
        if verb == b"QUIT":
            return b"221 bye\r\n"
        return b"250 OK\r\n"


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Sink, "127.0.0.1", port, backlog=128)
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    print("ready", flush=True)
    async with server:
        await stopped.wait()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"messages": Sink.counter[0], "cpu": cpu, "connections": Sink.connections}), flush=True)


@contextmanager
def running_sink(pipelining: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
    """The sink in its own process: (port, what it reported when stopped)."""
    from tests.fakes.smtp import free_port

    port = free_port()
    command = [sys.executable, str(Path(__file__)), str(port)] + ([] if pipelining else ["plain"])
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    totals: dict[str, float] = {}
    try:
        yield port, totals
    finally:
        proc.terminate()
        totals.update(json.loads(proc.stdout.readline()))
        proc.wait()


def shares(n: int, connections: int) -> list[int]:
    return [n // connections + (1 if i < n % connections else 0) for i in range(connections)]


def pipelined(port: int, n: int, connections: int, data: bytes) -> float:
    """Seconds for the sink to take n messages written without waiting for answers (its own rate)."""
    one = b"MAIL FROM:<newsletter@example.org>\r\nRCPT TO:<reader@example.net>\r\nDATA\r\n" + data
    one += b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n"

    def worker(count: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as s, s.makefile("rb") as answers:
            answers.readline()
            s.sendall(b"EHLO bench\r\n")
            while answers.readline()[3:4] == b"-":
                pass
            reader = threading.Thread(target=lambda: [answers.readline() for _ in range(4 * count)])
            reader.start()
            for _ in range(count):
                s.sendall(one)
            reader.join()
            s.sendall(b"QUIT\r\n")
            answers.readline()

    return _threads(worker, shares(n, connections))


def replay(port: int, n: int, connections: int, data: bytes) -> float:
    """Seconds for smtplib to send pre-built ``data`` n times over ``connections`` reused connections."""

    def worker(count: int) -> None:
        conn = smtplib.SMTP("127.0.0.1", port)
        conn.ehlo()
        for i in range(count):
            conn.sendmail("newsletter@example.org", [f"reader{i:06d}@example.net"], data)
        conn.quit()

    return _threads(worker, shares(n, connections))


def _threads(worker, counts: list[int]) -> float:  # type: ignore[no-untyped-def]
    threads = [threading.Thread(target=worker, args=(c,)) for c in counts]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


if __name__ == "__main__":
    Sink.pipelining = "plain" not in sys.argv[2:]
    asyncio.run(serve(int(sys.argv[1])))
