"""The scheduler settles what Mailgun's own records can tell (issue 21), through `digest run --once`
at the suite's fixed clock (DIGEST_TEST_NOW) against a local Mailgun that answers 429, then a 500
that accepted nothing, and serves its Events API: nobody missed, nobody twice, nobody alerted."""

from __future__ import annotations

import json
from pathlib import Path

from digest.store import open_store
from tests.fakes import esp_mailgun
from tests.fakes.http_api import serve
from tests.scheduler.conftest import add_subscribers, editions
from tests.scheduler.test_retry_failed import KEY, alerts, at, digest, values


def test_the_scheduler_sends_again_only_what_mailgun_never_got(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    fake = esp_mailgun.FakeMailgun()
    fake.fail("/messages", status=429, headers={"Retry-After": "1"}, body={"message": "slow down"})
    fake.fail("/messages", status=500, body={"message": "Internal Server Error"})
    with serve(fake) as api:
        env = values(
            tmp_path, 25, DIGEST_PROVIDER="mailgun", DIGEST_MAILGUN_API_KEY=esp_mailgun.KEY,
            DIGEST_MAILGUN_DOMAIN=esp_mailgun.DOMAIN, DIGEST_MAILGUN_BASE_URL=api.base + "/v3",
            DIGEST_SEND_MAX_WAIT="5",
        )  # DIGEST_RECONCILE_AFTER as shipped: 5 minutes
        settings = make_settings(**env)
        engine = open_store(settings.db_url)
        emails = add_subscribers(engine, 1_500)  # two batches; the 500 hits the second
        first = digest(env, at(9, 1), "run", "--once")
        assert first.returncode == 0, first.stdout + first.stderr  # settled by digest: no trouble yet
        assert editions(engine) == {KEY: "partial"} and len(api.delivered) == 1_000  # type: ignore[attr-defined]
        by_hand = digest(env, at(9, 2), "send")  # says what digest will do, and does nothing yet
        assert "mailgun's records are asked from 2026-06-01 07:06 UTC" in by_hand.stdout, by_hand.stdout
        early = digest(env, at(9, 16), "run", "--once")  # asked: absent, but too early to trust it
        assert early.returncode == 0 and len([r for r in api.requests if r.method == "POST"]) == 3
        settled = digest(env, at(9, 35), "run", "--once")  # the settle window has passed
        assert settled.returncode == 0, settled.stdout + settled.stderr
        again = digest(env, at(9, 50), "run", "--once")
    assert api.violations == []
    assert sorted(api.delivered) == sorted(emails)  # type: ignore[attr-defined]  # nobody missed, nobody twice
    assert "nothing to do" in again.stdout
    assert editions(engine) == {KEY: "sent"} and alerts(engine) == {}
    status = digest(env, at(9, 51), "status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["ok"] is True
    reads = [r.path for r in api.requests if r.method == "GET" and "/events" in r.path]
    assert reads and all("digest-weekly-2026-W23" in r for r in reads if "tags=" in r)
