"""SMTP connections of the smtp provider: opened with TLS and a login (a failure is one line naming
the setting to check), one per sending thread, reused for many messages, closed together;
and the pacer that keeps all threads under ``DIGEST_SMTP_RATE``.

A send drives its own connections from one thread (:mod:`digest.providers.smtp_lanes`); these
are for a paced send and for single messages (test copies, alerts)."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from typing import Protocol

from digest.errors import AuthError, ProviderError

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


class Connections:
    """One connection per sending thread, opened on first use; :meth:`close` ends them all."""

    def __init__(self, name: str, server: Server) -> None:
        self.name = name
        self.server = server
        self._local = threading.local()
        self._open: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

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
                if conn in self._open:
                    self._open.remove(conn)
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                try:
                    conn.close()
                except OSError:
                    pass
        self._local = threading.local()
