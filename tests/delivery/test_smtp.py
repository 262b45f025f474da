"""SMTP against a real aiosmtpd server on 127.0.0.1: reuse, parallel connections, faults, pacing."""

from __future__ import annotations

from tests.delivery.conftest import add_subscribers
from tests.fakes.smtp import Mailbox, free_port, smtp_server


def smtp_settings(port: int, **extra: str) -> dict[str, str]:
    return {
        "DIGEST_PROVIDER": "smtp",
        "DIGEST_SMTP_HOST": "127.0.0.1",
        "DIGEST_SMTP_PORT": str(port),
        "DIGEST_SMTP_SECURITY": "none",
        "DIGEST_UNSUBSCRIBE_URL": "https://example.org/unsubscribe?token={token}",
        **extra,
    }


def test_every_subscriber_gets_one_copy_over_reused_connections(world) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="3"))
        emails = add_subscribers(w.engine, 120)
        report = w.send()
        again = w.send()
    assert report.status == "sent" and report.counts == {"sent": 120}
    assert sorted(box.rcpts) == emails
    assert box.sessions <= 3  # connections reused, never one per message
    assert "nothing sent again" in again.message and len(box.raw) == 120
    msg = box.messages()[0]
    assert msg["List-Unsubscribe"].startswith("<https://example.org/unsubscribe?token=")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.is_multipart() and msg.get_content_type() == "multipart/alternative"


def test_temporary_refusal_is_retried_permanent_is_failed(world) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(rcpt_replies=["451 4.7.1 try later", "550 5.1.1 no such user"])
    with smtp_server(box) as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="1"))
        emails = add_subscribers(w.engine, 5)
        report = w.send()
    assert report.counts == {"sent": 4, "failed": 1}
    assert report.stats.retried == 1
    failed = [r for r in w.rows() if r.status == "failed"]
    assert "550" in failed[0].last_error
    assert sorted(box.rcpts) == sorted(set(emails) - {failed[0].target.removeprefix("to:")})


def test_connection_dropped_during_data_is_unknown_and_reconnects(world) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(data_replies=["", "drop"])
    with smtp_server(box) as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="1"))
        add_subscribers(w.engine, 6)
        report = w.send()
    assert report.counts == {"sent": 5, "unknown": 1}
    assert report.status == "partial"
    assert len(box.raw) == 5
    assert box.sessions == 2  # reconnected after the drop


def test_rate_limit_paces_the_messages(world) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="2", DIGEST_SMTP_RATE="20"))
        add_subscribers(w.engine, 21)
        w.send()
    assert len(box.raw) == 21
    # 21 messages at 20 per second over two connections: the first to the last takes about one second.
    spread = box.times[-1] - box.times[0]
    # Never faster than the rate; the upper bound only catches a pace far too slow (a loaded machine is slow).
    assert 0.9 <= spread < 10


def test_server_down_is_retried_then_failed_with_the_host_named(world) -> None:  # type: ignore[no-untyped-def]
    w = world(**smtp_settings(free_port(), DIGEST_SEND_MAX_ATTEMPTS="2", DIGEST_SMTP_CONNECTIONS="1"))
    add_subscribers(w.engine, 1)
    report = w.send()
    assert report.counts == {"failed": 1}
    assert "cannot connect to 127.0.0.1" in w.rows()[0].last_error
    # Issue 19: the line names the settings to check, in the ledger and in what `digest send` prints.
    for said in (w.rows()[0].last_error, report.message):
        assert "check DIGEST_SMTP_HOST and DIGEST_SMTP_PORT" in said, said


def test_starttls_against_a_server_without_it_names_the_setting(world) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (_box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_SECURITY="starttls", DIGEST_SMTP_CONNECTIONS="1"))
        add_subscribers(w.engine, 1)
        report = w.send()
    assert report.counts == {"failed": 1}
    assert "DIGEST_SMTP_SECURITY" in w.rows()[0].last_error


def test_a_recipients_language_picks_the_body(world) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="1"))
        add_subscribers(w.engine, 2, domain="example.kr", language="ko")
        add_subscribers(w.engine, 2, domain="example.com", language="en")
        report = w.send()
    assert report.counts == {"sent": 4}
    for msg in box.messages():
        html = msg.get_payload()[1].get_payload(decode=True).decode()
        korean = str(msg["To"]).endswith("example.kr>")
        expected = '<html lang="ko"' if korean else '<html lang="en"'
        assert html.startswith("<!DOCTYPE html>" + expected)


def test_an_address_smtp_cannot_carry_fails_alone_and_the_rest_go_out(world) -> None:  # type: ignore[no-untyped-def]
    # Found walking the README: a Korean address imported by an older digest made `digest send`
    # end in a traceback with every delivery left pending. Now that one delivery fails, naming the address.
    from digest.store import schema
    from digest.store.ledger import insert_ignore, now_utc

    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="1"))
        emails = add_subscribers(w.engine, 3)
        row = {
            "email": "김철수@example.org",
            "name": "",
            "language": "",
            "status": "active",
            "created_at": now_utc(),
        }
        with w.engine.begin() as conn:
            insert_ignore(conn, schema.subscribers, [row])
        report = w.send()
    assert report.counts == {"sent": 3, "failed": 1}
    assert sorted(box.rcpts) == emails
    failed = [r for r in w.rows() if r.status == "failed"]
    assert "김철수@example.org" in failed[0].last_error and "not ASCII" in failed[0].last_error
