"""The SMTP exchange of one message on an open connection: the envelope and DATA.

When the server offers PIPELINING (RFC 2920; Postfix, Exim and the big relays do), MAIL,
RCPT and DATA go in one write and their three answers are read together: one round trip
instead of three, which is what a message spends most of its time waiting for. Without
it, each command waits for its answer, as :mod:`smtplib` does.
"""

from __future__ import annotations

import re
import smtplib

from digest.errors import ProviderError, RecipientRefused
from digest.providers.handover import awaiting_answer, handing_over

Reply = tuple[int, bytes]

# Each step of the envelope and the answers that let it go on.
STEPS = (("", (250,)), ("RCPT", (250, 251)), ("DATA", (354,)))


# An address made only of these needs no parsing: quoteaddr would return it in angle brackets as it is.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~@-]+")


def rcpt_to(address: str) -> str:
    """The RCPT TO argument :meth:`smtplib.SMTP.rcpt` would send, without parsing a plain address."""
    if _PLAIN_ADDRESS.fullmatch(address) and address.count("@") == 1:
        return f"TO:<{address}>"
    return f"TO:{smtplib.quoteaddr(address)}"


def dot_stuff(data: bytes, line_start: bool = True) -> bytes:
    """RFC 5321 4.5.2: each line that starts with a dot gets one more; ``line_start``: whether
    ``data`` begins a line (a piece of a message may begin in the middle of one).

    A plain replace, and only when some line starts with a dot; smtplib's ``re.sub``
    over every message cost as much as building it."""
    if b"\n." in data:
        data = data.replace(b"\n.", b"\n..")
    return b"." + data if line_start and data.startswith(b".") else data


def data(
    conn: smtplib.SMTP,
    message: bytes,
    opened: bool = False,
    stuffed: bool = False,
) -> Reply:
    """What :meth:`smtplib.SMTP.data` does for bytes, without its regular expression.

    The body and the final "." are two writes with the hand-over recorded between them.
    Raises SMTPDataError when the server does not answer DATA with 354. ``opened``: DATA was
    sent and answered 354 already (pipelined with the envelope, see :func:`envelope`);
    ``stuffed``: ``message`` is dot-stuffed already (:func:`dot_stuff`, the SMTP wire template).
    """
    if not opened:
        code, reply = conn.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
    if not stuffed:
        message = dot_stuff(message)
    end = b".\r\n" if message.endswith(b"\r\n") else b"\r\n.\r\n"
    recorded = handing_over()
    if message:
        conn.send(message)
    try:
        recorded()
    except BaseException:
        conn.close()  # without the final "." the server discards the message
        raise
    conn.send(end)
    awaiting_answer()  # the server's answer takes a round trip: the sender prepares its next call
    return conn.getreply()


def envelope_bytes(conn: smtplib.SMTP, mail_from: str, rcpt: str) -> bytes:
    """MAIL, RCPT and DATA as one write (the server offers PIPELINING). It may follow the final
    "." of the previous message before that is answered (RFC 2920: a message's content may
    begin a group, DATA ends it); the answers come in order."""
    return f"mail {mail_from}\r\nrcpt {rcpt_to(rcpt)}\r\ndata\r\n".encode(conn.command_encoding)


def envelope(conn: smtplib.SMTP, mail_from: str, rcpt: str) -> list[Reply]:
    """The answers to MAIL and RCPT, and to DATA when pipelined; it stops at a refused MAIL
    (waiting for each answer) or at a 421 (the server is closing the connection)."""
    if not conn.has_extn("pipelining"):
        replies = []
        for command in [f"mail {mail_from}", f"rcpt {rcpt_to(rcpt)}"]:
            conn.putcmd(command)
            replies.append(conn.getreply())
            if replies[-1][0] != 250:
                break
        return replies
    conn.send(envelope_bytes(conn, mail_from, rcpt))
    replies = []
    for _ in range(3):
        replies.append(conn.getreply())
        if replies[-1][0] == 421:
            break
    return replies


def close_data(conn: smtplib.SMTP) -> None:
    """End a DATA the server opened although MAIL or RCPT was refused (a pipelined exchange):
    an empty message with no recipient, which the server refuses or drops."""
    conn.send(b".\r\n")
    conn.getreply()


def refusal(name: str, code: int, reply: bytes | str, rcpt: str = "", stage: str = "") -> ProviderError:
    """The error of a refusal; one that names the recipient (at RCPT or DATA, but not a 421, which
    closes the connection and says nothing about the address) goes to the bounce policy. The
    caller closes the connection after a 421."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    text = " ".join(text.split())[:300]
    if rcpt and code != 421 and 400 <= code < 600:
        return RecipientRefused(name, rcpt, code, text, stage)
    return ProviderError(name, f"{code} {text}", status_code=code, retryable=400 <= code < 500)


def refused_envelope(name: str, replies: list[Reply], rcpt: str) -> ProviderError | None:
    """The refusal among the envelope's answers (:func:`envelope`), None when all let it go on."""
    for (code, reply), (stage, good) in zip(replies, STEPS[: len(replies)], strict=True):
        if code not in good:
            return refusal(name, code, reply, rcpt if stage else "", stage)
    return None


def ended_during_data(name: str, exc: BaseException) -> ProviderError:
    """The connection ended once the message was being handed over: it may have arrived."""
    return ProviderError(
        name,
        f"the connection ended during DATA ({type(exc).__name__}); the message may have arrived, "
        "so it is not resent",
        outcome_unknown=True,
    )


def dropped_twice(name: str) -> ProviderError:
    """Two connections in a row gone before the envelope was answered: nothing accepted, try later."""
    return ProviderError(name, "the connection dropped twice", retryable=True)
