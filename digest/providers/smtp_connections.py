"""SMTP connections of the smtp provider: opened with TLS and a login (a failure is one line naming
the setting to check), one per sending thread, reused for many messages, closed together;
and the pacer that keeps all threads under ``DIGEST_SMTP_RATE``.

A connection may carry the envelope of its thread's next call written ahead (:meth:`Connections.ahead`,
behind the final "." of the message awaiting its answer); the call reads its answers. An
envelope written ahead whose call is not made leaves the server in an open DATA: that
connection is closed, never given a QUIT or another message."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from typing import Protocol

from digest.errors import AuthError, ProviderError
from digest.providers.smtp_exchange import envelope_bytes, write_envelope

NETWORK_ERRORS = (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout, TimeoutError, OSError)


class Server(Protocol):
    """Where and how to connect: the smtp provider's settings (read-only)."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def security(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def ca_file(self) -> str: ...


class Pacer:
    """At most ``rate`` events per second across threads (0: unlimited)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next, now)
            self.next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def connect(name: str, s: Server) -> smtplib.SMTP:
    """A connection ready for MAIL FROM; raises ProviderError (AuthError for a refused login)."""
    # Only a connection that uses TLS needs a context: loading the system's certificates takes
    # tens of milliseconds in each sending thread, before its first message.
    context = ssl.create_default_context(cafile=s.ca_file or None) if s.security != "none" else None
    try:
        if s.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        conn.ehlo()
        if s.security == "starttls":
            conn.starttls(context=context)
            conn.ehlo()
        if s.username:
            conn.login(s.username, s.password)
        # The final "." goes in a write of its own (after the hand-over is recorded): without
        # this, Nagle's algorithm would hold it until the body's ACK, up to 40 ms a message.
        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except smtplib.SMTPAuthenticationError as exc:
        raise AuthError(
            name,
            f"the server refused the login ({exc.smtp_code}); check DIGEST_SMTP_USERNAME and "
            "DIGEST_SMTP_PASSWORD",
            status_code=exc.smtp_code,
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise ProviderError(
            name, "the server does not offer STARTTLS; check DIGEST_SMTP_SECURITY and DIGEST_SMTP_PORT"
        ) from None
    except ssl.SSLError as exc:
        raise ProviderError(
            name,
            f"TLS failed ({exc.reason}); check DIGEST_SMTP_SECURITY, DIGEST_SMTP_PORT and "
            "DIGEST_SMTP_CA_FILE",
        ) from None
    except NETWORK_ERRORS as exc:
        raise ProviderError(
            name,
            f"cannot connect to {s.host}:{s.port} ({type(exc).__name__}: {exc}); check DIGEST_SMTP_HOST "
            "and DIGEST_SMTP_PORT, and that the mail server is running and reachable from here",
            retryable=True,
        ) from None
    return conn


class Early:
    """An envelope to write ahead on a connection (see :meth:`Connections.ahead`): planned, then
    written behind a final "." (:meth:`Connections.write_ahead`); its answers unread."""

    __slots__ = ("mail_from", "rcpt", "written")

    def __init__(self, mail_from: str, rcpt: str) -> None:
        self.mail_from, self.rcpt, self.written = mail_from, rcpt, False


class Connections:
    """One connection per sending thread, opened on first use; :meth:`close` ends them all."""

    def __init__(self, name: str, server: Server) -> None:
        self.name = name
        self.server = server
        self._local = threading.local()
        self._open: list[smtplib.SMTP] = []
        self._early: dict[int, Early] = {}  # by id() of the connection carrying it
        self._lock = threading.Lock()

    def ahead(self, mail_from: str, rcpt: str) -> Early | None:
        """Plan a call's envelope on this thread's open connection if the server pipelines; it is
        written behind the final "." of the message on it (:meth:`write_ahead`). None: not planned."""
        conn = getattr(self._local, "conn", None)
        if conn is None or not conn.has_extn("pipelining"):
            return None
        early = Early(mail_from, rcpt)
        with self._lock:
            if id(conn) in self._early:
                return None
            self._early[id(conn)] = early
        return early

    def planned(self) -> bytes:
        """The envelope planned on this thread's connection, for the caller to write behind a final
        "." in the same write; b"" when none is planned (or it went already)."""
        conn, early = self._unwritten()
        if conn is None or early is None:
            return b""
        early.written = True  # also when the write fails part-way: that connection is never reused
        return envelope_bytes(conn, early.mail_from, early.rcpt)

    def write_ahead(self) -> None:
        """Write the planned envelope, right after a final "." (see
        :func:`~digest.providers.smtp_exchange.write_envelope`)."""
        conn, early = self._unwritten()
        if conn is None or early is None:
            return
        early.written = True  # also when it fails part-way: that connection is never reused
        try:
            write_envelope(conn, early.mail_from, early.rcpt)
        except NETWORK_ERRORS:
            pass  # the connection is gone: the call awaiting its answer finds out

    def _unwritten(self) -> tuple[smtplib.SMTP | None, Early | None]:
        conn = getattr(self._local, "conn", None)
        early = self._early.get(id(conn)) if conn is not None else None
        return conn, early if early is not None and not early.written else None

    def take(self, early: Early | None) -> bool:
        """Whether this thread's connection carries ``early`` written, whose answers the caller now
        reads. A connection carrying another one written (a call prepared, then not made) is closed."""
        conn = getattr(self._local, "conn", None)
        with self._lock:
            held = self._early.pop(id(conn), None) if conn is not None else None
        if held is not None and held is not early and held.written:
            self.drop()
        return held is not None and held is early and held.written

    def carries_early(self, conn: smtplib.SMTP) -> bool:
        """Whether ``conn`` carries an envelope written ahead (its answers are next on the wire)."""
        early = self._early.get(id(conn))
        return early is not None and early.written

    def get(self) -> smtplib.SMTP:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.name, self.server)
            with self._lock:
                self._open.append(conn)
        return conn

    def drop(self) -> None:
        """Close this thread's connection (broken, or the server said 421); the next get() reopens."""
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                self._early.pop(id(conn), None)
                if conn in self._open:
                    self._open.remove(conn)
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            (conns, self._open), (early, self._early) = (self._open, []), (self._early, {})
        for conn in conns:
            try:
                if id(conn) in early and early[id(conn)].written:  # a QUIT would be read as the message
                    raise OSError("an envelope written ahead")
                conn.quit()
            except (smtplib.SMTPException, OSError):
                try:
                    conn.close()
                except OSError:
                    pass
        self._local = threading.local()
