"""Our own SMTP server refusing recipients: the same bounce policy as the provider webhooks.

A real aiosmtpd server on 127.0.0.1 answers RCPT or DATA per address; each test sends real
editions and reads the subscribers, the ledger and the stored events back.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from digest.bounce_codes import classify
from digest.deliver.resolve import retry_failed
from digest.store import schema, schema_web
from tests.delivery.conftest import add_subscribers
from tests.delivery.test_smtp import smtp_settings
from tests.fakes.smtp import Mailbox, smtp_server
from tests.paths import SAMPLE


def statuses(engine) -> dict[str, str]:  # type: ignore[no-untyped-def]
    s = schema.subscribers
    with engine.connect() as conn:
        return dict(conn.execute(select(s.c.email, s.c.status)).all())  # type: ignore[arg-type]


def events(engine) -> list[tuple[str, str, int, str]]:  # type: ignore[no-untyped-def]
    e = schema_web.mail_events
    with engine.connect() as conn:
        rows = conn.execute(select(e.c.recipient, e.c.kind, e.c.hard, e.c.edition_key).order_by(e.c.at))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def weekly(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, port: int, **extra: str):  # type: ignore[no-untyped-def]
    """A world whose ``next_week()`` adds a new article and moves the clock on a week."""
    sources = tmp_path / "sources"
    sources.mkdir()
    w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="1", DIGEST_SOURCES=str(sources), **extra))
    article = (SAMPLE / "2026-winter-coats.md").read_text(encoding="utf-8")
    week = [0]

    def next_week() -> None:
        week[0] += 1
        text = article.replace("winter-coat-drive", f"winter-coat-drive-{week[0]}")
        (sources / f"week{week[0]}.md").write_text(text.replace("taught us", f"taught us ({week[0]})"))
        if week[0] > 1:
            w.now += timedelta(days=7)
        monkeypatch.setenv("DIGEST_TEST_NOW", w.now.isoformat())  # when the events are recorded

    w.next_week = next_week
    return w


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_550_511_suppresses_that_address_the_rest_get_one_copy(  # type: ignore[no-untyped-def]
    world, tmp_path, monkeypatch, pipelining
) -> None:
    reply = "550 5.1.1 <reader000002@example.net>: no such user"
    box = Mailbox(refuse_rcpt={"reader000002@example.net": reply}, pipelining=pipelining)
    with smtp_server(box) as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port)
        emails = add_subscribers(w.engine, 6)
        w.next_week()
        report = w.send()
        w.next_week()
        second = w.send()
    gone = "reader000002@example.net"
    assert report.counts == {"sent": 5, "failed": 1} and report.stats.retried == 0  # never retried
    assert second.counts == {"sent": 5}  # the next edition leaves the address out
    assert sorted(box.rcpts) == sorted([e for e in emails if e != gone] * 2)  # nobody twice per edition
    assert statuses(w.engine)[gone] == "bounced"
    assert [s for a, s in statuses(w.engine).items() if a != gone] == ["active"] * 5
    first_key = w.ledger.editions(2)[1].key
    failed = [r for r in w.ledger.deliveries(first_key) if r.status == "failed"]
    assert failed[0].target == f"to:{gone}"
    assert "550 5.1.1" in failed[0].last_error and "suppressed as bounced" in failed[0].last_error
    assert events(w.engine) == [(gone, "bounced", 1, first_key)]
    # Staff retrying the failed deliveries does not mail it again.
    done = retry_failed(w.engine, edition=first_key, channel="email:smtp")
    assert done.count == 0 and "may not be mailed any more" in done.skipped[0]


def test_soft_refusals_suppress_after_three_editions_in_a_row(world, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    full = "reader000000@example.net"
    box = Mailbox(refuse_rcpt={full: "452 4.2.2 mailbox full"})
    with smtp_server(box) as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port, DIGEST_SEND_MAX_ATTEMPTS="2", DIGEST_SEND_MAX_WAIT="2")
        add_subscribers(w.engine, 2)
        seen = []
        for _week in range(3):
            w.next_week()
            report = w.send()
            seen.append((report.counts, report.stats.retried, statuses(w.engine)[full]))
        w.next_week()
        fourth = w.send()
    assert seen[0] == ({"sent": 1, "failed": 1}, 1, "active")  # tried again, then one soft bounce
    assert seen[1][2] == "active"
    assert seen[2][2] == "bounced"  # the third edition in a row
    assert fourth.counts == {"sent": 1}
    kinds = [(kind, hard) for address, kind, hard, _ in events(w.engine) if address == full]
    assert kinds == [("bounced", 0)] * 3
    third = w.ledger.deliveries(w.ledger.editions(4)[1].key, statuses=("failed",))[0]
    assert "452 4.2.2" in third.last_error and "suppressed" in third.last_error


def test_an_acceptance_between_soft_refusals_starts_the_count_again(world, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    flaky = "reader000001@example.net"
    box = Mailbox(refuse_rcpt={flaky: "450 4.2.1 try again later"})
    with smtp_server(box) as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port, DIGEST_SEND_MAX_ATTEMPTS="1")
        add_subscribers(w.engine, 2)
        for refused in (True, True, False, True, True):
            if not refused:
                box.refuse_rcpt.pop(flaky)
            elif flaky not in box.refuse_rcpt:
                box.refuse_rcpt[flaky] = "450 4.2.1 try again later"
            w.next_week()
            w.send()
    assert statuses(w.engine)[flaky] == "active"  # two, one delivered, two: never three in a row
    kinds = [kind for address, kind, _hard, _key in events(w.engine) if address == flaky]
    assert kinds == ["bounced", "bounced", "delivered", "bounced", "bounced"]


@pytest.mark.parametrize(
    "reply, status, why",
    [
        ("554 5.1.1 mailbox does not exist", "bounced", "suppressed as bounced"),
        ("550 5.7.1 message rejected as spam", "active", "not the address"),
        ("500 Error: (FileNotFoundError) [Errno 2] No such file or directory", "active", "not the address"),
    ],
    ids=["gone", "policy", "server-error"],
)
def test_a_refusal_at_data_is_read_the_same_way(world, tmp_path, monkeypatch, reply, status, why) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(refuse_data={"reader000001@example.net": reply})
    with smtp_server(box) as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port)
        add_subscribers(w.engine, 3)
        w.next_week()
        report = w.send()
    assert report.counts == {"sent": 2, "failed": 1} and len(box.raw) == 2
    assert statuses(w.engine)["reader000001@example.net"] == status
    failed = [r for r in w.rows() if r.status == "failed"][0]
    assert reply in failed.last_error and why in failed.last_error
    assert len(events(w.engine)) == (1 if status == "bounced" else 0)


@pytest.mark.parametrize(
    "code, text, kind, hard",
    [
        (550, "5.1.1 <a@b.org>: Recipient address rejected: User unknown", "bounced", True),
        (550, "Requested action not taken: mailbox unavailable", "bounced", True),
        (553, "5.1.3 bad address syntax", "bounced", True),
        (550, "5.2.1 account disabled", "bounced", True),
        (552, "5.2.2 mailbox full", "bounced", False),
        (452, "4.2.2 over quota", "bounced", False),
        (450, "4.2.0 Greylisted, see http://postgrey.schweikert.ch/help/b.org.html", "bounced", False),
        (451, "4.7.1 Service unavailable - try again later", "policy", False),
        (554, "5.7.1 Relay access denied", "policy", True),
        (550, "5.7.26 Unauthenticated email from b.org is refused by its DMARC policy", "policy", True),
        (554, "rejected: sending IP listed at zen.spamhaus.org (RBL)", "policy", True),
        (552, "5.3.4 Message size exceeds fixed limit", "policy", True),
        (None, "", "bounced", False),
        # Without an enhanced code only the mailbox's own codes are about the address.
        (551, "User not local; please try <b@c.org>", "bounced", True),
        (552, "Requested mail action aborted: exceeded storage allocation", "bounced", False),
        (450, "Requested mail action not taken: mailbox busy", "bounced", False),
        (500, "Error: (FileNotFoundError) [Errno 2] No such file or directory", "policy", True),
        (554, "Transaction failed", "policy", True),
        (503, "Error: need RCPT command", "policy", True),
        (451, "Requested action aborted: local error in processing", "policy", False),
        (421, "Service not available, closing transmission channel", "policy", False),
    ],
)
def test_replies_are_read_by_their_enhanced_code_first(code, text, kind, hard) -> None:  # type: ignore[no-untyped-def]
    verdict = classify(code, text)
    assert (verdict.kind, verdict.hard) == (kind, hard)


def test_a_dsn_status_field_wins_over_a_code_in_the_text() -> None:
    assert classify(None, "smtp; 550 5.1.1 user unknown", status="4.4.7").hard is False
    assert classify(None, "", status="5.1.10").hard is True
