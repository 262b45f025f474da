"""SMTP over TLS with a login, against a real aiosmtpd server on 127.0.0.1.

The server's certificate is signed by a CA made in the test (``cryptography``);
DIGEST_SMTP_CA_FILE makes the client trust it. STARTTLS (port 587 style) and
implicit TLS (port 465 style), with AUTH LOGIN and AUTH PLAIN; a wrong password
and an untrusted certificate must fail with one clear line, never fall back to
plain text.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from digest.cli import main
from digest.store import open_store
from digest.store.ledger import Ledger
from tests.delivery.conftest import add_subscribers
from tests.fakes.smtp import Handler, Mailbox, free_port
from tests.paths import SAMPLE

# aiosmtpd warns when AUTH is allowed without its own STARTTLS; with implicit TLS the
# whole connection is encrypted, and each login checks that it was.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

REPO = Path(__file__).resolve().parents[2]
USER = "newsletter@example.org"
PASSWORD = "correct horse battery staple"


# -- a CA and a server certificate, made here --------------------------------
def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, key_cert_sign=ca, crl_sign=ca, content_commitment=False,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        encipher_only=False, decipher_only=False,
    )


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_pki(folder: Path) -> Pki:
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("digest test CA"))
        .issuer_name(_name("digest test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                         x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    pki.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return pki


# -- the server ----------------------------------------------------------------
@dataclass
class Seen:
    """What the server saw, and whether the connection was encrypted at that moment."""

    logins: list[tuple[str, str, bool, bool]] = field(default_factory=list)  # mechanism, user, ok, tls
    mail_from: list[bool] = field(default_factory=list)  # tls at each MAIL FROM
    lock: threading.Lock = field(default_factory=threading.Lock)


def _encrypted(server) -> bool:  # type: ignore[no-untyped-def]
    return server.transport is not None and server.transport.get_extra_info("sslcontext") is not None


class TlsHandler(Handler):
    def __init__(self, box: Mailbox, seen: Seen) -> None:
        super().__init__(box)
        self.seen = seen

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.seen.lock:
            self.seen.mail_from.append(_encrypted(server))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


class Authenticator:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def __call__(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
        with self.seen.lock:
            self.seen.logins.append((mechanism, login, ok, _encrypted(server)))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 235 or 535


@contextmanager
def tls_server(pki: Pki, security: str, mechanism: str) -> Iterator[tuple[Mailbox, Seen, int]]:
    """An SMTP server with only ``mechanism`` offered and a login required before MAIL."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    box, seen, port = Mailbox(), Seen(), free_port()
    tls: dict[str, object] = {"ssl_context": context}
    if security == "starttls":
        tls = {"tls_context": context, "require_starttls": True}
    controller = Controller(
        TlsHandler(box, seen),
        hostname="127.0.0.1",
        port=port,
        authenticator=Authenticator(seen),
        auth_required=True,
        # aiosmtpd offers AUTH only after its own STARTTLS; with implicit TLS the whole
        # connection is encrypted (checked per login below), so the check is left to us.
        auth_require_tls=security == "starttls",
        auth_exclude_mechanism=[m for m in ("LOGIN", "PLAIN") if m != mechanism],
        **tls,  # type: ignore[arg-type]
    )
    controller.start()
    try:
        yield box, seen, port
    finally:
        controller.stop()


def write_env(
    folder: Path, port: int, security: str, password: str = PASSWORD, ca: Path | None = None
) -> Path:
    env = folder / f"{security}.env"
    lines = [
        f"DIGEST_DATA_DIR={folder / 'var'}",
        f"DIGEST_SOURCES={SAMPLE}",
        "DIGEST_PROVIDER=smtp",
        "DIGEST_SMTP_HOST=127.0.0.1",
        f"DIGEST_SMTP_PORT={port}",
        f"DIGEST_SMTP_SECURITY={security}",
        f"DIGEST_SMTP_USERNAME={USER}",
        f"DIGEST_SMTP_PASSWORD={password}",
        "DIGEST_SMTP_CONNECTIONS=1",
        "DIGEST_SMTP_TIMEOUT=10",
        "DIGEST_SEND_MAX_WAIT=5",
    ]
    if ca is not None:
        lines.append(f"DIGEST_SMTP_CA_FILE={ca}")
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    """(pki, engine) with three subscribers in tmp_path/var."""
    (tmp_path / "var").mkdir()
    engine = open_store(f"sqlite:///{tmp_path / 'var' / 'digest.db'}")
    add_subscribers(engine, 3)
    yield make_pki(tmp_path), engine
    engine.dispose()


def digest(env: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--env-file", str(env), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


EXPECTED = [f"reader{i:06d}@example.net" for i in range(3)]


@pytest.mark.parametrize("security", ["starttls", "tls"])
@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_sends_over_tls_after_logging_in(tmp_path, site, capsys, security: str, mechanism: str) -> None:  # type: ignore[no-untyped-def]
    pki, engine = site
    with tls_server(pki, security, mechanism) as (box, seen, port):
        code, out, err = digest(write_env(tmp_path, port, security, ca=pki.ca_file), capsys, "send")
    assert code == 0, out + err
    assert sorted(box.rcpts) == EXPECTED
    # One connection, reused: one login with the chosen mechanism, over TLS; every MAIL FROM encrypted.
    assert seen.logins == [(mechanism, USER, True, True)]
    assert seen.mail_from == [True, True, True]
    assert Ledger(engine).editions(1)[0].status == "sent"
    assert PASSWORD not in out + err


def test_wrong_password_is_one_line_naming_the_setting_and_nothing_is_lost(tmp_path, site, capsys) -> None:  # type: ignore[no-untyped-def]
    pki, engine = site
    with tls_server(pki, "starttls", "LOGIN") as (box, seen, port):
        wrong = write_env(tmp_path, port, "starttls", password="hunter2", ca=pki.ca_file)
        code, out, err = digest(wrong, capsys, "send")
        assert code == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("digest: error: smtp") and "DIGEST_SMTP_PASSWORD" in lines[0]
        assert "hunter2" not in out + err
        # The run stopped at the first refusal: one login tried, not one per subscriber.
        assert [ok for _, _, ok, _ in seen.logins] == [False]
        assert box.raw == [] and seen.mail_from == []
        key = Ledger(engine).editions(1)[0].key
        assert {r.status for r in Ledger(engine).deliveries(key)} == {"pending"}
        # Fixed: the next send delivers everyone, once.
        code, out, err = digest(write_env(tmp_path, port, "starttls", ca=pki.ca_file), capsys, "send")
    assert code == 0, out + err
    assert sorted(box.rcpts) == EXPECTED
    assert Ledger(engine).editions(1)[0].status == "sent"


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_untrusted_certificate_fails_clearly_and_never_goes_plain(  # type: ignore[no-untyped-def]
    tmp_path, site, capsys, security: str
) -> None:
    pki, engine = site
    with tls_server(pki, security, "PLAIN") as (box, seen, port):
        # No DIGEST_SMTP_CA_FILE: the system's authorities do not know the test CA.
        code, out, err = digest(write_env(tmp_path, port, security), capsys, "send")
    assert code == 1
    assert "nothing was sent" in out
    assert "CERTIFICATE_VERIFY_FAILED" in out and "DIGEST_SMTP_CA_FILE" in out
    said = [line for line in out.strip().splitlines() if not line.startswith("reported: ")]  # the sample's
    assert len(said) == 2  # the report line and the counts line
    # Nothing was said in plain text after the failed handshake: no login, no MAIL FROM, no message.
    assert seen.logins == [] and seen.mail_from == [] and box.raw == []
    key = Ledger(engine).editions(1)[0].key
    rows = Ledger(engine).deliveries(key)
    assert {r.status for r in rows} == {"failed"}
    assert all("DIGEST_SMTP_CA_FILE" in r.last_error for r in rows)
