"""`digest doctor` against real servers on 127.0.0.1: a DNS server (dnslib) with the zone of each
case, an SMTP server with STARTTLS and a login (aiosmtpd), and an https unsubscribe page.

The DKIM key is made here, its public half published in the zone (split into 255-byte strings
as a real zone needs); digest's own signer signs a message and dkimpy verifies it through the
same DNS server.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest.cli import main
from digest.mailcheck import public_key_record
from tests.delivery.test_smtp_tls import PASSWORD, USER, Pki, make_pki, tls_server
from tests.fakes.dns import dns_server, txt
from tests.fakes.smtp import free_port, smtp_server
from tests.paths import SAMPLE

DOMAIN = "example.org"
SELECTOR = "digest2026"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("dkim") / "dkim.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def zone(dkim: str = "", *, mx: bool = True, spf: str = "v=spf1 ip4:203.0.113.10 -all",
         dmarc: str = "v=DMARC1; p=none; rua=mailto:dmarc@example.org", extra: str = "") -> str:
    lines = ["$TTL 300", f"{DOMAIN}. IN A 203.0.113.10"]
    if mx:
        lines.append(f"{DOMAIN}. IN MX 10 mx1.{DOMAIN}.")
    if spf:
        lines.append(f"{DOMAIN}. IN TXT {txt(spf)}")
    if dmarc:
        lines.append(f"_dmarc.{DOMAIN}. IN TXT {txt(dmarc)}")
    if dkim:
        lines.append(f"{SELECTOR}._domainkey.{DOMAIN}. IN TXT {txt(dkim)}")
    return "\n".join(lines + [extra]) + "\n"


class Page(http.server.BaseHTTPRequestHandler):
    """The unsubscribe page: GET shows it (the doctor's only request)."""

    status = 200
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(("GET", self.path))
        self.send_response(self.status)
        if self.status in (301, 302, 303, 307, 308):
            self.send_header("Location", "https://127.0.0.1/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def https_page(pki: Pki, status: int = 200) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    handler = type("P", (Page,), {"status": status, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.seen
    finally:
        server.shutdown()
        server.server_close()


def doctor(tmp_path: Path, dns: str, smtp_port: int, page_port: int, dkim_key: Path | None, **more: str):  # type: ignore[no-untyped-def]
    lines = {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(SAMPLE),
        "DIGEST_FROM": f"Hope Bridge <news@{DOMAIN}>",
        "DIGEST_PROVIDER": "smtp",
        "DIGEST_SMTP_HOST": "127.0.0.1",
        "DIGEST_SMTP_PORT": str(smtp_port),
        "DIGEST_SMTP_SECURITY": "starttls",
        "DIGEST_SMTP_USERNAME": USER,
        "DIGEST_SMTP_PASSWORD": PASSWORD,
        "DIGEST_SMTP_TIMEOUT": "5",
        "DIGEST_HTTP_TIMEOUT": "5",
        "DIGEST_DNS_SERVER": dns,
        "DIGEST_UNSUBSCRIBE_URL": f"https://127.0.0.1:{page_port}/u/{{token}}",
    }
    if dkim_key is not None:
        lines.update(DIGEST_DKIM_DOMAIN=DOMAIN, DIGEST_DKIM_SELECTOR=SELECTOR)
        lines["DIGEST_DKIM_KEY_FILE"] = str(dkim_key)
    lines.update(more)
    env = tmp_path / "doctor.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
    return main(["--env-file", str(env), "doctor"])


@pytest.fixture
def setup(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, int, list[tuple[str, str]]]]:
    """The SMTP server (STARTTLS, login) and the https page, both trusting the test CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca_file))
    with tls_server(pki, "starttls", "LOGIN") as (_box, _seen, smtp_port), https_page(pki) as (page, seen):
        yield smtp_port, page, seen


def run(tmp_path, capsys, setup, dkim_key, zone_text: str, **more: str) -> tuple[int, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    smtp_port, page, _seen = setup
    with dns_server(zone_text) as dns:
        code = doctor(tmp_path, dns, smtp_port, page, dkim_key, **{"DIGEST_SMTP_CA_FILE": "", **more})
    out = capsys.readouterr().out
    by_topic: dict[str, list[str]] = {}
    for line in out.splitlines()[:-1]:
        level, topic, text = line.split(None, 2)
        by_topic.setdefault(topic, []).append(f"{level} {text}")
    return code, by_topic


def good(dkim_key: Path) -> str:
    return zone(public_key_record(dkim_key.read_bytes()))


def test_a_sound_setup_passes_every_check(tmp_path, capsys, setup, dkim_key, pki) -> None:  # type: ignore[no-untyped-def]
    code, found = run(tmp_path, capsys, setup, dkim_key, good(dkim_key), DIGEST_SMTP_CA_FILE=str(pki.ca_file))
    assert code == 0, found
    assert all(line.startswith("ok") for lines in found.values() for line in lines), found
    assert "TLSv1." in found["SMTP"][0] and f"login accepted for {USER}" in found["SMTP"][0]
    assert any("covers List-Unsubscribe and List-Unsubscribe-Post and verifies" in x for x in found["DKIM"])
    assert any("matches DIGEST_DKIM_KEY_FILE" in x for x in found["DKIM"])
    assert any("aligns with From example.org" in x for x in found["DMARC"])
    (_smtp, _page, seen) = setup
    assert len(seen) == 1 and seen[0][1].startswith("/u/")  # one GET, which changes nothing


def test_spf_and_no_dmarc_says_to_publish_dmarc_and_exits_1(tmp_path, capsys, setup, dkim_key, pki) -> None:  # type: ignore[no-untyped-def]
    plain = zone(public_key_record(dkim_key.read_bytes()), dmarc="")
    code, found = run(tmp_path, capsys, setup, dkim_key, plain, DIGEST_SMTP_CA_FILE=str(pki.ca_file))
    assert code == 1
    (dmarc,) = found["DMARC"]
    assert dmarc.startswith("FIX no DMARC record at _dmarc.example.org") and '"v=DMARC1; p=none' in dmarc
    assert found["SPF"] == ["ok example.org (the DIGEST_FROM domain): v=spf1 ip4:203.0.113.10 -all"]
    fixes = [t for lines in found.values() for t in lines if t.startswith("FIX")]
    assert fixes == [dmarc]  # the one thing to fix, and nothing else said wrong


OTHER_KEY = "v=DKIM1; k=rsa; p=" + (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtestnotthekeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)


@pytest.mark.parametrize(
    "case, topic, said",
    [
        ("no-spf", "SPF", "FIX no SPF record at example.org"),
        ("two-spf", "SPF", "FIX 2 SPF records at example.org"),
        ("plus-all", "SPF", "lets anyone send as you; end it with ~all or -all"),
        ("no-mx", "MX", "FIX example.org has no MX record"),
        ("null-mx", "MX", "FIX example.org publishes a null MX"),
        ("no-dkim", "DKIM", 'FIX no DKIM key at digest2026._domainkey.example.org: publish TXT "v=DKIM1;'),
        ("other-dkim", "DKIM", "is not the public half of DIGEST_DKIM_KEY_FILE"),
        ("strict", "DMARC", "does not align with From example.org (adkim=s)"),
    ],
)
def test_each_defect_is_one_fix_line_naming_what_to_do(  # type: ignore[no-untyped-def]
    tmp_path, capsys, setup, dkim_key, pki, case, topic, said
) -> None:
    key = public_key_record(dkim_key.read_bytes())
    zones = {
        "no-spf": zone(key, spf=""),
        "two-spf": zone(key, extra=f"{DOMAIN}. IN TXT \"v=spf1 include:_spf.mailhost.example ~all\""),
        "plus-all": zone(key, spf="v=spf1 a mx +all"),
        "no-mx": zone(key, mx=False).replace(f"{DOMAIN}. IN A 203.0.113.10\n", ""),
        "null-mx": zone(key, mx=False, extra=f"{DOMAIN}. IN MX 0 ."),
        "no-dkim": zone(""),
        "other-dkim": zone(OTHER_KEY),
        "strict": zone(key, dmarc="v=DMARC1; p=reject; adkim=s; aspf=s"),
    }
    more = {"DIGEST_SMTP_CA_FILE": str(pki.ca_file)}
    if case == "strict":  # signed by a subdomain, sent with a bounce address on another one
        more.update(DIGEST_DKIM_DOMAIN=f"mail.{DOMAIN}", DIGEST_BOUNCE_ADDRESS=f"bounces@bounce.{DOMAIN}")
        zones[case] += f"{SELECTOR}._domainkey.mail.{DOMAIN}. IN TXT {txt(key)}\n"
        zones[case] += f"bounce.{DOMAIN}. IN TXT \"v=spf1 ip4:203.0.113.10 -all\"\n"
    code, found = run(tmp_path, capsys, setup, dkim_key, zones[case], **more)
    assert code == 1
    assert any(said in line for line in found[topic]), found[topic]


def test_smtp_login_tls_and_the_unsubscribe_link(tmp_path, capsys, setup, dkim_key, pki) -> None:  # type: ignore[no-untyped-def]
    code, found = run(tmp_path, capsys, setup, dkim_key, good(dkim_key),
                      DIGEST_SMTP_CA_FILE=str(pki.ca_file), DIGEST_SMTP_PASSWORD="wrong")
    assert code == 1 and found["SMTP"][0].startswith("FIX") and "refused the login" in found["SMTP"][0]
    assert "wrong" not in str(found)
    code, found = run(tmp_path, capsys, setup, dkim_key, good(dkim_key))  # the CA not trusted
    assert code == 1 and "TLS failed" in found["SMTP"][0]
    code, found = run(tmp_path, capsys, setup, dkim_key, good(dkim_key), DIGEST_SMTP_CA_FILE=str(pki.ca_file),
                      DIGEST_UNSUBSCRIBE_URL="http://127.0.0.1:9/u/{token}")
    assert code == 1 and "is not https" in found["unsubscribe"][0]
    code, found = run(tmp_path, capsys, setup, dkim_key, good(dkim_key), DIGEST_SMTP_CA_FILE=str(pki.ca_file),
                      DIGEST_UNSUBSCRIBE_URL="https://127.0.0.1:9/u/{token}")
    assert code == 1 and "does not answer" in found["unsubscribe"][0]


def test_a_redirecting_page_and_a_silent_dns_server_are_fixes(  # type: ignore[no-untyped-def]
    tmp_path, capsys, pki, dkim_key, monkeypatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca_file))
    plain = {"DIGEST_SMTP_SECURITY": "none", "DIGEST_SMTP_USERNAME": "", "DIGEST_SMTP_PASSWORD": ""}
    with smtp_server() as (_box, smtp_port), https_page(pki, status=303) as (page, _seen):
        with dns_server(good(dkim_key)) as dns:
            code = doctor(tmp_path, dns, smtp_port, page, dkim_key, **plain)
        out = capsys.readouterr().out
        assert code == 1 and "redirects (303)" in out
        assert "answers on this machine without TLS" in out  # plain text is fine only on loopback
        code = doctor(tmp_path, f"127.0.0.1:{free_port()}", smtp_port, page, dkim_key, **plain)
    out = capsys.readouterr().out
    assert code == 1 and "did not answer" in out and "DIGEST_DNS_SERVER" in out
    assert "no DMARC record" not in out  # no answer is not "no record"


def test_with_a_provider_that_signs_the_dkim_lines_say_what_digest_cannot_see(  # type: ignore[no-untyped-def]
    tmp_path, capsys, setup, dkim_key
) -> None:
    code, found = run(tmp_path, capsys, setup, None, zone(""), DIGEST_PROVIDER="postmark",
                      DIGEST_POSTMARK_API_KEY="not-used-by-the-doctor")
    assert code == 0, found  # a warn line is advice
    assert "SMTP" not in found and "DKIM" not in found  # the provider's server and signature are its own
    assert found["DMARC"][1].startswith("warn digest does not sign") and "d=example.org" in found["DMARC"][1]


def test_the_example_address_is_named_before_any_dns_is_asked(tmp_path, capsys, setup, pki) -> None:  # type: ignore[no-untyped-def]
    smtp_port, page, _seen = setup
    # No DIGEST_DNS_SERVER: the system's resolver would be asked, were the address not an example.
    code = doctor(tmp_path, "", smtp_port, page, None, DIGEST_SMTP_CA_FILE=str(pki.ca_file))
    out = capsys.readouterr().out
    assert code == 1
    assert "FIX  From        DIGEST_FROM='Hope Bridge <news@example.org>' is an example address" in out
    assert "MX" not in out and "DMARC" not in out
    assert "ok   SMTP" in out and "ok   unsubscribe" in out  # the rest is still checked
