"""Membership is not revealed by timing (issue 20): a sign-up only queues its request.

The answer to a sign-up does the same work for every address (one queued row), and `digest
serve`'s worker decides afterwards whether a confirmation goes out: a new address gets one, a
subscriber or a forgotten address none, and nothing of a request not sent stays in the store.
The queue is taken by one worker per email, a claim left by a stopped worker is taken again,
and a failure is recorded without stopping the rest.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from digest import subscribers
from digest.deliver.confirm import SignUp
from digest.deliver.side_queue import drain, queue_confirmation
from digest.store import schema_web
from digest.store.forgotten import forget
from digest.store.side_mails import claim_queued
from digest.store.signups import lookup
from digest.unsubscribe import secret_key
from tests.fakes.smtp import Mailbox, smtp_server
from tests.serve.conftest import add_people
from tests.serve.helpers import first_link, hidden_fields, outbox_messages, queue_settled
from tests.serve.test_side_emails import world  # noqa: F401 (the fixture)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def rows(engine) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    m = schema_web.side_mails
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(m.c.kind, m.c.recipient, m.c.status).order_by(m.c.id))]


def timed_sign_up(server, address: str) -> tuple[float, int, str]:  # type: ignore[no-untyped-def]
    server.session.cookies.clear()
    page = server.session.get(server.url("/subscribe"))
    fields = {**hidden_fields(page.text), "email": address, "language": "en", "consent": "yes"}
    started = time.perf_counter()
    answer = server.session.post(server.url("/subscribe"), data=fields)
    return time.perf_counter() - started, answer.status_code, answer.text


def test_the_answer_is_the_same_for_members_and_strangers_and_only_strangers_get_mail(make_server) -> None:  # type: ignore[no-untyped-def]
    with smtp_server(Mailbox(delay=1.0)) as (box, port):  # a slow mail server, as a real one may be
        srv = make_server(
            DIGEST_PROVIDER="smtp",
            DIGEST_SMTP_HOST="127.0.0.1",
            DIGEST_SMTP_PORT=str(port),
            DIGEST_SMTP_SECURITY="none",
            DIGEST_SIGNUPS_PER_IP="1000",
        )
        members = [f"member{n}@example.org" for n in range(8)]
        add_people(srv, *[(a, "en") for a in members])
        new, old = [], []
        for n in range(8):  # alternate, so load on the machine falls on both alike
            new.append(timed_sign_up(srv, f"new{n}@example.org"))
            old.append(timed_sign_up(srv, members[n]))
        queue_settled(srv.root)
        engine = srv.engine()
        try:
            left = rows(engine)
        finally:
            engine.dispose()
    assert {(code, text) for _, code, text in new + old} == {(200, new[0][2])}  # one answer for all
    fast_new, fast_old = statistics.median(t for t, _, _ in new), statistics.median(t for t, _, _ in old)
    # The mail is sent after the answer: neither kind of address waits for SMTP (a second a message
    # here). The margin is for a loaded machine; sending before answering would be 4x past it.
    assert abs(fast_new - fast_old) < max(0.25, 0.5 * min(fast_new, fast_old)), (fast_new, fast_old)
    mailed = sorted(box.rcpts)
    assert mailed == sorted(f"new{n}@example.org" for n in range(8)), mailed
    assert left == [("confirm", f"new{n}@example.org", "sent") for n in range(8)]  # members left no trace


def test_the_link_in_a_queued_confirmation_works(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server()
    assert timed_sign_up(srv, "queued@example.org")[1] == 200
    [message] = outbox_messages(srv.root, "queued@example.org")
    link = first_link(message, "/confirm/")
    page = srv.session.get(link)
    fields = hidden_fields(page.text)
    assert srv.session.post(link, data=fields).status_code == 200
    engine = srv.engine()
    try:
        assert lookup(engine, "queued@example.org").status == "active"  # type: ignore[union-attr]
    finally:
        engine.dispose()


def test_drain_sends_new_drops_the_rest_and_keeps_no_address_it_did_not_mail(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    subscribers.add(engine, "member@example.org")
    for address in ("new@example.org", "member@example.org", "gone@example.org", "new@example.org"):
        queue_confirmation(engine, SignUp(address, "en", "I agree"), NOW)
    forget(engine, key, "gone@example.org")  # forgotten while its request waited
    assert drain(settings, engine, key, lambda: NOW) == 4
    assert rows(engine) == [("confirm", "new@example.org", "sent")]  # asked twice: one email
    assert drain(settings, engine, key, lambda: NOW) == 0


def test_each_email_is_claimed_once_and_a_dead_workers_claim_is_taken_again(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    for n in range(3):
        queue_confirmation(engine, SignUp(f"p{n}@example.org", "en", "I agree"), NOW)
    first = claim_queued(engine, NOW, timedelta(minutes=10), 2)
    second = claim_queued(engine, NOW, timedelta(minutes=10), 5)
    assert len(first) == 2 and len(second) == 1
    assert {m.idem_key for m in first}.isdisjoint(m.idem_key for m in second)
    assert claim_queued(engine, NOW + timedelta(minutes=5), timedelta(minutes=10), 5) == []
    later = NOW + timedelta(minutes=11)  # the worker that took them never came back
    assert len(claim_queued(engine, later, timedelta(minutes=10), 5)) == 3


def test_a_failed_send_is_recorded_and_the_address_may_ask_again(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.serve.conftest import free_port

    settings, engine = world(
        DIGEST_PROVIDER="smtp", DIGEST_SMTP_HOST="127.0.0.1", DIGEST_SMTP_PORT=str(free_port())
    )
    key = secret_key(settings)
    for address in ("one@example.org", "two@example.org"):
        queue_confirmation(engine, SignUp(address, "en", "I agree"), NOW)
    assert drain(settings, engine, key, lambda: NOW) == 2  # both tried: one failure stops nothing
    failed = [("confirm", "one@example.org", "failed"), ("confirm", "two@example.org", "failed")]
    assert rows(engine) == failed
    with smtp_server() as (box, port):
        settings, _ = world(
            DIGEST_PROVIDER="smtp",
            DIGEST_SMTP_HOST="127.0.0.1",
            DIGEST_SMTP_PORT=str(port),
            DIGEST_SMTP_SECURITY="none",
        )
        queue_confirmation(engine, SignUp("one@example.org", "en", "I agree"), NOW + timedelta(minutes=1))
        drain(settings, engine, key, lambda: NOW + timedelta(minutes=1))
    assert box.rcpts == ["one@example.org"]


def test_a_stopping_worker_leaves_the_rest_for_later(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    for n in range(3):
        queue_confirmation(engine, SignUp(f"s{n}@example.org", "en", "I agree"), NOW)
    calls = iter([False, False, True])  # the server is told to stop after the first email
    assert drain(settings, engine, key, lambda: NOW, lambda: next(calls, True)) == 1
    later = NOW + timedelta(minutes=11)  # the claim left behind is taken again
    assert drain(settings, engine, key, lambda: later) == 2
    assert [status for _, _, status in rows(engine)] == ["sent"] * 3
