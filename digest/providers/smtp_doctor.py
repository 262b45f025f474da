"""What `digest doctor` checks of our own SMTP server: TLS, the login, the DKIM signature, SPF of
the bounce domain.

The server is really connected to, the way a send does it (:func:`connect`), and a message
with both List-Unsubscribe headers is really signed by digest's signer and verified against
the key in the DNS: a check of the code that sends, not of a copy of its rules.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.utils import format_datetime, parseaddr

from digest.clock import now
from digest.config.web_values import is_local
from digest.dnslookup import DnsError, DnsLookup
from digest.errors import AuthError, ProviderError
from digest.mailcheck import FIX, OK, WARN, Finding, check_spf
from digest.providers.dkim import DkimSigner
from digest.providers.smtp_connections import Server, connect

UNSUBSCRIBE_HEADERS = ("list-unsubscribe", "list-unsubscribe-post")


def server_finding(name: str, server: Server) -> Finding:
    """TLS and login, by connecting as a send does."""
    where = f"{server.host}:{server.port}"
    try:
        conn = connect(name, server)
    except AuthError:
        return Finding(FIX, "SMTP", f"{where} refused the login of {server.username!r}: check "
                       "DIGEST_SMTP_USERNAME and DIGEST_SMTP_PASSWORD")
    except ProviderError as exc:
        said = str(exc).partition(": ")[2] or str(exc)
        return Finding(FIX, "SMTP", said if where in said else f"{where}: {said}")
    tls = conn.sock.version() if isinstance(conn.sock, ssl.SSLSocket) else None
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        pass
    login = "no login (DIGEST_SMTP_USERNAME empty)"
    if server.username:
        login = f"login accepted for {server.username}"
    if tls is not None:
        return Finding(OK, "SMTP", f"{where} answers with {tls}; {login}")
    if is_local(server.host):
        return Finding(OK, "SMTP", f"{where} answers on this machine without TLS; {login}")
    return Finding(FIX, "SMTP", f"{where} is reached without TLS: the password and the mail cross the "
                   "network in plain text; set DIGEST_SMTP_SECURITY=starttls (port 587) or tls (port 465)")


def signature_finding(signer: DkimSigner | None, sender: str, lookup: DnsLookup) -> Finding:
    """A message signed by digest's signer covers both List-Unsubscribe headers and verifies."""
    if signer is None:
        return Finding(WARN, "DKIM", "digest does not sign (DIGEST_DKIM_DOMAIN, _SELECTOR, _KEY_FILE empty): "
                       "Gmail and Yahoo show one-click unsubscribe only when a DKIM signature covers "
                       "List-Unsubscribe and List-Unsubscribe-Post; set them unless your server signs both")
    import dkim

    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2]
    message = (
        f"From: {sender}\r\nTo: reader@example.net\r\nSubject: digest doctor\r\n"
        f"Date: {format_datetime(now())}\r\nMessage-ID: <doctor.check@{domain}>\r\n"
        f"List-Unsubscribe: <https://{domain}/u/check>, <mailto:{address}?subject=unsubscribe>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nA check.\r\n"
    ).encode()
    signed = signer.sign(message)
    header = signed.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    found = re.search(r"\bh=([^;]*)", header.replace("\r\n", "").replace("\t", ""))
    covered = {h.strip().lower() for h in found.group(1).split(":")} if found else set()
    missing = [h for h in UNSUBSCRIBE_HEADERS if h not in covered]
    if missing:
        return Finding(FIX, "DKIM", f"digest's DKIM signature leaves out {', '.join(missing)}: one-click "
                       "unsubscribe is not offered; report this as a bug")
    where = f"{signer.selector.decode()}._domainkey.{signer.domain.decode()}"
    if not dkim.verify(signed, dnsfunc=lookup.dkim_dns()):
        return Finding(FIX, "DKIM", f"a message digest signs does not verify with the key at {where}: "
                       "receivers see no valid signature; publish the key the DKIM line above gives")
    return Finding(OK, "DKIM", f"digest's signature covers List-Unsubscribe and List-Unsubscribe-Post and "
                   f"verifies with the key at {where}")


def dns_findings(
    signer: DkimSigner | None, sender: str, bounce_address: str, lookup: DnsLookup
) -> list[Finding]:
    """The signature, and SPF of the DIGEST_BOUNCE_ADDRESS domain when it is not the From domain
    (whose SPF the general checks read)."""
    bounce_domain = bounce_address.rpartition("@")[2].lower()
    try:
        found = [signature_finding(signer, sender, lookup)]
        if bounce_domain and bounce_domain != parseaddr(sender)[1].rpartition("@")[2].lower():
            found.append(check_spf(lookup, bounce_domain, "envelope domain of DIGEST_BOUNCE_ADDRESS"))
    except DnsError as exc:
        return [Finding(FIX, "DNS", str(exc))]
    return found
