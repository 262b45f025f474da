"""End to end: `digest send` over SMTP to maildev (npm), raw messages read back over its web API.

maildev binds every interface by default, so it is started on 127.0.0.1 only,
directly (not through npx) and in its own process group, which is killed after.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from tests.fakes.smtp import free_port
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]
MAILDEV = REPO / "node_modules" / ".bin" / "maildev"


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
        return bytes(response.read())


@pytest.fixture(scope="module")
def maildev() -> Iterator[tuple[int, str]]:
    if not MAILDEV.exists():
        pytest.skip("maildev is not installed (bash scripts/test.sh installs it)")
    smtp, web = free_port(), free_port()
    proc = subprocess.Popen(
        [
            str(MAILDEV),
            "--ip",
            "127.0.0.1",
            "--web-ip",
            "127.0.0.1",
            "-s",
            str(smtp),
            "-w",
            str(web),
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{web}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(base + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("maildev did not start") from None
                time.sleep(0.1)
        yield smtp, base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_send_then_read_every_message_back(maildev, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    smtp, base = maildev
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(
        DIGEST_SOURCES=str(SAMPLE),
        DIGEST_PROVIDER="smtp",
        DIGEST_SMTP_HOST="127.0.0.1",
        DIGEST_SMTP_PORT=str(smtp),
        DIGEST_SMTP_SECURITY="none",
        DIGEST_SMTP_CONNECTIONS="2",
        DIGEST_UNSUBSCRIBE_URL="https://example.org/unsubscribe?token={token}",
    )
    (tmp_path / "list.csv").write_text(
        "email,name,language\n"
        + "".join(f"reader{i}@example.net,Reader {i},{'ko' if i % 3 == 0 else 'en'}\n" for i in range(12))
    )

    def digest(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "digest", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )

    assert digest("subscribers", "import", "list.csv").returncode == 0
    test = digest("send", "--test", "editor@example.org")
    assert test.returncode == 0, test.stderr
    sent = digest("send")
    assert sent.returncode == 0, sent.stderr + sent.stdout
    status = json.loads(digest("status", "--json").stdout)
    assert status["editions"][0]["deliveries"] == {"sent": 12}

    listed = json.loads(get(base + "/email"))
    raws = [get(f"{base}/email/{item['id']}/source") for item in listed]
    messages = [message_from_bytes(r, policy=default) for r in raws]
    to = sorted(m["To"].addresses[0].addr_spec for m in messages)
    assert to == sorted([f"reader{i}@example.net" for i in range(12)] + ["editor@example.org"])
    test_copy = next(m for m in messages if "editor@" in str(m["To"]))
    assert str(test_copy["Subject"]).startswith("[TEST] ")
    for m in messages:
        if m is test_copy:
            continue
        assert not str(m["Subject"]).startswith("[TEST]")
        assert str(m["List-Unsubscribe"]).startswith("<https://example.org/unsubscribe?token=")
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert m.get_content_type() == "multipart/alternative"
        html = m.get_body(("html",)).get_content()
        text = m.get_body(("plain",)).get_content()
        assert "%%" not in html and "%%" not in text
        lang = "ko" if int(m["To"].addresses[0].username.removeprefix("reader")) % 3 == 0 else "en"
        assert f'<html lang="{lang}"' in html
