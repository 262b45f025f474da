"""A real DNS server on 127.0.0.1 (dnslib) serving one zone, over UDP and TCP, for `digest doctor`.

dnslib's ZoneResolver answers NXDOMAIN for a name that exists without the asked type (a real
server says NOERROR with no answer); digest treats both as "no record", as it must.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def txt(value: str) -> str:
    """A TXT value in zone syntax: strings of at most 255 bytes (a DKIM key needs several)."""
    return " ".join('"' + value[i : i + 255].replace('"', '\\"') + '"' for i in range(0, len(value), 255))


@contextmanager
def dns_server(zone: str) -> Iterator[str]:
    """Serve ``zone`` (master-file text); yields ``127.0.0.1:port`` for DIGEST_DNS_SERVER."""
    from dnslib.server import DNSLogger, DNSServer
    from dnslib.zoneresolver import ZoneResolver

    quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
    resolver = ZoneResolver(zone)
    # The UDP port the kernel picks may be taken on TCP by another test's server (parallel
    # workers): take another pair rather than fail on a collision that has nothing to do with DNS.
    for _attempt in range(20):
        udp = DNSServer(resolver, port=0, address="127.0.0.1", logger=quiet)
        port = udp.server.server_address[1]
        try:
            tcp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=True, logger=quiet)
            break
        except OSError:
            udp.server.server_close()
    else:
        raise OSError("no port free on both UDP and TCP for the test DNS server")
    udp.start_thread()
    tcp.start_thread()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        udp.stop()
        tcp.stop()
