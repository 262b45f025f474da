"""The per-message shortcuts of the SMTP path give exactly the bytes of the plain way.

- a body encoded once line by line, with only the marker lines encoded per
  recipient, equals the whole personalised body quoted-printable encoded;
- DATA without smtplib's regular expression sends exactly what ``SMTP.data`` sends.
"""

from __future__ import annotations

import binascii
import re
import smtplib
from html import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.providers.smtp_exchange import data as _data
from digest.providers.smtp_exchange import rcpt_to
from digest.providers.wire import Body
from digest.render.email import MANAGE_MARK, UNSUBSCRIBE_MARK

PIECES = st.sampled_from(
    ["a", " ", "\t", ".", "=", "\r", "\n", "\r\n", "é", "김", "x" * 90, "From ", UNSUBSCRIBE_MARK]
    + [MANAGE_MARK]
)
BODIES = st.lists(PIECES, max_size=40).map("".join)
LINKS = st.sampled_from(
    ["https://example.org/u?token=a.b&x=1", "mailto:n@example.org?subject=unsubscribe%20a"]
)
WIRE_PIECES = st.sampled_from([b".", b"..", b"\r\n", b"\n", b"\r", b"a", b"x" * 30])


MANAGES = st.sampled_from(["", "https://example.org/preferences/P?a&b=1"])


def whole(body: str, link: str, manage: str, html: bool) -> bytes:
    """What set_content + the email package's quoted-printable give for the filled-in body
    (without a preferences page, the lines holding its marker are left out)."""
    fill, fill_manage = (escape(link), escape(manage)) if html else (link, manage)
    body = body.replace("\r\n", "\n")
    if not manage:  # each such line goes with its own line end
        lines = re.findall(r"[^\n]*\n|[^\n]+$", body)
        body = "".join(line for line in lines if MANAGE_MARK not in line)
    body = body.replace(UNSUBSCRIBE_MARK, fill).replace(MANAGE_MARK, fill_manage)
    if not body.endswith("\n"):
        body += "\n"
    return binascii.b2a_qp(body.replace("\n", "\r\n").encode("utf-8"), istext=True)


@settings(max_examples=400, deadline=None)
@given(body=BODIES, link=LINKS, manage=MANAGES, html=st.booleans())
def test_body_encoded_by_lines_equals_the_whole_body(body: str, link: str, manage: str, html: bool) -> None:
    assert Body(body, html=html).render(link, manage) == whole(body, link, manage, html)


def test_only_marker_lines_are_left_for_each_recipient() -> None:
    body = Body("one\ntwo\nUnsubscribe: " + UNSUBSCRIBE_MARK + "\nthree\n", html=False)
    assert [type(p) for p in body.parts] == [bytes, str, bytes]


class Recorder:
    """Stands in for the socket side of smtplib.SMTP: records what would be sent."""

    debuglevel = 0

    def __init__(self, data_code: int = 354) -> None:
        self.sent: list[bytes | str] = []
        self.data_code = data_code

    def docmd(self, cmd: str, args: str = "") -> tuple[int, bytes]:
        self.sent.append(cmd)
        return self.data_code, b"go ahead"

    def putcmd(self, cmd: str, args: str = "") -> None:
        self.sent.append(cmd)

    def getreply(self) -> tuple[int, bytes]:
        return (self.data_code, b"go ahead") if len(self.sent) == 1 else (250, b"queued")

    def send(self, data: bytes) -> None:
        self.sent.append(data)


@settings(max_examples=400, deadline=None)
@given(st.lists(WIRE_PIECES, max_size=30).map(b"".join))
def test_data_sends_what_smtplib_sends(message: bytes) -> None:
    ours, theirs = Recorder(), Recorder()
    assert _data(ours, message) == (250, b"queued")  # type: ignore[arg-type]
    assert smtplib.SMTP.data(theirs, message) == (250, b"queued")  # type: ignore[arg-type]
    # The same command and the same bytes on the wire; ours writes the final "." on its own,
    # after the hand-over is recorded (digest.providers.handover).
    assert ours.sent[0] == theirs.sent[0] == "data"
    assert b"".join(ours.sent[1:]) == b"".join(theirs.sent[1:])  # type: ignore[arg-type]
    assert ours.sent[-1] in (b".\r\n", b"\r\n.\r\n") and len(ours.sent) <= 3


def test_data_refused_is_an_smtp_data_error() -> None:
    with pytest.raises(smtplib.SMTPDataError) as caught:
        _data(Recorder(data_code=452), b"hello\r\n")  # type: ignore[arg-type]
    assert caught.value.smtp_code == 452


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("ab.-_+'@\"<> ()éZ9"), max_size=20))
def test_rcpt_to_is_what_smtplib_sends(address: str) -> None:
    assert rcpt_to(address) == f"TO:{smtplib.quoteaddr(address)}"
