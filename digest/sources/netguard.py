"""Fetches stay outside: the address actually connected to is checked, and a deadline cuts slow servers.

A source URL (or any redirect hop) may lead to a loopback, private, link-local
or cloud-metadata address, and a name may resolve differently from one lookup
to the next; so the check runs on the socket's peer address right after each
connection is made, not on a lookup done beforehand. A timer shuts every socket
of the fetch when its total deadline passes, because a server that sends two
bytes every two seconds never trips a per-read timeout.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass, field
from typing import Any


class RefusedAddress(OSError):
    """The connection went to an address that fetches may not reach."""


def address_problem(host: str) -> str | None:
    """Why fetching from IP address ``host`` is refused, or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return f"{host} is not an IP address"
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    for kind, test in (("a loopback", ip.is_loopback), ("a link-local or cloud-metadata", ip.is_link_local),
                       ("a private", ip.is_private), ("a multicast", ip.is_multicast),
                       ("an unspecified", ip.is_unspecified), ("a reserved", ip.is_reserved)):
        if test:
            return f"{ip} is {kind} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


@dataclass
class Guard:
    """One fetch's sockets: each is checked when connected and shut when the deadline passes."""

    allow_private: bool
    refused: str = ""
    expired: bool = False
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError("the fetch deadline passed")
            self._sockets.append(sock)
        if self.allow_private:
            return
        peer = sock.getpeername()[0]
        problem = address_problem(str(peer))
        if problem:
            self.refused = problem
            sock.close()
            raise RefusedAddress(problem)

    def cut(self) -> None:
        """Called by the deadline timer: every read of this fetch ends now."""
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def guarded_session(guard: Guard) -> Any:
    """A requests Session whose every connection goes through ``guard`` (no proxies from the environment)."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Admitted:
        """Each new socket is checked by ``guard`` before a byte is sent on it."""

        def _new_conn(self) -> socket.socket:
            sock: socket.socket = super()._new_conn()  # type: ignore[misc]  # the connection class's
            guard.admit(sock)
            return sock

    class GuardedHTTP(Admitted, HTTPConnection):
        pass

    class GuardedHTTPS(Admitted, HTTPSConnection):
        pass

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTP

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPS

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    session = requests.Session()
    # A proxy from the environment would make the peer address the proxy's.
    session.trust_env = False
    session.mount("http://", Adapter())
    session.mount("https://", Adapter())
    return session
