"""The SMTP envelope with PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write, three answers.

A scripted connection stands in for smtplib's socket side, so each answer (a refusal at any
step, a server closing with 421, a server opening DATA although RCPT was refused) is exact;
the real servers' tests (test_smtp, test_smtp_refusals, the crash trials) run pipelined too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ProviderError, RecipientRefused
from digest.providers.base import Shared
from digest.providers.smtp import SmtpProvider, SmtpSettings
from digest.providers.smtp_exchange import envelope

FROM, TO = "FROM:<news@example.org>", "reader@example.net"
COMMANDS = "mail FROM:<news@example.org>\r\nrcpt TO:<reader@example.net>\r\ndata\r\n"


class Scripted:
    """smtplib.SMTP as far as the envelope uses it: answers from ``replies``, records the writes."""

    command_encoding = "ascii"  # smtplib's, until a server offers SMTPUTF8

    def __init__(self, replies: list[tuple[int, bytes]], pipelining: bool = True) -> None:
        self.replies = list(replies)
        self.writes: list[str | bytes] = []
        self.pipelining = pipelining
        self.closed = False

    def has_extn(self, name: str) -> bool:
        return self.pipelining and name == "pipelining"

    def send(self, data: str | bytes) -> None:
        self.writes.append(data)

    def text(self) -> list[str]:
        return [w if isinstance(w, str) else w.decode() for w in self.writes]

    def putcmd(self, cmd: str, args: str = "") -> None:
        self.writes.append(f"{cmd}\r\n")

    def getreply(self) -> tuple[int, bytes]:
        return self.replies.pop(0)

    def rset(self) -> tuple[int, bytes]:
        self.writes.append("rset\r\n")
        return 250, b"ok"

    def close(self) -> None:
        self.closed = True


def provider(conn: Scripted) -> SmtpProvider:
    shared = Shared("News <news@example.org>", "News", Path("."), 10.0, "")
    p = SmtpProvider(SmtpSettings(host="127.0.0.1"), shared)
    p.pool._local.conn = conn  # this thread's connection
    return p


OK, GO = (250, b"ok"), (354, b"go ahead")


def test_pipelined_commands_go_in_one_write_and_three_answers_are_read() -> None:
    conn = Scripted([OK, OK, GO])
    assert envelope(conn, FROM, TO) == [OK, OK, GO]  # type: ignore[arg-type]
    assert conn.text() == [COMMANDS] and not conn.replies


def test_without_pipelining_each_command_waits_and_a_refused_mail_ends_it() -> None:
    conn = Scripted([(550, b"no")], pipelining=False)
    assert envelope(conn, FROM, TO) == [(550, b"no")]  # type: ignore[arg-type]
    assert conn.writes == ["mail FROM:<news@example.org>\r\n"]


def test_a_421_ends_the_reading_the_server_is_closing() -> None:
    conn = Scripted([(421, b"closing"), OK, OK])
    assert envelope(conn, FROM, TO) == [(421, b"closing")]  # type: ignore[arg-type]


def test_an_accepted_envelope_leaves_data_open() -> None:
    conn = Scripted([OK, OK, GO])
    assert provider(conn)._envelope(conn, FROM, TO) is True  # type: ignore[arg-type]
    conn = Scripted([OK, OK], pipelining=False)
    assert provider(conn)._envelope(conn, FROM, TO) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("data_reply", [(554, b"no valid recipients"), GO], ids=["refused", "opened anyway"])
def test_a_refused_recipient_is_named_and_nothing_is_sent(data_reply: tuple[int, bytes]) -> None:
    conn = Scripted([OK, (550, b"5.1.1 no such user"), data_reply, (554, b"no recipients")])
    with pytest.raises(RecipientRefused) as refused:
        provider(conn)._envelope(conn, FROM, TO)  # type: ignore[arg-type]
    assert (refused.value.recipient, refused.value.status_code, refused.value.stage) == (TO, 550, "RCPT")
    # A DATA opened by mistake is ended with no message in it before the transaction is reset.
    ended = [".\r\n"] if data_reply == GO else []
    assert [w if isinstance(w, str) else w.decode() for w in conn.writes] == [COMMANDS, *ended, "rset\r\n"]


def test_a_refused_sender_is_no_bounce_of_the_recipient() -> None:
    conn = Scripted([(550, b"sender rejected"), (503, b"need MAIL"), (503, b"need RCPT")])
    with pytest.raises(ProviderError) as refused:
        provider(conn)._envelope(conn, FROM, TO)  # type: ignore[arg-type]
    assert not isinstance(refused.value, RecipientRefused) and "550 sender rejected" in str(refused.value)


def test_a_refused_data_names_the_recipient() -> None:
    conn = Scripted([OK, OK, (452, b"4.3.1 out of space")])
    with pytest.raises(RecipientRefused) as refused:
        provider(conn)._envelope(conn, FROM, TO)  # type: ignore[arg-type]
    assert refused.value.stage == "DATA" and refused.value.status_code == 452
