"""Secrets stay in, files stay private, the list cannot be probed (issue 13, 'Secrets and files')."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import requests
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.preview.serve import PreviewServer
from digest.redact import redact
from digest.store import open_store
from tests.delivery.conftest import add_subscribers
from tests.fakes.esp_postmark import TOKEN, FakePostmark
from tests.fakes.http_api import serve
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]
SECRETISH = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="&#\"'<>;,}"),
                    min_size=8, max_size=40)


@given(SECRETISH, st.sampled_from(["access_token", "api_key", "token", "key", "sig"]))
@settings(deadline=None)
def test_query_values_in_any_url_are_redacted(secret: str, name: str) -> None:
    line = f'GET https://graph.example.com/v1/me/threads?fields=id&{name}={secret} HTTP/1.1" 200'
    assert f"{name}=[redacted]" in redact(line)


HOLE = "\0"  # where the secret goes in a line


def survives(secret: str, line: str, redacted: str) -> bool:
    """Whether ``secret``, put into ``line`` at HOLE, can still be read in ``redacted``, the
    redaction of the filled line. A short secret may be part of the text around it ('example.'
    of 'db.example.org') or straddle the marker put in its place: those are not a leak."""
    around = line.count(secret)
    return redacted.replace("[redacted]", HOLE).count(secret) > around


@given(SECRETISH)
@settings(deadline=None)
@example("example.")  # part of the address around it: once a false alarm of this test
@example("Authorization")
def test_authorization_like_values_and_known_secrets_are_redacted(secret: str) -> None:
    for line in (f"Authorization: Bearer {HOLE}", f"X-Postmark-Server-Token: {HOLE}",
                 f'{{"api_key": "{HOLE}"}}', f"password={HOLE}", f"invalid key {HOLE} given"):
        assert not survives(secret, line, redact(line.replace(HOLE, secret), [secret])), line
    password = quote(secret, safe="")  # as it must be written inside an address
    line = f"postgresql://digest:{HOLE}@db.example.org/digest"
    assert not survives(password, line, redact(line.replace(HOLE, password)))


def test_a_secret_left_in_the_text_is_seen_by_survives() -> None:
    line = f"key {HOLE} at db.example.org"
    assert survives("hunter22", line, "key hunter22 at db.example.org")
    assert survives("example.", line, "key example. at db.example.org")
    assert not survives("example.", line, "key [redacted] at db.example.org")
    assert not survives("ed]@db.e", f"x:{HOLE}@db.example.org", "x:[redacted]@db.example.org")


def test_ordinary_error_text_is_left_alone() -> None:
    text = "postmark (HTTP 422): You tried to send to a recipient that has been marked as inactive."
    assert redact(text, ["pm-server-token"]) == text


def test_a_provider_error_echoing_our_key_is_redacted_before_printed_or_stored(world) -> None:  # type: ignore[no-untyped-def]
    fake = FakePostmark()
    fake.fail("/email/batch", status=422, body={"ErrorCode": 10, "Message": f"Bad or missing token {TOKEN}"})
    with serve(fake) as api:
        w = world(
            DIGEST_PROVIDER="postmark", DIGEST_POSTMARK_API_KEY=TOKEN, DIGEST_POSTMARK_BASE_URL=api.base
        )
        add_subscribers(w.engine, 3)
        report = w.send()
    stored = [row.last_error for row in w.rows()] + [e["message"] for e in w.ledger.recent_events()]
    assert any("Bad or missing token [redacted]" in text for text in stored), stored
    assert TOKEN not in report.message and not any(TOKEN in text for text in stored)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_DATA_DIR=str(tmp_path / "var"), DIGEST_SOURCES=str(SAMPLE))
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_and_everything_in_it_is_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    open_store(f"sqlite:///{data / 'digest.db'}").dispose()
    os.chmod(data / "digest.db", 0o644)  # as an older version left it
    assert _cli(tmp_path, "send").returncode == 0
    assert _cli(tmp_path, "run", "--once").returncode in (0, 1)  # writes logs/digest.log
    assert _mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"digest.db", "secret.key", "digest.log"} <= names and any(n.endswith(".eml") for n in names)
    for path in files:
        assert _mode(path) == 0o600, (path, oct(_mode(path)))
    for folder in (p for p in data.rglob("*") if p.is_dir()):
        assert _mode(folder) == 0o700, (folder, oct(_mode(folder)))


def test_unsubscribe_takes_only_a_token_and_by_address_answers_the_same_either_way(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text("email\nkim@example.kr\n", encoding="utf-8")
    assert _cli(tmp_path, "subscribers", "import", "list.csv").returncode == 0
    refused = _cli(tmp_path, "subscribers", "unsubscribe", "kim@example.kr")
    assert refused.returncode == 1 and "signed token" in refused.stderr
    assert "1 subscribed" in _cli(tmp_path, "subscribers", "count").stdout
    member = _cli(tmp_path, "subscribers", "unsubscribe", "--address", "kim@example.kr")
    stranger = _cli(tmp_path, "subscribers", "unsubscribe", "--address", "nobody@example.kr")
    assert member.returncode == stranger.returncode == 0
    assert member.stdout.replace("kim", "X") == stranger.stdout.replace("nobody", "X")
    assert member.stderr == stranger.stderr == ""
    assert "0 subscribed, 1 unsubscribed" in _cli(tmp_path, "subscribers", "count").stdout


def test_preview_server_checks_host_and_serves_only_the_preview(tmp_path: Path) -> None:
    out = tmp_path  # as with --out .
    (out / ".env").write_text("DIGEST_POSTMARK_API_KEY=secret-value\n", encoding="utf-8")
    (out / "notes.txt").write_text("private\n", encoding="utf-8")
    (out / "var").mkdir()
    (out / "var" / "digest.db").write_bytes(b"SQLite")
    (out / "index.html").write_text("<p>dashboard</p>", encoding="utf-8")
    (out / "email.html").write_text("<p>email</p>", encoding="utf-8")
    (out / "social").mkdir()
    (out / "social" / "x.txt").write_text("post", encoding="utf-8")
    server = PreviewServer(out, 0, rebuild=lambda: [], watched=[], on_error=lambda exc: None)
    server.start()
    try:
        base = server.url
        assert base.startswith("http://127.0.0.1:")
        for path in ("", "index.html", "email.html", "social/x.txt", "__version"):
            assert requests.get(base + path, timeout=5).status_code == 200, path
        for path in (".env", "notes.txt", "var/digest.db", "social/", "%2eenv", "social/../.env",
                     "en/../.env", "email.html/../.env"):
            response = requests.get(base + path, timeout=5)
            assert response.status_code == 404 and "secret-value" not in response.text, path
        port = base.rstrip("/").rsplit(":", 1)[1]
        rebinding = requests.get(base + "email.html", headers={"Host": f"evil.example:{port}"}, timeout=5)
        assert rebinding.status_code == 421 and "<p>email</p>" not in rebinding.text
        assert requests.get(base + "email.html", headers={"Host": f"localhost:{port}"}, timeout=5).ok
    finally:
        server.stop()
