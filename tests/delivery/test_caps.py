"""Sending caps: DIGEST_SEND_MAX_PER_HOUR / _PER_DAY over sliding windows of the ledger's
hand-over times, per provider, and the warm-up ramp; a capped send returns at once saying how
many went and when the rest go, and the schedule finishes it.

The end-to-end test is the one the issue names: a cap of 30 an hour on 50 supporters, with the
suite's fixed clock (DIGEST_TEST_NOW) moving forward; every message the SMTP server received is
counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.deliver.dispatch import Policy, dispatch
from digest.pacing import DAY, HOUR, Caps, History, Limits, Pacer, Used, day_of, warmup_limit
from digest.providers.base import SendResult
from digest.store import open_store
from digest.store.ledger import DeliveryRow, Ledger
from tests.delivery.conftest import add_subscribers
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.fakes.smtp import smtp_send_env, smtp_server

T0 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC).timestamp()


# -- the arithmetic ------------------------------------------------------------
def test_warmup_follows_ghosts_table() -> None:
    assert [warmup_limit(n) for n in (0, 100, 101, 5_000, 100_000)] == [200, 200, 202, 10_000, 200_000]
    assert warmup_limit(100_001) == 150_002 and warmup_limit(400_000) == 600_000
    assert warmup_limit(400_001) == 500_002


def test_the_hour_frees_as_the_oldest_hand_overs_leave_it() -> None:
    caps = Caps(per_hour=30)
    spread = History([(T0 + i, 1) for i in range(30)])
    pacer = Pacer(caps, spread, T0 + 100)
    assert pacer.room(T0 + 100) == 0
    # 20 left to send: they can all go once the 20 oldest have left the hour
    assert pacer.wait(T0 + 100, 20) == (T0 + 19 + HOUR, "DIGEST_SEND_MAX_PER_HOUR")
    assert pacer.room(T0 + 19 + HOUR) == 20
    rest = Pacer(caps, History([(T0, 30)]), T0).outlook(T0, 20)
    assert rest.resume_at == T0 + HOUR and rest.finish_at == T0 + HOUR
    more = Pacer(caps, History([(T0, 30)]), T0).outlook(T0, 50)
    assert more.resume_at == T0 + HOUR and more.finish_at == T0 + 2 * HOUR


def test_the_day_cap_and_the_warmup_hold_across_days() -> None:
    day_cap = Pacer(Caps(per_hour=100, per_day=150), History([(T0, 100)]), T0)
    assert day_cap.room(T0) == 0 and day_cap.room(T0 + HOUR) == 50
    warm = Pacer(Caps(warmup=True), History([(T0, 200)], best_day=0), T0)
    midnight = (day_of(T0) + 1) * DAY
    assert warm.room(T0) == 0 and warm.wait(T0, 1) == (midnight, "DIGEST_SEND_WARMUP")
    assert warm.room(midnight) == 400  # twice the busiest earlier day
    # 1,000 left: 400 on day 2, then 800 allowed on day 3
    assert Pacer(Caps(warmup=True), History([(T0, 200)]), T0).outlook(T0, 1_000).finish_at == midnight + DAY


def test_a_batch_larger_than_the_cap_goes_alone_in_an_empty_window() -> None:
    limits = Limits(per_hour=100, unit=1_000)
    assert limits.allowed(Used(), 3) == 1
    assert limits.allowed(Used(hour=1, day=1, today=1), 3) == 0
    assert Limits(per_hour=100, unit=30).allowed(Used(hour=40, day=40), 5) == 2


def _used(sent: list[tuple[float, int]], at: float) -> Used:
    """The claim's own counting, written out independently of Pacer."""
    midnight = day_of(at) * DAY
    return Used(
        sum(n for t, n in sent if t > at - HOUR),
        sum(n for t, n in sent if t > at - DAY),
        sum(n for t, n in sent if t >= midnight),
    )


def _history(sent: list[tuple[float, int]], at: float) -> History:
    """What the ledger query returns at ``at``: the last day, and the busiest earlier UTC day."""
    days: dict[int, int] = {}
    for t, n in sent:
        if day_of(t) < day_of(at):
            days[day_of(t)] = days.get(day_of(t), 0) + n
    return History(sorted(s for s in sent if s[0] > at - DAY), max(days.values(), default=0))


@settings(max_examples=60, deadline=None)
@given(
    per_hour=st.integers(1, 60),
    per_day=st.sampled_from([0, 50, 90, 200]),
    warmup=st.booleans(),
    people=st.integers(1, 700),
    earlier=st.lists(st.tuples(st.floats(0, DAY - 1), st.integers(1, 20)), max_size=10),
)
def test_sending_when_the_pacer_says_never_passes_a_cap(
    per_hour: int, per_day: int, warmup: bool, people: int, earlier: list[tuple[float, int]]
) -> None:
    """A sender that claims what the transaction's count allows, at the times Pacer.wait names,
    never exceeds a window, always makes progress, and finishes when the outlook said."""
    caps = Caps(per_hour, per_day, warmup)
    sent = [(T0 - DAY + t, n) for t, n in earlier]
    estimate = Pacer(caps, _history(sent, T0), T0).outlook(T0, people)
    at, left = T0, people
    for _ in range(5_000):
        pacer = Pacer(caps, _history(sent, at), at)
        limits = pacer.limits()
        n = limits.allowed(_used(sent, at), left)
        sent.append((at, n))
        left -= n
        used = _used(sent, at)
        if n:  # what was there before the caps were set may be over them; we never add to that
            assert used.hour <= per_hour and (not per_day or used.day <= per_day)
            assert not warmup or used.today <= limits.today
        if not left:
            break
        later, _ = Pacer(caps, _history(sent, at), at).next_go(at, left)
        assert later > at  # no room now, and the pacer names a later time, never the same one
        at = later
    assert left == 0
    assert estimate.finish_at == at


# -- the claim's transaction -----------------------------------------------------
def _ledger_with(url: str, n: int) -> Ledger:
    ledger = Ledger(open_store(url))
    ledger.ensure_edition("k", datetime(2027, 1, 4, tzinfo=UTC))
    ledger.add_deliveries("k", "email:smtp", [(f"to:{i}", [[f"r{i}@example.net", "", ""]]) for i in range(n)])
    return ledger


def _count_calls() -> tuple[list[str], object]:
    calls: list[str] = []
    lock = threading.Lock()

    def send(row: DeliveryRow) -> SendResult:
        with lock:
            calls.append(row.target)
        return SendResult()

    return calls, send


def test_threads_together_take_exactly_the_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TEST_NOW", "2027-01-04T10:00:00+00:00")
    ledger = _ledger_with(f"sqlite:///{tmp_path / 'digest.db'}", 50)
    calls, send = _count_calls()
    stats = dispatch(ledger, "k", "email:smtp", send, policy=Policy(workers=3),  # type: ignore[arg-type]
                     limits=Limits(per_hour=30))
    assert stats.stopped == "capped" and len(calls) == 30 == len(set(calls))
    assert ledger.counts("k") == {"sent": 30, "pending": 20}
    monkeypatch.setenv("DIGEST_TEST_NOW", "2027-01-04T11:00:00+00:00")
    more = dispatch(ledger, "k", "email:smtp", send, policy=Policy(workers=3),  # type: ignore[arg-type]
                    limits=Limits(per_hour=30))
    assert more.stopped == "" and len(calls) == 50 == len(set(calls))
    ledger.engine.dispose()


def test_two_instances_on_postgresql_share_one_window(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("DIGEST_TEST_NOW", "2027-01-04T10:00:00+00:00")
    first = _ledger_with(pg_url, 50)
    second = Ledger(open_store(pg_url))
    calls, send = _count_calls()
    runs = [
        threading.Thread(target=dispatch, args=(ledger, "k", "email:smtp", send),
                         kwargs={"policy": Policy(workers=2), "limits": Limits(per_hour=30)})
        for ledger in (first, second)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(calls) == 30 == len(set(calls))
    assert first.counts("k") == {"sent": 30, "pending": 20}
    for ledger in (first, second):
        ledger.engine.dispose()


def test_batches_are_cut_to_the_cap(world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIGEST_TEST_NOW", "2027-01-04T10:00:00+00:00")
    w = world(DIGEST_SEND_MAX_PER_HOUR="20")  # the outbox sends batches of 50
    add_subscribers(w.engine, 50)
    report = w.send()
    assert report.held == "capped" and report.resume_at == T0 + HOUR
    assert "20 of 50 recipients sent" in report.message and "DIGEST_SEND_MAX_PER_HOUR (20)" in report.message
    sizes = sorted(r.messages for r in w.rows())
    assert sizes == [10, 20, 20]


# -- a cap of 30 an hour on 50 supporters, end to end -----------------------------
def digest(env: dict[str, str], now: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", *args], env={**env, "DIGEST_TEST_NOW": now},
        cwd=env["DIGEST_DATA_DIR"], capture_output=True, text=True, timeout=180,
    )


@pytest.mark.slow
def test_a_cap_of_30_an_hour_on_50_supporters(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    with smtp_server() as (box, port):
        env = smtp_send_env(data, port, 3, DIGEST_SEND_MAX_PER_HOUR="30")
        engine = open_store(f"sqlite:///{data / 'digest.db'}")
        emails = add_subscribers(engine, 50)
        engine.dispose()

        first = digest(env, "2027-01-04T10:00:00+00:00", "send")
        assert first.returncode == 0, first.stdout + first.stderr
        assert len(box.raw) == 30
        assert "30 of 50 recipients sent" in first.stdout
        assert "The other 20 go from 2027-01-04 11:00 UTC" in first.stdout

        early = digest(env, "2027-01-04T10:40:00+00:00", "send")
        assert early.returncode == 0 and len(box.raw) == 30, early.stdout
        status = json.loads(digest(env, "2027-01-04T10:45:00+00:00", "status", "--json").stdout)
        progress = status["editions"][0]["progress"]
        assert (progress["sent"], progress["total"]) == (30, 50)
        assert progress["resume_at"].startswith("2027-01-04T11:00") and progress["finish_at"]

        schedule = digest(env, "2027-01-04T11:00:00+00:00", "run", "--once")
        assert schedule.returncode == 0, schedule.stdout + schedule.stderr
        after = json.loads(digest(env, "2027-01-04T11:05:00+00:00", "status", "--json").stdout)
    got = box.counts()
    assert set(got) == set(emails) and max(got.values()) == 1  # nobody missed, nobody twice
    assert after["editions"][0]["status"] == "sent"
