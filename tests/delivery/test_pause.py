"""`digest pause` / `digest resume`: a send in progress stops at its next safe point, stays paused
for `digest send` and the schedule, and goes on after resume with nobody missed or sent twice.

The end-to-end test is the one the issue names: a slow SMTP server, a pause after twenty messages,
every message the server received counted; on SQLite and on PostgreSQL, where the pause comes from
another process as it would from another instance.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from digest.deliver.dispatch import Policy, dispatch
from digest.pacing import Limits
from digest.providers.base import SendResult
from digest.store import open_store
from digest.store.ledger import DeliveryRow, Ledger
from tests.delivery.conftest import add_subscribers
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.fakes.smtp import Mailbox, smtp_send_env, smtp_server

N = 200  # at 4 a second, 45 s of sending left after the first 20: time for `digest pause` on a loaded machine
NOW = "2027-01-04T10:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'digest.db'}"
    return str(request.getfixturevalue("pg_url"))


def digest(env: dict[str, str], *args: str, now: str = NOW) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        env={**env, "DIGEST_TEST_NOW": now}, cwd=env["DIGEST_DATA_DIR"], capture_output=True, text=True,
        timeout=180,
    )


def setup(tmp_path: Path, port: int, database: str, connections: int = 2) -> tuple[dict[str, str], list[str]]:
    data = tmp_path / "var"
    data.mkdir(exist_ok=True)
    env = smtp_send_env(data, port, connections, DIGEST_DATABASE_URL=database)
    engine = open_store(database)
    emails = add_subscribers(engine, N)
    engine.dispose()
    return env, emails


def statuses(database: str) -> dict[str, str]:
    engine = open_store(database)
    try:
        edition = Ledger(engine).editions(1)[0]
        return {r.target.removeprefix("to:"): r.status for r in Ledger(engine).deliveries(edition.key)}
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_pause_after_twenty_messages_holds_until_resume(tmp_path: Path, database: str) -> None:
    with smtp_server(Mailbox(delay=0.25)) as (box, port):
        env, emails = setup(tmp_path, port, database)
        sender = subprocess.Popen(
            [sys.executable, "-m", "digest", "send"], env={**env, "DIGEST_TEST_NOW": NOW},
            cwd=env["DIGEST_DATA_DIR"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 120
        while len(box.raw) < 20 and sender.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sender.poll() is None, "the send finished before the pause"
        paused = digest(env, "pause")
        stopped_at = len(box.raw)
        box.delay = 0.0  # the rest (after resume) need not be slow
        assert paused.returncode == 0, paused.stdout + paused.stderr
        assert "paused" in paused.stdout and "no send of weekly:2027-W01 is running now" in paused.stdout
        out, err = sender.communicate(timeout=60)
        time.sleep(1.0)
        assert len(box.raw) == stopped_at  # nothing went out once `digest pause` had returned
        assert sender.returncode == 1 and "paused" in out and "Traceback" not in err, out + err
        rows = statuses(database)
        assert set(rows.values()) == {"sent", "pending"}  # nothing in flight, nothing in doubt
        assert {a for a, s in rows.items() if s == "sent"} == set(box.counts())
        assert stopped_at < N

        # Neither digest send nor the schedule continues a paused edition, however late it gets.
        held = digest(env, "send")
        assert held.returncode == 1 and "is paused" in held.stdout and "digest resume" in held.stdout
        late = digest(env, "run", "--once", now="2027-01-09T10:00:00+00:00")
        assert "paused" in late.stdout, late.stdout + late.stderr
        assert len(box.raw) == stopped_at
        status = json.loads(digest(env, "status", "--json").stdout)["editions"][0]
        assert status["paused"]["by"].endswith("on the command line")
        assert status["progress"]["sent"] == stopped_at and status["progress"]["total"] == N
        assert status["status"] == "sending"

        resumed = digest(env, "resume")
        assert resumed.returncode == 0 and f"{N - stopped_at} of {N}" in resumed.stdout
        done = digest(env, "send")
    assert done.returncode == 0, done.stdout + done.stderr
    got = box.counts()
    assert set(got) == set(emails) and max(got.values()) == 1  # nobody missed, nobody twice


def test_an_edition_paused_before_it_starts_waits_for_resume(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'var' / 'digest.db'}"
    with smtp_server() as (box, port):
        env, emails = setup(tmp_path, port, database)
        paused = digest(env, "pause", "--no-wait")
        assert paused.returncode == 0 and "weekly:2027-W01 paused" in paused.stdout, paused.stderr
        assert digest(env, "send").returncode == 1
        # Three days late: a paused edition is not given up as missed.
        check = digest(env, "run", "--once", now="2027-01-07T10:00:00+00:00")
        assert "paused" in check.stdout and not box.raw
        again = digest(env, "pause", "weekly:2027-W01", "--no-wait")
        assert "already paused" in again.stdout
        assert digest(env, "resume", "weekly:2027-W01").returncode == 0
        assert digest(env, "resume").returncode == 1  # nothing is paused any more
        assert digest(env, "send").returncode == 0
    assert box.counts() == dict.fromkeys(emails, 1)


def test_pausing_a_sent_edition_is_refused(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'var' / 'digest.db'}"
    with smtp_server() as (_box, port):
        env, _emails = setup(tmp_path, port, database)
        assert digest(env, "send").returncode == 0
        refused = digest(env, "pause")
        named = digest(env, "pause", "weekly:2027-W01")
        missing = digest(env, "pause", "weekly:1999-W01")
    assert refused.returncode == 1 and "nothing to pause" in refused.stderr
    assert named.returncode == 1 and "is sent" in named.stderr
    assert missing.returncode == 1 and "no edition weekly:1999-W01" in missing.stderr


def _rows(ledger: Ledger, n: int) -> None:
    ledger.ensure_edition("k", __import__("datetime").datetime(2027, 1, 4, tzinfo=__import__("datetime").UTC))
    ledger.add_deliveries("k", "email:smtp", [(f"to:{i}", [[f"r{i}@example.net", "", ""]]) for i in range(n)])


@pytest.mark.parametrize("workers", [1, 3])
def test_a_pause_from_another_connection_stops_the_claims(tmp_path: Path, workers: int) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = Ledger(engine)
    _rows(ledger, 40)
    calls: list[str] = []
    lock = threading.Lock()

    def send(row: DeliveryRow) -> SendResult:
        with lock:
            calls.append(row.target)
            if len(calls) == 10:  # a volunteer presses Pause while the tenth message is in flight
                Ledger(open_store(f"sqlite:///{tmp_path / 'digest.db'}")).pause("k", "test")
        time.sleep(0.01)
        return SendResult()

    stats = dispatch(ledger, "k", "email:smtp", send, policy=Policy(workers=workers), limits=Limits())
    counts = ledger.counts("k")
    assert stats.stopped == "paused"
    assert counts == {"sent": len(calls), "pending": 40 - len(calls)}
    assert 10 <= len(calls) <= 10 + workers  # only the calls already in flight finished
    ledger.resume("k")
    more = dispatch(ledger, "k", "email:smtp", send, policy=Policy(workers=workers), limits=Limits())
    assert more.stopped == "" and ledger.counts("k") == {"sent": 40}
    assert sorted(calls) == sorted(set(calls))  # nobody twice
    engine.dispose()


def test_a_pause_is_seen_while_the_run_waits_for_a_retry(tmp_path: Path) -> None:
    from digest.errors import ProviderError

    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = Ledger(engine)
    _rows(ledger, 2)

    def send(row: DeliveryRow) -> SendResult:
        raise ProviderError("smtp", "451 later", status_code=451, retryable=True, retry_after=60)

    threading.Timer(0.5, lambda: Ledger(engine).pause("k", "test")).start()
    started = time.monotonic()
    stats = dispatch(ledger, "k", "email:smtp", send, limits=Limits())
    assert stats.stopped == "paused"
    assert time.monotonic() - started < 10  # not the 60 s the server asked to wait
    assert ledger.counts("k") == {"pending": 2}
    engine.dispose()
