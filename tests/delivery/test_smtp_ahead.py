"""The next message's envelope written behind the final "." of the one awaiting its answer (issue 24).

RFC 2920 lets a message's content begin a group of pipelined commands and DATA end it, so the
sender writes MAIL, RCPT and DATA of its next call while the server answers the previous
message: one round trip a message instead of two. The answers still come in order, and the
hand-over of the next message is recorded only after its DATA is answered, as before. A
scripted connection gives exact answers; the real servers' tests and the crash trials run
this way too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from digest.errors import ProviderError
from digest.providers.handover import watching
from tests.delivery.test_smtp_pipelining import COMMANDS, FROM, GO, OK, TO, Scripted, provider

DONE = (250, b"queued")


class Conn(Scripted):
    def __init__(self, replies: list[tuple[int, bytes]], pipelining: bool = True) -> None:
        super().__init__(replies, pipelining)
        self.quit_sent = False

    def quit(self) -> None:
        self.quit_sent = True


def test_the_next_envelope_follows_the_final_dot_and_its_answers_are_read_by_its_call() -> None:
    conn = Conn([OK, OK, GO, DONE, OK, OK, GO, DONE])
    smtp = provider(conn)
    ahead = []

    def prepare_next() -> None:  # what the dispatcher does while the answer is awaited
        ahead.append(smtp.pool.ahead(FROM, "next@example.net"))

    with watching(None, prepare_next):
        smtp._send_one(b"Subject: one\r\n\r\nbody\r\n", TO, FROM)
    assert ahead[0] is not None
    next_commands = COMMANDS.replace(TO, "next@example.net")
    assert conn.text() == [COMMANDS, "Subject: one\r\n\r\nbody\r\n", ".\r\n", next_commands]
    smtp._send_one(b"Subject: two\r\n\r\nbody\r\n", "next@example.net", FROM, ahead[0])
    # Only the body and the final "." were written for the second message: its envelope went ahead.
    assert conn.text()[4:] == ["Subject: two\r\n\r\nbody\r\n", ".\r\n"]
    assert not conn.replies and not conn.closed


def test_an_envelope_planned_before_the_final_dot_goes_in_its_write() -> None:
    # The thread's next call prepared during the flush (a second claimed delivery): its envelope
    # is planned before the final "." is written, and both go in one write.
    conn = Conn([OK, OK, GO, DONE, OK, OK, GO, DONE])
    smtp = provider(conn)
    ahead = []

    def hand_over() -> Callable[[], None]:
        return lambda: ahead.append(smtp.pool.ahead(FROM, "next@example.net"))

    with watching(hand_over):
        smtp._send_one(b"Subject: one\r\n\r\nbody\r\n", TO, FROM)
    next_commands = COMMANDS.replace(TO, "next@example.net")
    assert conn.text() == [COMMANDS, "Subject: one\r\n\r\nbody\r\n", ".\r\n" + next_commands]
    smtp._send_one(b"Subject: two\r\n\r\nbody\r\n", "next@example.net", FROM, ahead[0])
    assert conn.text()[3:] == ["Subject: two\r\n\r\nbody\r\n", ".\r\n"]
    assert not conn.replies and not conn.closed


def test_a_refused_message_is_not_followed_by_a_rset_when_an_envelope_went_ahead() -> None:
    conn = Conn([OK, OK, GO, (554, b"5.7.1 rejected"), OK, OK, GO])
    smtp = provider(conn)
    ahead = []
    meanwhile = lambda: ahead.append(smtp.pool.ahead(FROM, "next@example.net"))  # noqa: E731
    # the first message's refusal, as before
    with watching(None, meanwhile), pytest.raises(ProviderError, match="554"):
        smtp._send_one(b"x\r\n", TO, FROM)
    assert "rset\r\n" not in conn.text()  # its answer would have been read as the next MAIL's
    assert smtp.pool.take(ahead[0]) and conn.replies == [OK, OK, GO]


def test_an_envelope_whose_call_is_not_made_closes_its_connection() -> None:
    # Another call on the thread: the server holds an open DATA, so the connection is dropped.
    conn = Conn([OK, OK, GO])
    smtp = provider(conn)
    assert smtp.pool.ahead(FROM, "next@example.net") is not None
    smtp.pool.write_ahead()  # behind a final "."
    assert smtp.pool.take(None) is False and conn.closed
    # At the end of the run: closed without a QUIT, which the server would read as the message.
    conn = Conn([])
    smtp = provider(conn)
    smtp.pool._open.append(conn)  # type: ignore[arg-type]
    assert smtp.pool.ahead(FROM, "next@example.net") is not None
    smtp.pool.write_ahead()
    smtp.close()
    assert conn.closed and not conn.quit_sent


def test_an_envelope_planned_but_never_written_is_written_by_its_call() -> None:
    # Prepared while no message was on the connection (the thread's first, or after a skip).
    conn = Conn([OK, OK, GO, DONE])
    smtp = provider(conn)
    early = smtp.pool.ahead(FROM, TO)
    assert early is not None and conn.writes == []
    smtp._send_one(b"x\r\n", TO, FROM, early)
    assert conn.text() == [COMMANDS, "x\r\n", ".\r\n"] and not conn.closed and not conn.replies


def test_nothing_goes_ahead_without_pipelining_or_a_connection() -> None:
    smtp = provider(Conn([], pipelining=False))
    assert smtp.pool.ahead(FROM, TO) is None
    smtp.pool._local.conn = None
    assert smtp.pool.ahead(FROM, TO) is None
