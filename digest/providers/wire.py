"""Per-recipient wire bytes at SMTP speed, from one template message per content.

Building each message with :mod:`email` costs milliseconds (header objects,
pure-Python quoted-printable), more than the SMTP exchange itself. Here the
message is built once per :class:`Content` by the same
:func:`~digest.render.message.build_message`, with stand-in bodies; each
recipient then gets that template with the To, Message-ID and List-Unsubscribe
lines replaced and the personalised bodies quoted-printable encoded by
:func:`binascii.b2a_qp` (C). A test checks the result parses to the same
message as the slow path.
"""

from __future__ import annotations

import binascii
import threading
from email.utils import formataddr
from html import escape
from typing import TYPE_CHECKING

from digest.render.email import MANAGE_MARK, UNSUBSCRIBE_MARK
from digest.render.message import Envelope, build_message, message_id, one_line

if TYPE_CHECKING:
    from digest.providers.base import Content, Outgoing

TEXT_SLOT = b"DIGESTTEXTBODYSLOT"
HTML_SLOT = b"DIGESTHTMLBODYSLOT"
PER_RECIPIENT = (b"To:", b"Message-ID:", b"List-Unsubscribe:")


class Template:
    """The wire form of one content, with slots for what differs per recipient."""

    def __init__(self, content: Content, https: bool, policy: object) -> None:
        envelope = Envelope(
            sender=content.sender,
            to="slot@example.invalid",
            edition_key=content.edition_key,
            date=content.date,
            list_id=content.list_id,
            unsubscribe_https="https://slot.invalid/" if https else "",
            unsubscribe_mailto="mailto:slot@example.invalid",
            reply_to=content.reply_to,
            language=content.language,
        )
        message = build_message(content.subject, HTML_SLOT.decode(), TEXT_SLOT.decode(), envelope)
        raw = message.as_bytes(policy=policy)  # type: ignore[arg-type]
        head, sep, body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        self.head = [line for line in lines if not line.startswith(PER_RECIPIENT)]
        # The stand-ins are plain ASCII, so they went out 7bit; the real bodies go quoted-printable.
        cte = b"Content-Transfer-Encoding: "
        body = body.replace(cte + b"7bit", cte + b"quoted-printable")
        self.before_text, rest = body.split(TEXT_SLOT + b"\r\n", 1)
        self.between, self.after_html = rest.split(HTML_SLOT + b"\r\n", 1)
        self.html = content.html
        self.text = content.text
        self.edition_key = content.edition_key
        self.sender = content.sender

    def render(self, item: Outgoing) -> bytes:
        link = item.unsubscribe_link
        text = self.text.replace(UNSUBSCRIBE_MARK, link).replace(MANAGE_MARK, link)
        html = self.html.replace(UNSUBSCRIBE_MARK, escape(link)).replace(MANAGE_MARK, escape(link))
        to = one_line(formataddr((item.recipient.name, item.recipient.email), charset="utf-8"))
        headers = [
            b"To: " + to.encode(),
            b"Message-ID: " + message_id(self.edition_key, to, self.sender).encode(),
            b"List-Unsubscribe: " + item.list_unsubscribe.encode(),
        ]
        # To after Subject and From, where build_message puts it; the others before the MIME headers.
        head = _place(self.head[:2] + headers[:1] + self.head[2:], headers[1:])
        return b"\r\n".join(
            [
                b"\r\n".join(head),
                b"",
                self.before_text + _qp(text) + self.between + _qp(html) + self.after_html,
            ]
        )


def _place(head: list[bytes], extra: list[bytes]) -> list[bytes]:
    """Message-ID and List-Unsubscribe go before the MIME headers."""
    for n, line in enumerate(head):
        if line.startswith((b"MIME-Version:", b"Content-Type:")):
            return head[:n] + extra + head[n:]
    return head + extra


def _qp(body: str) -> bytes:
    # Like set_content: the body ends with a line break, every line end is CRLF.
    body = body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return binascii.b2a_qp(body.replace("\n", "\r\n").encode("utf-8"), istext=True)


_lock = threading.Lock()


def wire(item: Outgoing, policy: object) -> bytes:
    """The message of ``item`` as it goes on the wire (templates cached on the content)."""
    content = item.content
    https = bool(item.unsubscribe_https)
    cache: dict[bool, Template] = content.__dict__.setdefault("_wire", {})
    template = cache.get(https)
    if template is None:
        with _lock:
            template = cache.get(https) or Template(content, https, policy)
            cache[https] = template
    return template.render(item)
