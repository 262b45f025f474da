"""DNS look-ups of `digest doctor`, through dnspython (``DIGEST_DNS_SERVER`` picks the resolver).

A record that is not there (NXDOMAIN, or a name without that type) is an empty answer; a
resolver that cannot be asked (time-out, refused, no server) raises :class:`DnsError`, so
"no DMARC record" is never said when the truth is "the DNS did not answer".
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any

from digest.errors import DigestError

# Second-level labels under which country domains register names (example.or.kr, example.org.uk):
# the organisational domain then has three labels. A short list, not the Public Suffix List.
SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "go", "gov", "ne", "net", "or", "org"})


class DnsError(DigestError):
    """The resolver did not answer (the record's presence is unknown)."""


def parse_dns_server(raw: str) -> str:
    """``host:port`` (or ``host``, port 53); ValueError with the fix."""
    value = raw.strip()
    if not value:
        return ""
    host, port = split_server(value)
    if not host or not re.fullmatch(r"[0-9A-Za-z.:-]+", host):
        raise ValueError(f"{raw!r}: give the server as host:port, e.g. 1.1.1.1:53 or 127.0.0.1:5353")
    if not 0 < port < 65536:
        raise ValueError(f"{raw!r}: the port must be 1 to 65535")
    return value


def split_server(value: str) -> tuple[str, int]:
    if value.startswith("["):  # [::1]:53
        host, _, port = value[1:].partition("]")
        return host, int(port.lstrip(":") or 53)
    host, colon, port = value.rpartition(":")
    if not colon or ":" in host:  # no port, or a bare IPv6 address
        return value, 53
    try:
        return host, int(port)
    except ValueError:
        raise ValueError(f"{value!r}: the port after ':' must be a number") from None


def organisational(domain: str) -> str:
    """The registered domain of ``domain`` (news.example.org -> example.org; a.example.or.kr ->
    example.or.kr): what DMARC's relaxed alignment compares."""
    labels = domain.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _address_of(host: str) -> str:
    """The server's IP address (dnspython takes addresses only); a name is looked up once."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return str(socket.getaddrinfo(host, 53, proto=socket.IPPROTO_UDP)[0][4][0])
    except OSError:
        raise DnsError(f"DIGEST_DNS_SERVER: {host} cannot be looked up; give its IP address") from None


class DnsLookup:
    """TXT and MX records of names, from ``server`` (``host:port``) or the system's resolver."""

    def __init__(self, server: str = "", timeout: float = 5.0) -> None:
        import dns.resolver

        self.server = server
        self.failed: DnsError | None = None
        if server:
            host, port = split_server(server)
            self.resolver = dns.resolver.Resolver(configure=False)  # never reads /etc/resolv.conf
            self.resolver.nameservers = [_address_of(host)]
            self.resolver.port = port
        else:
            self.resolver = dns.resolver.Resolver()
        self.resolver.timeout = min(timeout, 2.0)
        self.resolver.lifetime = timeout

    def txt(self, name: str) -> list[str]:
        """Each TXT record of ``name``, its strings joined (a DKIM key spans several)."""
        return [b"".join(r.strings).decode("utf-8", "replace") for r in self._ask(name, "TXT")]

    def mx(self, name: str) -> list[tuple[int, str]]:
        """(preference, host) of each MX record, best first; a null MX is ``(0, "")``."""
        found = [(int(r.preference), str(r.exchange).rstrip(".").lower()) for r in self._ask(name, "MX")]
        return sorted(found)

    def address(self, name: str) -> bool:
        """Whether ``name`` has an A or AAAA record."""
        return bool(self._ask(name, "A") or self._ask(name, "AAAA"))

    def _ask(self, name: str, kind: str) -> list[Any]:
        import dns.exception
        import dns.resolver

        if self.failed is not None:  # one silent server is said once, not waited for at every name
            raise self.failed
        try:
            return list(self.resolver.resolve(name, kind, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as exc:
            where = self.server or "the system's resolver"
            self.failed = DnsError(
                f"the DNS server ({where}) did not answer for {name} {kind} ({type(exc).__name__}); "
                "check DIGEST_DNS_SERVER or the network"
            )
            raise self.failed from None

    def dkim_dns(self) -> Callable[..., bytes]:
        """A ``dnsfunc`` for dkimpy's verify that asks this resolver."""

        def txt(name: bytes | str, timeout: float = 5) -> bytes:
            text = name.decode() if isinstance(name, bytes) else name
            found = self.txt(text.rstrip("."))
            return found[0].encode() if found else b""

        return txt
