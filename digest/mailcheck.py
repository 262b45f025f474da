"""The DNS side of `digest doctor`: MX, SPF, DMARC (and its alignment) and the DKIM key.

Each check returns :class:`Finding` lines: ``ok``, ``warn`` (worth fixing, delivery works) or
``fix`` (receivers will refuse, spam-folder or strip the mail: `digest doctor` exits 1). What
counts as ``fix`` follows what the large mailbox providers enforce for bulk senders since 2024
(SPF or DKIM, a DMARC record, DKIM or SPF aligned with From, one-click unsubscribe) and
RFC 7208 errors that make SPF fail for everyone.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from digest.dnslookup import DnsLookup, organisational

OK, WARN, FIX = "ok", "warn", "fix"
# SPF terms that each cost a DNS look-up; more than 10 is a permanent error (RFC 7208 4.6.4).
LOOKUP_TERMS = re.compile(r"^[+?~-]?(include:|a\b|a:|a/|mx\b|mx:|mx/|ptr\b|ptr:|exists:|redirect=)", re.I)


@dataclass(frozen=True)
class Finding:
    level: str  # ok, warn or fix
    topic: str  # MX, SPF, DMARC, DKIM, SMTP, unsubscribe...
    text: str  # what was found and, unless ok, what to do


def tags(record: str) -> dict[str, str]:
    """``k=v; k2=v2`` (DMARC, DKIM) as a dict with lower-case keys."""
    found = {}
    for part in record.split(";"):
        key, eq, value = part.partition("=")
        if eq:
            found[key.strip().lower()] = "".join(value.split())
    return found


def check_mx(lookup: DnsLookup, domain: str) -> Finding:
    hosts = lookup.mx(domain)
    if hosts and all(not host for _pref, host in hosts):
        return Finding(FIX, "MX", f"{domain} publishes a null MX (it takes no mail): replies and bounces to "
                       "DIGEST_FROM are lost and receivers may refuse it; point its MX at your mailbox host")
    if not hosts:
        if lookup.address(domain):
            return Finding(WARN, "MX", f"{domain} has no MX record (mail to it falls back to its address "
                           "record); add an MX record for your mailbox host")
        return Finding(FIX, "MX", f"{domain} has no MX record: receivers refuse senders whose domain takes "
                       "no mail; add an MX record for your mailbox host")
    more = f" (and {len(hosts) - 1} more)" if len(hosts) > 1 else ""
    return Finding(OK, "MX", f"mail for {domain} goes to {hosts[0][1]}{more}")


def check_spf(lookup: DnsLookup, domain: str, role: str) -> Finding:
    """SPF of ``domain`` (``role`` says why it matters: the From or the envelope domain)."""
    records = [t for t in lookup.txt(domain) if re.match(r"v=spf1(\s|$)", t.strip(), re.I)]
    if not records:
        return Finding(FIX, "SPF", f"no SPF record at {domain} ({role}): publish one TXT record such as "
                       '"v=spf1 include:<your mail host\'s SPF domain> ~all" (your mail host names it)')
    if len(records) > 1:
        return Finding(FIX, "SPF", f"{len(records)} SPF records at {domain}: that is an error for every "
                       "receiver (RFC 7208); merge them into one TXT record")
    record = " ".join(records[0].split())
    terms = record.split()[1:]
    last = terms[-1].lower() if terms else ""
    if last in ("+all", "all"):
        return Finding(FIX, "SPF", f"{domain}: {record!r} lets anyone send as you; end it with ~all or -all")
    costly = sum(1 for t in terms if LOOKUP_TERMS.match(t))
    if costly > 10:
        return Finding(FIX, "SPF", f"{domain}: {record!r} needs {costly} DNS look-ups (10 at most, "
                       "RFC 7208); remove includes you no longer use")
    if not any(t.lower().endswith("all") or t.lower().startswith("redirect=") for t in terms):
        return Finding(WARN, "SPF", f"{domain}: {record!r} does not end with ~all or -all; add one")
    if last == "?all":
        return Finding(WARN, "SPF", f"{domain}: {record!r} ends in ?all (says nothing); use ~all or -all")
    return Finding(OK, "SPF", f"{domain} ({role}): {record}")


def aligned(domain: str, from_domain: str, mode: str) -> bool:
    """DMARC alignment: the same domain (``s``), or the same organisational domain (``r``)."""
    a, b = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    return a == b if mode == "s" else organisational(a) == organisational(b)


def check_dmarc(
    lookup: DnsLookup, from_domain: str, dkim_domain: str | None, envelope_domain: str | None
) -> list[Finding]:
    """The DMARC record of the From domain (or its organisational domain) and whether the DKIM
    ``d=`` and the envelope (SPF) domain align with From. ``None``: the provider decides it."""
    names = dict.fromkeys([f"_dmarc.{from_domain}", f"_dmarc.{organisational(from_domain)}"])
    for name in names:
        records = [t for t in lookup.txt(name) if re.match(r"v=DMARC1\s*(;|$)", t.strip(), re.I)]
        if records:
            break
    else:
        return [Finding(FIX, "DMARC", f"no DMARC record at _dmarc.{from_domain}: Gmail and Yahoo require one "
                        f'of bulk senders; publish TXT "v=DMARC1; p=none; rua=mailto:dmarc@{from_domain}"')]
    if len(records) > 1:
        return [Finding(FIX, "DMARC", f"{len(records)} DMARC records at {name}: receivers ignore them all; "
                        "keep one")]
    found = tags(records[0])
    policy = found.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        return [Finding(FIX, "DMARC", f"{name}: {records[0]!r} has no valid p= (none, quarantine or reject); "
                        "receivers ignore it")]
    said = f"{name}: p={policy}" + (" (reports only)" if policy == "none" else "")
    return [Finding(OK, "DMARC", said), _alignment(found, from_domain, dkim_domain, envelope_domain)]


def _alignment(found: dict[str, str], from_domain: str, dkim: str | None, envelope: str | None) -> Finding:
    adkim, aspf = found.get("adkim", "r").lower(), found.get("aspf", "r").lower()
    dkim_ok = dkim is not None and bool(dkim) and aligned(dkim, from_domain, adkim)
    spf_ok = envelope is not None and aligned(envelope, from_domain, aspf)
    if dkim is None:
        return Finding(OK if spf_ok else WARN, "DMARC", f"digest does not sign: make sure whoever does (your "
                       f"provider, your relay) signs with d={from_domain} so DMARC passes")
    if dkim_ok:
        return Finding(OK, "DMARC", f"DKIM d={dkim} aligns with From {from_domain} (adkim={adkim})")
    what = f"DKIM d={dkim}" if dkim else "no DKIM signature by digest"
    if spf_ok:
        return Finding(WARN, "DMARC", f"{what} does not align with From {from_domain}: DMARC passes on SPF "
                       f"only, which forwarding breaks; sign with DIGEST_DKIM_DOMAIN={from_domain}")
    fix = f"sign with DIGEST_DKIM_DOMAIN={from_domain}"
    if envelope is not None:
        fix += f" (the envelope domain {envelope} does not align either)"
    return Finding(FIX, "DMARC", f"{what} does not align with From {from_domain} (adkim={adkim}): DMARC "
                   f"fails; {fix}")


def public_key_record(pem: bytes) -> str:
    """The DKIM TXT record for the private key ``pem`` (what to publish at the selector)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = serialization.load_pem_private_key(pem, password=None).public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode()}"
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


def check_dkim_key(lookup: DnsLookup, domain: str, selector: str, pem: bytes) -> Finding:
    """The key published at ``<selector>._domainkey.<domain>`` is the public half of ``pem``."""
    name = f"{selector}._domainkey.{domain}"
    try:
        wanted = public_key_record(pem)
    except (ValueError, TypeError) as exc:
        return Finding(FIX, "DKIM", f"DIGEST_DKIM_KEY_FILE is not a private key digest can read ({exc})")
    records = [t for t in lookup.txt(name) if "p=" in t.replace(" ", "")]
    if not records:
        return Finding(FIX, "DKIM", f"no DKIM key at {name}: publish TXT \"{wanted}\"")
    published = tags(records[0]).get("p", "")
    if not published:
        return Finding(FIX, "DKIM", f"the key at {name} is revoked (empty p=): publish TXT \"{wanted}\"")
    if not _same_key(published, tags(wanted)["p"]):
        return Finding(FIX, "DKIM", f"the key at {name} is not the public half of DIGEST_DKIM_KEY_FILE: "
                       f"signatures fail; publish TXT \"{wanted}\" (or fix DIGEST_DKIM_SELECTOR)")
    return Finding(OK, "DKIM", f"the key at {name} matches DIGEST_DKIM_KEY_FILE")


def _same_key(published: str, wanted: str) -> bool:
    from dkim.crypto import UnparsableKeyError, parse_public_key

    try:
        got, expected = base64.b64decode(published), base64.b64decode(wanted)
    except (binascii.Error, ValueError):
        return False
    if got == expected:
        return True
    try:  # the same RSA key written as a bare RSAPublicKey, not SubjectPublicKeyInfo
        return bool(parse_public_key(got) == parse_public_key(expected))
    except (UnparsableKeyError, IndexError, TypeError, ValueError):
        return False
