"""SMTP lanes: one thread drives every connection of a send (digest/providers/smtp_lanes.py,
digest/deliver/rounds.py), against a real aiosmtpd server on 127.0.0.1, faults on several
connections at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from digest.errors import RecipientRefused
from digest.providers import make_provider
from digest.providers.smtp import SmtpProvider, SmtpSettings
from digest.providers.smtp_lanes import Lanes, Wire
from digest.store import schema
from digest.store.sendpath import HANDED
from tests.delivery.conftest import add_subscribers
from tests.delivery.test_smtp import smtp_settings
from tests.delivery.test_smtp_pipelining import COMMANDS, FROM, GO, OK, TO, Scripted
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.fakes.smtp import Mailbox, smtp_server


def started_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    start = threading.Thread.start

    def spy(self: threading.Thread) -> None:
        names.append(self.name)
        start(self)

    monkeypatch.setattr(threading.Thread, "start", spy)
    return names


def test_one_thread_drives_every_connection(world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="4"))
        emails = add_subscribers(w.engine, 80)
        names = started_threads(monkeypatch)
        report = w.send()
    assert report.counts == {"sent": 80}
    assert sorted(box.rcpts) == emails  # each once
    assert box.sessions == 4  # every connection used, none opened twice
    assert not [n for n in names if n.startswith("send-") or n == "ledger-writer"], names
    ids = [r.provider_id for r in w.rows()]
    assert len(set(ids)) == 80 and all(ids)  # each Message-ID kept with its delivery


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_each_message_arrives_with_its_hand_over_on_record(  # type: ignore[no-untyped-def]
    world, request: pytest.FixtureRequest, database: str
) -> None:
    """As the server gets a final ".", the ledger already says that message was handed over, and
    no more messages than connections are ever handed over without their answer recorded."""
    seen: list[tuple[str, str, int]] = []
    box = Mailbox()
    url = {"DIGEST_DATABASE_URL": request.getfixturevalue("pg_url")} if database == "postgres" else {}
    with smtp_server(box) as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="3", **url))
        assert w.engine.dialect.name == {"sqlite": "sqlite", "postgres": "postgresql"}[database]
        add_subscribers(w.engine, 45)
        d = schema.deliveries

        def check(rcpts: list[str]) -> None:
            with w.engine.connect() as conn:
                mine = conn.execute(select(d.c.stage).where(d.c.target == f"to:{rcpts[0]}")).scalar_one()
                doubt = select(func.count()).where(d.c.status == "sending", d.c.stage == HANDED)
                seen.append((rcpts[0], mine, conn.execute(doubt).scalar_one()))

        box.on_message = check
        report = w.send()
    assert report.counts == {"sent": 45} and len(seen) == 45
    assert {stage for _, stage, _ in seen} == {HANDED}
    assert max(in_doubt for _, _, in_doubt in seen) <= 3


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_faults_on_several_connections_each_settle_their_own_message(world, pipelining: bool) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(
        pipelining=pipelining,
        rcpt_replies=["451 4.3.0 busy, try again"],  # the first message's RCPT: tried again later
        data_replies=["", "", "drop"],  # the third DATA: the server hangs up after the message
        refuse_rcpt={"reader000020@example.net": "550 5.1.1 no such user"},
        refuse_data={"reader000024@example.net": "554 5.7.1 content refused"},
    )
    with smtp_server(box) as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="3"))
        emails = add_subscribers(w.engine, 30)
        report = w.send()
    assert report.counts == {"sent": 27, "failed": 2, "unknown": 1}
    assert report.stats.retried == 1
    by = {r.target.removeprefix("to:"): r for r in w.rows()}
    assert "550" in by["reader000020@example.net"].last_error
    assert "554" in by["reader000024@example.net"].last_error
    unknown = [e for e, r in by.items() if r.status == "unknown"]
    sent = sorted(e for e, r in by.items() if r.status == "sent")
    assert len(unknown) == 1  # the server hung up after the message: it may have arrived
    assert sorted(box.rcpts) == sent and len(sent) == 27  # (this server kept nothing it hung up on)
    assert set(emails) == set(by)
    assert box.sessions == 4  # refusals keep their connection; only the drop opened another


@pytest.mark.parametrize("connections", [1, 3])
@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_a_connection_gone_before_its_envelope_is_answered_is_reopened_and_nobody_missed(  # type: ignore[no-untyped-def]
    world, connections: int, pipelining: bool
) -> None:
    box = Mailbox(mail_replies=["", "", "", "drop", "", "drop", "drop"], pipelining=pipelining)
    with smtp_server(box) as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS=str(connections)))
        emails = add_subscribers(w.engine, 20)
        report = w.send()
    assert report.counts == {"sent": 20}
    assert sorted(box.rcpts) == emails  # nothing lost, nothing twice
    assert box.sessions == connections + 3  # each drop: a connection opened again
    if connections == 1:
        # The fifth message met two drops in a row ("the connection dropped twice"): tried again later.
        assert report.stats.retried == 1


def test_a_paced_send_keeps_a_thread_per_connection(world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="2", DIGEST_SMTP_RATE="500"))
        provider = make_provider(w.settings)
        assert isinstance(provider, SmtpProvider) and provider.lanes() is None
        provider.close()
        emails = add_subscribers(w.engine, 12)
        names = started_threads(monkeypatch)
        report = w.send()
    assert report.counts == {"sent": 12} and sorted(box.rcpts) == emails
    assert "ledger-writer" in names and len([n for n in names if n.startswith("send-")]) == 2


# -- the exchange on one connection, with exact answers (a scripted connection) -----------------

DONE = (250, b"queued")
BODY = b"Subject: hello\r\n\r\n.a line that starts with a dot\r\n"


def scripted_lane(replies: list[tuple[int, bytes]], pipelining: bool = True) -> tuple[Lanes, Scripted]:
    lanes = Lanes("smtp", SmtpSettings(host="127.0.0.1"), 1)
    conn = Scripted(replies, pipelining)
    lanes.lanes[0].conn = conn  # type: ignore[assignment]
    return lanes, conn


def wire(rcpt: str) -> Wire:
    return Wire(lambda *_: None, BODY, False, rcpt, FROM, f"<{rcpt}>")


def drive_one_lane(lanes: Lanes, wires: list[Wire]) -> list[Wire]:
    """Rounds on one lane as digest/deliver/rounds.py runs them; the calls finished, in order."""
    finished: list[Wire] = []
    lanes.advance(0, wires[0])
    for nxt in [*wires[1:], None]:
        lanes.read()
        finished += lanes.finished()
        lanes.advance(0, nxt)
    lanes.read()
    return finished + lanes.finished()


def test_the_next_envelope_goes_in_the_final_dots_write() -> None:
    lanes, conn = scripted_lane([OK, OK, GO, DONE, OK, OK, GO, DONE])
    one, two = wire("one@example.net"), wire("two@example.net")
    assert drive_one_lane(lanes, [one, two]) == [one, two]
    stuffed = BODY.replace(b"\n.", b"\n..").decode()
    env = [COMMANDS.replace(TO, who) for who in ("one@example.net", "two@example.net")]
    assert conn.text() == [env[0], stuffed, ".\r\n" + env[1], stuffed, ".\r\n"]
    assert [w.answer for w in (one, two)] == [None, None] and one.handed and two.handed
    assert one().provider_id == "<one@example.net>"  # the answer, called: nothing sent again


def test_a_message_refused_at_its_end_is_followed_by_no_rset() -> None:
    # The next envelope already went behind its ".": a RSET's answer would be read as its MAIL's.
    lanes, conn = scripted_lane([OK, OK, GO, (554, b"5.7.1 content refused"), OK, OK, GO, DONE])
    one, two = wire("one@example.net"), wire("two@example.net")
    drive_one_lane(lanes, [one, two])
    assert isinstance(one.answer, RecipientRefused) and one.answer.stage == "DATA"
    assert two.answer is None and "rset\r\n" not in conn.text()
    with pytest.raises(RecipientRefused):
        one()


def test_a_refused_recipient_ends_an_opened_data_then_rset_and_the_next_goes_on() -> None:
    refused = (550, b"5.1.1 no such user")
    lanes, conn = scripted_lane([OK, refused, GO, DONE, OK, OK, GO, DONE])
    one, two = wire("one@example.net"), wire("two@example.net")
    drive_one_lane(lanes, [one, two])
    assert isinstance(one.answer, RecipientRefused) and one.answer.stage == "RCPT" and not one.handed
    assert conn.text()[1:3] == [".\r\n", "rset\r\n"]  # no body was written for it
    assert two.answer is None and conn.text()[-1] == ".\r\n"


def test_a_421_closes_the_connection_and_the_message_is_tried_again_later() -> None:
    lanes, conn = scripted_lane([(421, b"4.3.2 shutting down")])
    one = wire("one@example.net")
    lanes.advance(0, one)
    assert lanes.read() == [] and conn.closed
    assert lanes.finished() == [one] and one.answer is not None and one.answer.retryable
    assert lanes.lanes[0].conn is None and not lanes.busy()


def test_without_pipelining_each_command_waits_for_its_answer() -> None:
    refused = (550, b"5.1.1 no such user")
    # (the scripted RSET answers itself)
    lanes, conn = scripted_lane([OK, refused, OK, OK, GO, DONE], pipelining=False)
    one, two = wire("one@example.net"), wire("two@example.net")
    assert drive_one_lane(lanes, [one, two]) == [one, two]
    assert isinstance(one.answer, RecipientRefused) and one.answer.stage == "RCPT" and two.answer is None
    mail, rcpt1, rcpt2 = COMMANDS.split("\r\n")[0], "rcpt TO:<one@example.net>", "rcpt TO:<two@example.net>"
    stuffed = BODY.replace(b"\n.", b"\n..").decode()
    assert conn.text() == [
        f"{mail}\r\n", f"{rcpt1}\r\n", "rset\r\n",  # refused at RCPT: no DATA, the transaction reset
        f"{mail}\r\n", f"{rcpt2}\r\n", "data\r\n", stuffed, ".\r\n",
    ]
