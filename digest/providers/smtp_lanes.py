"""Every SMTP connection of a send driven from one thread, in rounds (see :mod:`digest.deliver.rounds`).

With a thread per connection and one ledger writer, what held the send was the interpreter
lock handed between those threads after every flush (docs/sending.md). Here one thread
reads each connection's answers, writes each accepted message's body, lets the ledger
record the round's hand-overs in one flushed transaction, then writes each final "." with
the connection's next envelope behind it (PIPELINING, RFC 2920). A server that does not pipeline
gets MAIL, RCPT and DATA one at a time, each connection's next command written as soon as the last
is answered, all connections at once. A connection's failures mean what they mean in
:mod:`digest.providers.smtp`:

- before any answer to the envelope (a connection dropped while idle): reopened once and the
  envelope written again; nothing was accepted;
- a refused MAIL, RCPT or DATA: the call's refusal (a DATA opened anyway is ended, then RSET);
- the body's write fails: not handed over (no final "."), so it may be sent again;
- after the final "." and before its answer: the outcome is unknown, never resent in this run;
- a 421 closes the connection; the next message opens another.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable

from digest.errors import AuthError, ProviderError
from digest.providers.base import SendResult
from digest.providers.smtp_connections import NETWORK_ERRORS, Server, connect
from digest.providers.smtp_exchange import (
    close_data,
    dot_stuff,
    dropped_twice,
    ended_during_data,
    envelope_bytes,
    rcpt_to,
    refused_envelope,
)
from digest.providers.smtp_exchange import refusal as refusal_of

# A message sent on a sending thread's own connection: SmtpProvider._send_one.
SendOne = Callable[[bytes, str, str], None]


class Wire:
    """One prepared message: its bytes on the wire and envelope. Called, it sends itself
    (a thread of its own, :meth:`SmtpProvider._send_one`), or, once :class:`Lanes` drove it,
    returns or raises what its server answered."""

    __slots__ = ("answer", "body", "data", "done", "handed", "mail_from", "msgid", "rcpt", "send")

    def __init__(
        self, send: SendOne, data: bytes, stuffed: bool, rcpt: str, mail_from: str, msgid: str
    ) -> None:
        self.send, self.data, self.rcpt, self.mail_from, self.msgid = send, data, rcpt, mail_from, msgid
        self.body = data if stuffed else b""  # dot-stuffed, made when a lane first needs it
        self.answer: ProviderError | None = None
        self.done = False  # driven by Lanes, and answered (or failed)
        self.handed = False  # its final "." was written

    def __call__(self) -> SendResult:
        if not self.done:
            self.send(self.data, self.rcpt, self.mail_from)
        elif self.answer is not None:
            raise self.answer
        return SendResult(provider_id=self.msgid)

    def stuffed(self) -> bytes:
        if not self.body:
            self.body = dot_stuff(self.data)
        return self.body


class _Lane:
    __slots__ = ("closing", "conn", "open_body", "opening", "replies", "tries")

    def __init__(self, conn: smtplib.SMTP | None) -> None:
        self.conn = conn
        self.opening: Wire | None = None  # its envelope (or its first commands) written
        self.replies: list[tuple[int, bytes]] = []  # the answers to the opening message's envelope so far
        self.open_body: Wire | None = None  # its body written, the final "." not yet
        self.closing: Wire | None = None  # its final "." written, the answer unread
        self.tries = 0  # connections the opening message has been through


class Lanes:
    """``width`` connections to one server, driven from one thread (see the module's text)."""

    def __init__(self, name: str, server: Server, width: int) -> None:
        self.name, self.server = name, server
        self.lanes = [_Lane(None) for _ in range(width)]
        self._finished: list[Wire] = []
        # A refused login is not tried again on another connection: many refusals can lock the account.
        self._refused_login: AuthError | None = None

    @property
    def width(self) -> int:
        return len(self.lanes)

    def _connect(self) -> smtplib.SMTP:
        if self._refused_login is not None:
            raise self._refused_login
        try:
            return connect(self.name, self.server)
        except AuthError as exc:
            self._refused_login = exc
            raise

    def takes(self, call: object) -> Wire | None:
        """The message of ``call`` (a prepared call, maybe wrapped with an ``inner``) if a lane can
        carry it; None: make the call as it is (it sends nothing: a skip, or a failure to prepare)."""
        inner = getattr(call, "inner", call)
        return inner if isinstance(inner, Wire) else None

    def busy(self) -> bool:
        return bool(self._finished) or any(
            lane.opening or lane.open_body or lane.closing for lane in self.lanes
        )

    def finished(self) -> list[Wire]:
        """The messages answered (or failed) since the last time, each with its answer."""
        done, self._finished = self._finished, []
        return done

    def advance(self, i: int, wire: Wire | None) -> None:
        """Lane ``i``: the final "." of the message whose body it wrote, then ``wire``'s envelope (its
        MAIL alone when the server does not pipeline), in one write (a new connection if it has none)."""
        lane = self.lanes[i]
        out = b""
        if lane.open_body is not None:
            body, lane.open_body = lane.open_body, None
            out = b".\r\n" if body.stuffed().endswith(b"\r\n") else b"\r\n.\r\n"
            lane.closing, body.handed = body, True
        if wire is not None and (lane.conn is not None or self._reopen(lane, wire)):
            lane.opening, lane.replies, lane.tries = wire, [], 1
            out += self._opening(lane, wire)
        self._write(lane, out)

    def read(self) -> list[Wire]:
        """Every lane's answers: the last final "." (its message finished), then the envelope's, after
        which the body is written; returns the messages whose body went (their hand-overs to record)."""
        for lane in self.lanes:
            if lane.closing is not None:
                closing, lane.closing = lane.closing, None
                self._done(closing, self._final_answer(lane, closing))
        opened: list[Wire] = []
        waiting = [lane for lane in self.lanes if lane.opening is not None]
        while waiting:  # one pass per command without PIPELINING, else one
            again = []
            for lane in waiting:
                wire = lane.opening
                assert wire is not None
                step = self._envelope(lane, wire)
                if step == "wait":
                    again.append(lane)
                    continue
                lane.opening = None
                if step == "open" and self._body(lane, wire):
                    opened.append(wire)
            waiting = again
        return opened

    def _opening(self, lane: _Lane, wire: Wire) -> bytes:
        assert lane.conn is not None
        if lane.conn.has_extn("pipelining"):
            return envelope_bytes(lane.conn, wire.mail_from, wire.rcpt)
        return f"mail {wire.mail_from}\r\n".encode(lane.conn.command_encoding)

    def _write(self, lane: _Lane, out: bytes) -> None:
        if out and lane.conn is not None:
            try:
                lane.conn.send(out)
            except NETWORK_ERRORS:
                self._drop(lane)  # read() finds out: a message handed over is unknown, an envelope goes again

    def _body(self, lane: _Lane, wire: Wire) -> bool:
        try:
            assert lane.conn is not None
            lane.conn.send(wire.stuffed())
        except NETWORK_ERRORS:
            self._drop(lane)
            why = "the connection ended while the message was written, before its end: it was not handed over"
            self._done(wire, ProviderError(self.name, why, retryable=True))
            return False
        lane.open_body = wire
        return True

    def _final_answer(self, lane: _Lane, wire: Wire) -> ProviderError | None:
        try:
            if lane.conn is None:
                raise smtplib.SMTPServerDisconnected("the connection ended")
            code, reply = lane.conn.getreply()
        except NETWORK_ERRORS as exc:
            self._drop(lane)
            return ended_during_data(self.name, exc)
        if code == 250:
            return None
        if code == 421:
            self._drop(lane)
        return refusal_of(self.name, code, reply, wire.rcpt, "DATA")

    def _envelope(self, lane: _Lane, wire: Wire) -> str:
        """Read the envelope's answers written for: "open" (DATA answered 354), "wait" (the next
        command written, or the envelope again on a new connection when the last was gone before any
        answer: once), "done" (``wire`` finished, refused or failed)."""
        try:
            if lane.conn is None:
                raise smtplib.SMTPServerDisconnected("the connection ended")
            for _ in range(3 if lane.conn.has_extn("pipelining") else 1):
                lane.replies.append(lane.conn.getreply())
                if lane.replies[-1][0] == 421:
                    break
        except NETWORK_ERRORS:
            self._drop(lane)
            if lane.tries >= 2:
                self._done(wire, dropped_twice(self.name))
                return "done"
            lane.tries, lane.replies = lane.tries + 1, []
            if not self._reopen(lane, wire):
                return "done"
            self._write(lane, self._opening(lane, wire))
            return "wait"
        error = refused_envelope(self.name, lane.replies, wire.rcpt)
        if error is not None:
            self._done(wire, error)
            self._reset(lane, lane.replies)
            return "done"
        if len(lane.replies) == 3:
            return "open"
        command = f"rcpt {rcpt_to(wire.rcpt)}" if len(lane.replies) == 1 else "data"
        self._write(lane, f"{command}\r\n".encode(lane.conn.command_encoding))
        return "wait"

    def _reset(self, lane: _Lane, replies: list[tuple[int, bytes]]) -> None:
        """After a refused envelope: end a DATA opened anyway, forget the transaction (RSET)."""
        conn = lane.conn
        if conn is None or replies[-1][0] == 421:
            self._drop(lane)
            return
        try:
            if replies[-1][0] == 354:
                close_data(conn)
            conn.rset()
        except NETWORK_ERRORS:
            self._drop(lane)

    def _reopen(self, lane: _Lane, wire: Wire) -> bool:
        """A new connection for ``lane``; False when none opens (``wire`` finished with the error)."""
        try:
            conn = self._connect()
        except ProviderError as exc:  # a refused login (AuthError) too: the send stops on it
            self._done(wire, exc)
            return False
        lane.conn = conn
        return True

    def _done(self, wire: Wire, answer: ProviderError | None) -> None:
        wire.answer, wire.done = answer, True
        self._finished.append(wire)

    def _drop(self, lane: _Lane) -> None:
        if lane.conn is not None:
            _close(lane.conn, polite=False)
        lane.conn = None

    def close(self) -> None:
        """QUIT each connection with nothing in flight; close the others."""
        for lane in self.lanes:
            if lane.conn is not None:
                _close(lane.conn, polite=not (lane.opening or lane.open_body or lane.closing))
            lane.conn = None


def _close(conn: smtplib.SMTP, polite: bool) -> None:
    try:
        if polite:
            conn.quit()
            return
    except (smtplib.SMTPException, OSError):
        pass
    try:
        conn.close()
    except OSError:
        pass
