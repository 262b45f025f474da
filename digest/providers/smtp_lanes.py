"""Every SMTP connection of a send driven from one thread, in rounds (see :mod:`digest.deliver.rounds`).

With a thread per connection and one ledger writer, what held the send was the interpreter
lock handed between those threads after every flush (docs/sending.md). Here one thread
reads each connection's answers, writes each accepted message's body, lets the ledger
record the round's hand-overs in one flushed transaction, then writes each final "." with
the connection's next envelope behind it (PIPELINING, RFC 2920). A connection's failures
mean what they mean in :mod:`digest.providers.smtp`:

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
from digest.providers.smtp_exchange import close_data, dot_stuff, envelope, envelope_bytes, refused_envelope
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
    __slots__ = ("closing", "conn", "opening", "open_body", "tries")

    def __init__(self, conn: smtplib.SMTP | None) -> None:
        self.conn = conn
        self.opening: Wire | None = None  # its envelope written, the answers unread
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

    def usable(self) -> bool:
        """Open the first connection: whether the server pipelines (else the caller sends as before).
        When it cannot be opened, the lanes are used: each call they carry fails with the error."""
        try:
            conn = self.lanes[0].conn or self._connect()
        except ProviderError:
            return True
        self.lanes[0].conn = conn
        if conn.has_extn("pipelining"):
            return True
        self.close()
        return False

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
        """Lane ``i``: the final "." of the message whose body it wrote, then ``wire``'s envelope,
        in one write (a new connection when it has none)."""
        lane = self.lanes[i]
        out = b""
        if lane.open_body is not None:
            body, lane.open_body = lane.open_body, None
            out = b".\r\n" if body.stuffed().endswith(b"\r\n") else b"\r\n.\r\n"
            lane.closing, body.handed = body, True
        if wire is not None:
            if lane.conn is None and not self._reopen(lane, wire):
                wire = None
            else:
                lane.opening, lane.tries = wire, 1
        if wire is not None and lane.conn is not None:
            out += envelope_bytes(lane.conn, wire.mail_from, wire.rcpt)
        if out and lane.conn is not None:
            try:
                lane.conn.send(out)
            except NETWORK_ERRORS:
                self._drop(lane)  # read() finds out: the handed message unknown, the envelope again

    def read(self, i: int) -> Wire | None:
        """Lane ``i``'s answers: the last final "." (its message finished), then the envelope's, after
        which the body is written; returns the message whose body went (its hand-over to record)."""
        lane = self.lanes[i]
        if lane.closing is not None:
            wire, lane.closing = lane.closing, None
            self._done(wire, self._final_answer(lane, wire))
        if lane.opening is None:
            return None
        wire, lane.opening = lane.opening, None
        if not self._envelope(lane, wire):
            return None
        try:
            assert lane.conn is not None
            lane.conn.send(wire.stuffed())
        except NETWORK_ERRORS:
            self._drop(lane)
            why = "the connection ended while the message was written, before its end: it was not handed over"
            self._done(wire, ProviderError(self.name, why, retryable=True))
            return None
        lane.open_body = wire
        return wire

    def _final_answer(self, lane: _Lane, wire: Wire) -> ProviderError | None:
        try:
            if lane.conn is None:
                raise smtplib.SMTPServerDisconnected("the connection ended")
            code, reply = lane.conn.getreply()
        except NETWORK_ERRORS as exc:
            self._drop(lane)
            return ProviderError(
                self.name,
                f"the connection ended during DATA ({type(exc).__name__}); the message may have arrived, "
                "so it is not resent",
                outcome_unknown=True,
            )
        if code == 250:
            return None
        if code == 421:
            self._drop(lane)
        return refusal_of(self.name, code, reply, wire.rcpt, "DATA")

    def _envelope(self, lane: _Lane, wire: Wire) -> bool:
        """Read the envelope's answers (reconnecting once when the connection is gone before any);
        True when DATA is open. A refusal finishes ``wire``."""
        while True:
            written = lane.conn is not None
            if not written and not self._reopen(lane, wire):
                return False
            assert lane.conn is not None
            try:
                replies = envelope(lane.conn, wire.mail_from, wire.rcpt, written)
                break
            except NETWORK_ERRORS:
                self._drop(lane)
                if lane.tries >= 2:
                    self._done(wire, ProviderError(self.name, "the connection dropped twice", retryable=True))
                    return False
                lane.tries += 1
        error = refused_envelope(self.name, replies, wire.rcpt)
        if error is None:
            return True
        self._done(wire, error)
        self._reset(lane, replies)
        return False

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
        if not conn.has_extn("pipelining"):
            _close(conn, polite=True)
            gone = ProviderError(self.name, "the server stopped offering PIPELINING", retryable=True)
            self._done(wire, gone)
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
