"""Issue 20: `subscribers forget` forgets.

A subscriber gets the outbox's rehearsal and a test copy, then a real edition over SMTP; the mail
service's webhook reports on it through a real `digest serve`; a volunteer saves an export and a
preview under the data folder, and an older version's log names her. After `forget`, no file
under the data folder, no file name, and no line of the database's dump holds her address in any
spelling: as typed, lower or upper case, percent-encoded, base64 or base64url at any alignment,
quoted-printable. A webhook event about her arriving afterwards keeps only the keyed hash. The
other subscriber's messages stay."""

from __future__ import annotations

import base64
import hashlib
import hmac
import quopri
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

from tests.fakes.smtp import smtp_server
from tests.serve.conftest import add_people, running

TYPED = "Ann.Lee+News@Example.org"
STORED = TYPED.lower()
OTHER = "bo@example.org"
KEY = "mailgun-webhook-signing-key-test"
SECRET = "forget-everywhere-test-key-0123456789abcdef"


def spellings(address: str) -> set[bytes]:
    """Every way a file may hold ``address`` (a test's own list, not digest's)."""
    out: set[bytes] = set()
    for text in {address, address.lower(), address.upper()}:
        raw = text.encode()
        out |= {raw, quopri.encodestring(raw).strip(), quopri.encodestring(raw, header=True).strip()}
        out |= {quote(text, safe="").encode(), quote(text).encode(), quote_plus(text).encode()}
        out |= {quote(text, safe="@").encode(), quote(text, safe="+").encode()}
        out |= {quote(text, safe="").lower().encode()}
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            for offset in range(3):
                text64 = encode(b"\0" * offset + raw)
                start, end = (offset * 4 + 2) // 3, (offset + len(raw)) * 4 // 3
                out.add(text64[start:end])
    return out


def holders(folder: Path, address: str) -> list[str]:
    needles = spellings(address)
    found = []
    for path in folder.rglob("*"):
        name = str(path.relative_to(folder)).encode()
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        if any(n in name or n in data for n in needles):
            found.append(str(path.relative_to(folder)))
    return found


def dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(conn.iterdump())


def mailgun(message_id: str, kind: str, n: int) -> dict:  # type: ignore[type-arg]
    stamp, token = str(int(time.time())), f"{n:02d}" + "t" * 48
    signature = hmac.new(KEY.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    data = {
        "event": kind,
        "recipient": STORED,
        "timestamp": time.time(),
        "severity": "permanent",
        "message": {"headers": {"message-id": message_id.strip("<>")}},
        "delivery-status": {"code": 550, "message": f"5.1.1 <{TYPED}>: no such user"},
    }
    return {"signature": {"timestamp": stamp, "token": token, "signature": signature}, "event-data": data}


def test_forget_leaves_the_address_nowhere(tmp_path: Path) -> None:
    settings = {"DIGEST_MAILGUN_WEBHOOK_KEY": KEY, "DIGEST_SECRET_KEY": SECRET}
    with smtp_server() as (box, port), running(tmp_path, **settings) as srv:
        add_people(srv, (TYPED, ""), (OTHER, ""))
        assert srv.cli("send").returncode == 0  # the outbox: a file per person
        assert srv.cli("send", "--test", TYPED).returncode == 0
        smtp = {
            "DIGEST_PROVIDER": "smtp",
            "DIGEST_SMTP_HOST": "127.0.0.1",
            "DIGEST_SMTP_PORT": str(port),
            "DIGEST_SMTP_SECURITY": "none",
            "DIGEST_SCHEDULE": "0 9 * * *",
            "DIGEST_SEND_WHEN_EMPTY": "true",
        }
        sent = srv.cli("send", **smtp)
        assert sent.returncode == 0, sent.stderr
        assert sorted(box.rcpts) == [STORED, OTHER]
        [message] = [m for m in box.messages() if m["To"] and STORED in m["To"].lower()]
        delivered = srv.session.post(
            srv.url("/webhooks/mailgun"), json=mailgun(message["Message-ID"], "delivered", 1)
        )
        assert delivered.status_code == 200
        data = tmp_path / "var"
        export = srv.cli("subscribers", "export", TYPED)
        (data / "exports").mkdir()
        (data / "exports" / "ann.json").write_text(export.stdout)
        assert srv.cli("preview", "--out", str(data / "preview")).returncode == 0
        (data / "logs").mkdir(exist_ok=True)
        (data / "logs" / "digest.log.1").write_text(f"2026-11-30 WARNING digest: {TYPED} bounced once\n")
        before = holders(data, TYPED)
        for where in ("outbox/", "outbox/weekly", "/tests/", "exports/ann.json", "logs/digest.log.1"):
            assert any(where in path for path in before), (where, before)
        assert STORED in dump(data / "digest.db")

        forgot = srv.cli("subscribers", "forget", TYPED)
        assert forgot.returncode == 0, forgot.stderr
        assert "message file(s) deleted" in forgot.stdout
        later = srv.session.post(
            srv.url("/webhooks/mailgun"), json=mailgun(message["Message-ID"], "failed", 2)
        )
        assert later.status_code == 200

        assert holders(data, TYPED) == []
        text = dump(data / "digest.db").lower()
        assert not any(n.decode().lower() in text for n in spellings(TYPED))
        assert text.count("forgotten:") >= 2  # her delivery row and the event that came later
        assert any(OTHER in p.name for p in (data / "outbox").rglob("*.eml"))  # the other's stay
        assert OTHER in text
