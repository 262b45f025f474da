"""Issue 20: an unsubscribe answered while an edition is going out is honoured for that edition.

`digest send` mails 300 subscribers through a slow SMTP server (a real aiosmtpd, 50 ms a message,
two connections); while it runs, 100 of those not yet reached press their one-click unsubscribe on
a real `digest serve`. No message reaches any of them more than 0.5 s after their 200 (the issue
saw 300 of 300 handed over later), and each one not mailed is in the ledger as skipped, with why:
nobody is dropped silently."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from digest.deliver.resolve import email_rows, skipped
from digest.store.subscribers import insert_new
from tests.fakes.smtp import Mailbox, smtp_server
from tests.serve.conftest import DIGEST, link, running

KEY = "unsubscribe-mid-send-test-key-0123456789"
PEOPLE = [f"reader{n:03d}@example.org" for n in range(300)]
LEAVING = PEOPLE[200:]  # sent last: the list goes out in address order
GRACE = 0.5


def test_unsubscribes_during_a_send_are_honoured(tmp_path: Path) -> None:
    with smtp_server(Mailbox(delay=0.05)) as (box, port), running(tmp_path, DIGEST_SECRET_KEY=KEY) as srv:
        engine = srv.engine()
        try:
            insert_new(engine, [{"email": who, "name": "", "language": ""} for who in PEOPLE])
            smtp = {
                "DIGEST_PROVIDER": "smtp",
                "DIGEST_SMTP_HOST": "127.0.0.1",
                "DIGEST_SMTP_PORT": str(port),
                "DIGEST_SMTP_SECURITY": "none",
                "DIGEST_SMTP_CONNECTIONS": "2",
            }
            paths = {who: link(srv, "unsubscribe", who, KEY) for who in LEAVING}  # as their emails carry
            with (tmp_path / "send.log").open("w") as log:
                sender = subprocess.Popen(
                    [*DIGEST, "send"], cwd=tmp_path, env={**srv.env, **smtp}, stdout=log, stderr=log
                )
            deadline = time.monotonic() + 120
            while len(box.rcpts) < 40 and time.monotonic() < deadline and sender.poll() is None:
                time.sleep(0.01)
            assert 40 <= len(box.rcpts) < 150, "the send must be under way, far from LEAVING"
            answered: dict[str, float] = {}
            for who in LEAVING:
                url = srv.url(paths[who])
                reply = srv.session.post(
                    url, data="List-Unsubscribe=One-Click", allow_redirects=False, timeout=30
                )
                assert reply.status_code == 200
                answered[who] = time.monotonic()
            assert sender.wait(timeout=300) == 0, (tmp_path / "send.log").read_text()
            late = [
                (who, at - answered[who])
                for who, at in zip(box.rcpts, box.times, strict=True)
                if who in answered and at > answered[who] + GRACE
            ]
            assert late == []
            mailed = set(box.rcpts)
            rows = email_rows(engine)
            left_out = {who: why for row in rows for who, why in skipped(row)}
            assert mailed | set(left_out) == set(PEOPLE)  # everyone either mailed or recorded skipped
            assert set(left_out) == set(LEAVING) - mailed and all(
                w == "unsubscribed" for w in left_out.values()
            )
            assert len(left_out) >= 50, len(left_out)  # most of them were reached in time
            assert {row.status for row in rows} <= {"sent", "skipped"}
            shown = srv.cli("deliveries", "--status", "all")
            assert f"{len(left_out)} skipped" in shown.stdout, shown.stdout
        finally:
            engine.dispose()
