"""DKIM signing by digest for provider smtp: a captured message verifies with dkimpy against the
test key, its h= covers both List-Unsubscribe headers, and changing either breaks the signature."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest.errors import ConfigError
from tests.delivery.conftest import add_subscribers
from tests.delivery.test_smtp import smtp_settings
from tests.fakes.smtp import smtp_server


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory) -> tuple[Path, bytes]:  # type: ignore[no-untyped-def]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("dkim") / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def dns_for(record: bytes):  # type: ignore[no-untyped-def]
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"news2026._domainkey.example.org." else None

    return lookup


def test_smtp_messages_are_signed_over_both_unsubscribe_headers(world, key_pair) -> None:  # type: ignore[no-untyped-def]
    path, record = key_pair
    with smtp_server() as (box, port):
        w = world(
            **smtp_settings(
                port,
                DIGEST_DKIM_DOMAIN="example.org",
                DIGEST_DKIM_SELECTOR="news2026",
                DIGEST_DKIM_KEY_FILE=str(path),
            )
        )
        add_subscribers(w.engine, 3)
        assert w.send().counts == {"sent": 3}
    assert len(box.raw) == 3
    for raw in box.raw:
        assert dkim.verify(raw, dnsfunc=dns_for(record)), raw[:400]
        header = raw.split(b"\r\n\r\n", 1)[0].decode()
        signed = re.search(r"\bh=([^;]+)", header.replace("\r\n", "").replace(" ", "").replace("\t", ""))
        names = {n.lower() for n in signed.group(1).split(":")}  # type: ignore[union-attr]
        assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= names
        assert "d=example.org" in header and "s=news2026" in header
    tampered = box.raw[0].replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=One-Clack", 1)
    assert tampered != box.raw[0] and not dkim.verify(tampered, dnsfunc=dns_for(record))
    moved = re.sub(
        rb"(List-Unsubscribe: <https://example.org/unsubscribe\?token=)", rb"\1x", box.raw[0], count=1
    )
    assert moved != box.raw[0] and not dkim.verify(moved, dnsfunc=dns_for(record))


def test_without_dkim_settings_nothing_is_signed(world) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port))
        add_subscribers(w.engine, 1)
        w.send()
    assert b"DKIM-Signature" not in box.raw[0]


def test_half_set_dkim_settings_name_the_missing_key(make_settings, key_pair) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_DKIM_DOMAIN="example.org", DIGEST_DKIM_KEY_FILE=str(key_pair[0]))
    assert "DIGEST_DKIM_SELECTOR" in str(caught.value)
    with pytest.raises(ConfigError) as missing:
        make_settings(
            DIGEST_DKIM_DOMAIN="example.org", DIGEST_DKIM_SELECTOR="s", DIGEST_DKIM_KEY_FILE="/nope.pem"
        )
    assert "DIGEST_DKIM_KEY_FILE" in str(missing.value)


def test_a_message_without_unsubscribe_links_has_no_empty_header(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from digest.providers import make_provider
    from digest.providers.base import Content, Outgoing, wire_bytes
    from digest.types import Recipient

    with smtp_server() as (box, port):
        w = world(**smtp_settings(port))
        content = Content(
            "confirm:1", "Please confirm", "<p>hi</p>", "hi\n", w.settings.sender, datetime.now(UTC)
        )
        item = Outgoing("confirm:1", Recipient("new@example.org"), content)
        provider = make_provider(w.settings)
        try:
            provider.send_batch([item], "k" * 40)
        finally:
            provider.close()
    raw = box.raw[0]
    assert b"List-Unsubscribe" not in raw
    def names(message: bytes) -> list[bytes]:
        head = message.split(b"\r\n\r\n", 1)[0]
        return [line.split(b":", 1)[0] for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")]

    assert names(raw) == names(wire_bytes(item.message))  # the same headers the slow path makes
