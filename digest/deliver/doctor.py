"""`digest doctor`: the sending set-up, checked before the first real send, one line per finding.

- DNS of the ``DIGEST_FROM`` domain (:mod:`digest.mailcheck`): MX, SPF, DMARC and whether the
  DKIM ``d=`` and the envelope domain align with From; the DKIM key at the selector against
  ``DIGEST_DKIM_KEY_FILE``;
- the provider's own set-up (:meth:`Provider.doctor`: for our own SMTP server its TLS and
  login, the signature over both List-Unsubscribe headers, SPF of the bounce domain);
- the one-click unsubscribe link: https, and it answers a GET (which changes nothing: the page
  asks before it unsubscribes; the link's signed id belongs to no address).

A ``fix`` line is something that would hurt delivery: the command then exits 1.
"""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import urlsplit

from digest import __version__, clock
from digest.config import Settings
from digest.dnslookup import DnsError, DnsLookup
from digest.errors import ProviderError
from digest.mailcheck import FIX, OK, Finding, check_dkim_key, check_dmarc, check_mx, check_spf
from digest.providers import Provider, make_provider
from digest.unsubscribe import day_of, link_url, probe_token, secret_key

RESERVED_TLDS = frozenset({"example", "invalid", "localhost", "test"})
EXAMPLE_DOMAINS = frozenset({"example.org", "example.com", "example.net"})


def run_doctor(settings: Settings, lookup: DnsLookup | None = None) -> list[Finding]:
    """Every finding, in the order a volunteer fixes them."""
    lookup = lookup or DnsLookup(settings.dns_server, timeout=min(settings.http_timeout, 10.0))
    provider = make_provider(settings)
    try:
        found = _provider_kind(provider)
        found += domain_findings(settings, provider, lookup)
        found += provider.doctor(lookup)
    finally:
        provider.close()
    key = secret_key(settings)
    found.append(check_one_click(settings.unsubscribe_template, key, settings.http_timeout))
    return list(dict.fromkeys(found))  # a DNS failure met twice is said once


def _provider_kind(provider: Provider) -> list[Finding]:
    if provider.rehearsal:
        said = f"DIGEST_PROVIDER={provider.name} writes the emails to files and sends nothing"
        return [Finding(FIX, "provider", f"{said}: choose your mail provider (docs: providers)")]
    return [Finding(OK, "provider", f"DIGEST_PROVIDER={provider.name}")]


def domain_findings(settings: Settings, provider: Provider, lookup: DnsLookup) -> list[Finding]:
    domain = parseaddr(settings.sender)[1].rpartition("@")[2].lower()
    if not domain:
        return [Finding(FIX, "From", f"DIGEST_FROM={settings.sender!r} has no domain: give an address")]
    if not settings.dns_server and _reserved(domain):  # the defaults: their DNS says nothing of yours
        return [Finding(FIX, "From", f"DIGEST_FROM={settings.sender!r} is an example address: set your own "
                        "sending address, then run digest doctor again")]
    try:
        found = [check_mx(lookup, domain), check_spf(lookup, domain, "the DIGEST_FROM domain")]
        found += check_dmarc(lookup, domain, provider.dkim_domain(), provider.envelope_domain())
        key_file = settings.dkim_key_file
        if settings.dkim_domain and settings.dkim_selector and key_file is not None:
            try:
                pem = key_file.read_bytes()
            except OSError as exc:
                said = f"cannot read DIGEST_DKIM_KEY_FILE {key_file} ({exc.strerror}); fix the path"
                return [*found, Finding(FIX, "DKIM", said)]
            found.append(check_dkim_key(lookup, settings.dkim_domain, settings.dkim_selector, pem))
    except DnsError as exc:
        return [Finding(FIX, "DNS", str(exc))]
    return found


def _reserved(domain: str) -> bool:
    """Names kept for examples and tests (RFC 2606, RFC 6761): nobody's sending domain."""
    labels = domain.split(".")
    return labels[-1] in RESERVED_TLDS or ".".join(labels[-2:]) in EXAMPLE_DOMAINS


def check_one_click(template: str, key: bytes, timeout: float) -> Finding:
    """The one-click link is https and its page answers."""
    if not template:
        return Finding(FIX, "unsubscribe", "no one-click unsubscribe link (only a mailto): Gmail and Yahoo "
                       "require one of bulk senders; set DIGEST_PUBLIC_URL (the page of digest serve) or "
                       "DIGEST_UNSUBSCRIBE_URL")
    shown = template.replace("{token}", "<token>")
    if urlsplit(template).scheme != "https":
        return Finding(FIX, "unsubscribe", f"the one-click link {shown} is not https: mailbox providers "
                       "ignore it; serve it over https (DIGEST_PUBLIC_URL=https://...)")
    from digest.transport import Transport

    web = Transport("unsubscribe page", read_timeout=timeout, user_agent=f"digest/{__version__}-doctor",
                    timeout_key="DIGEST_HTTP_TIMEOUT")
    try:
        link = link_url(template, probe_token(key, day_of(clock.now())))  # a link to nobody
        answer = web.request("GET", link, repeat=True, allow_redirects=False)
    except ProviderError as exc:
        return Finding(FIX, "unsubscribe", f"the one-click link {shown} does not answer ({exc}): is "
                       "digest serve (or your page) running behind that address?")
    if 300 <= answer.status_code < 400:
        return Finding(FIX, "unsubscribe", f"the one-click link {shown} redirects ({answer.status_code}): "
                       "a one-click POST must not be redirected (RFC 8058); give the final address")
    return Finding(OK, "unsubscribe", f"the one-click link {shown} answers over https ({answer.status_code})")
