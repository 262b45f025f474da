"""A real SMTP server (aiosmtpd) on 127.0.0.1, collecting messages, with injectable faults.

aiosmtpd's ``Controller(port=0)`` fails (its readiness probe connects to port 0),
so a free port is picked first.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.paths import SAMPLE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    raw: list[bytes] = field(default_factory=list)
    rcpts: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)  # MAIL FROM of each message kept
    # Faults: answer the next N DATA commands with this reply, or drop the connection;
    # "hang": accept the message, then never answer (the client waits for the reply to ".");
    # a "hang" RCPT reply never answers RCPT (nothing of the message is sent).
    data_replies: list[str] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    # "drop" closes the connection at the next MAIL, before answering it (a connection gone idle).
    mail_replies: list[str] = field(default_factory=list)
    # Refusals by address, every time: at RCPT, or at DATA for a transaction that names the address.
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    refuse_data: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # Offer PIPELINING (RFC 2920), as Postfix and the big relays do: the sender then writes MAIL,
    # RCPT and DATA at once. aiosmtpd itself answers pipelined commands in order without saying so.
    pipelining: bool = True
    sessions: int = 0
    # Called with the recipients of each message as its final "." arrives, before it is answered.
    on_message: Callable[[list[str]], None] | None = None
    times: list[float] = field(default_factory=list)  # monotonic arrival time of each message
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self) -> list[Message]:
        return [message_from_bytes(r) for r in self.raw]

    def counts(self) -> Counter[str]:
        return Counter(self.rcpts)


class Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.box.lock:
            self.box.sessions += 1
        session.host_name = hostname
        if self.box.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.box.lock:
            reply = self.box.mail_replies.pop(0) if self.box.mail_replies else ""
        if reply == "drop":
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.box.lock:
            reply = self.box.rcpt_replies.pop(0) if self.box.rcpt_replies else ""
            reply = reply or self.box.refuse_rcpt.get(address, "")
        if reply == "hang":
            await asyncio.sleep(3600)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.box.lock:
            reply = self.box.data_replies.pop(0) if self.box.data_replies else ""
            refused = [self.box.refuse_data[a] for a in envelope.rcpt_tos if a in self.box.refuse_data]
            reply = reply or (refused[0] if refused else "")
        if self.box.on_message is not None:
            self.box.on_message(list(envelope.rcpt_tos))
        if reply == "drop":
            server.transport.close()
            return "421 closing"
        if reply == "hang":
            self._keep(envelope)
            await asyncio.sleep(3600)
        if reply:
            return reply
        if self.box.delay:
            time.sleep(self.box.delay)
        self._keep(envelope)
        return "250 Message accepted"

    def _keep(self, envelope) -> None:  # type: ignore[no-untyped-def]
        with self.box.lock:
            self.box.raw.append(envelope.original_content or envelope.content)
            self.box.rcpts += list(envelope.rcpt_tos)
            self.box.senders.append(envelope.mail_from)
            self.box.times.append(time.monotonic())


@contextmanager
def smtp_server(box: Mailbox | None = None, port: int = 0) -> Iterator[tuple[Mailbox, int]]:
    """The server on ``port`` (a free one when 0: pass one to bring a server up where a closed
    port refused connections before)."""
    box = box or Mailbox()
    port = port or free_port()
    controller = Controller(Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def smtp_send_env(data: Path, port: int, connections: int = 1, **extra: str) -> dict[str, str]:
    """The environment of a `digest send` subprocess mailing this fake over plain SMTP on ``port``,
    with no DIGEST_* value of the caller's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(
        DIGEST_DATA_DIR=str(data),
        DIGEST_SOURCES=str(SAMPLE),
        DIGEST_PROVIDER="smtp",
        DIGEST_SMTP_HOST="127.0.0.1",
        DIGEST_SMTP_PORT=str(port),
        DIGEST_SMTP_SECURITY="none",
        DIGEST_SMTP_CONNECTIONS=str(connections),
        **extra,
    )
    return env
