"""Per-recipient wire bytes at SMTP speed, from one template message per content.

Building each message with :mod:`email` costs milliseconds (header objects,
pure-Python quoted-printable), more than the SMTP exchange itself. Here the
message is built once per :class:`Content` by the same
:func:`~digest.render.message.build_message`, with stand-in bodies; each
recipient then gets that template with the To, Message-ID and List-Unsubscribe
lines replaced and the personalised bodies quoted-printable encoded by
:func:`binascii.b2a_qp` (C). A test checks the result parses to the same
message as the slow path.

For SMTP the template's constant pieces are also kept dot-stuffed (RFC 5321
4.5.2), so only the per-recipient pieces are checked for a line starting with
a dot: the HTML's style lines do, and stuffing all 20 KB of every message cost
a quarter of the sender's time. A test checks the result equals stuffing the
whole message.
"""

from __future__ import annotations

import binascii
import threading
from email.utils import formataddr
from html import escape
from typing import TYPE_CHECKING

from digest.providers.smtp_exchange import dot_stuff
from digest.render.marks import fill_links, has_links, keeps
from digest.render.message import Envelope, build_message, message_id, one_line

if TYPE_CHECKING:
    from digest.providers.base import Content, Outgoing

TEXT_SLOT = b"DIGESTTEXTBODYSLOT"
HTML_SLOT = b"DIGESTHTMLBODYSLOT"
PER_RECIPIENT = (b"To:", b"Message-ID:", b"List-Unsubscribe:")


class Template:
    """The wire form of one content, with slots for what differs per recipient."""

    def __init__(self, content: Content, https: bool, policy: object) -> None:
        # ``https``: the recipients' unsubscribe link takes a one-click POST (List-Unsubscribe-Post).
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
        lines = [line for line in head.split(b"\r\n") if not line.startswith(PER_RECIPIENT)]
        # To after Subject and From, where build_message puts it; the others before the MIME headers.
        slots = [b"\x00Message-ID: ", b"\x00List-Unsubscribe: "]
        lines = _place(lines[:2] + [b"\x00To: "] + lines[2:], slots)
        # The stand-ins are plain ASCII, so they went out 7bit; the real bodies go quoted-printable.
        cte = b"Content-Transfer-Encoding: "
        body = body.replace(cte + b"7bit", cte + b"quoted-printable")
        before_text, rest = body.split(TEXT_SLOT + b"\r\n", 1)
        between, after_html = rest.split(HTML_SLOT + b"\r\n", 1)
        # Constant bytes around the per-recipient values: head | To | Message-ID | List-Unsubscribe | bodies.
        pieces = (b"\r\n".join(lines) + b"\r\n\r\n" + before_text).split(b"\x00")
        self.labels = [piece.partition(b" ")[0] + b" " for piece in pieces[1:]]
        tails = [piece.partition(b" ")[2] for piece in pieces[1:]]
        self.plain = Constant(pieces[0], tails, between, after_html, stuffed=False)
        self.stuffed = Constant(pieces[0], tails, between, after_html, stuffed=True)
        self.text = Body(content.text, html=False)
        self.html = Body(content.html, html=True)
        self.edition_key = content.edition_key
        self.sender = content.sender

    def render(self, item: Outgoing, stuffed: bool = False, msgid: str = "") -> bytes:
        """The message of ``item``; ``stuffed``: dot-stuffed for SMTP's DATA; ``msgid``: its
        Message-ID when the caller has it already."""
        link, manage = item.unsubscribe_link, item.manage_link
        to = one_line(formataddr((item.recipient.name, item.recipient.email), charset="utf-8"))
        address = item.recipient.email  # the id's address, as build_message reads it from To
        values = (to, msgid or message_id(self.edition_key, address, self.sender), item.list_unsubscribe)
        parts = self.stuffed if stuffed else self.plain
        out = [parts.head]
        for label, value, tail, bare in zip(self.labels, values, parts.tails, parts.bare_tails, strict=True):
            if not value:  # no unsubscribe link (a confirmation, an alert): no header, as build_message does
                out.append(bare)
                continue
            # A header value never begins a line (its label does); one line, but checked all the same.
            out += (label, dot_stuff(value.encode(), False) if stuffed else value.encode(), tail)
        text, html = self.text.render(link, manage, stuffed), self.html.render(link, manage, stuffed)
        out += (text, parts.between, html, parts.after_html)
        return b"".join(out)


class Constant:
    """The constant pieces of a template, as they are or dot-stuffed. Each piece but the tails
    after a header value begins a line: the head the message, the others follow a line end."""

    def __init__(
        self, head: bytes, tails: list[bytes], between: bytes, after_html: bytes, stuffed: bool
    ) -> None:
        def form(piece: bytes, line_start: bool = True) -> bytes:
            return dot_stuff(piece, line_start) if stuffed else piece

        self.head = form(head)
        self.tails = [form(tail, False) for tail in tails]
        # Without its header the tail's first line end goes too, so it begins a line.
        self.bare_tails = [form(tail.removeprefix(b"\r\n")) for tail in tails]
        self.between = form(between)
        self.after_html = form(after_html)


class Body:
    """One body, quoted-printable encoded once except for the lines holding a per-recipient marker.

    Quoted-printable encodes each line on its own (soft breaks stay inside a line), so
    the encoded body is the encoded lines joined; a test checks it against encoding the
    whole body. Like set_content, the body ends with a line break and line ends are CRLF.
    """

    def __init__(self, body: str, html: bool) -> None:
        self.escape = html
        body = body.replace("\r\n", "\n")
        if not body.endswith("\n"):
            body += "\n"
        self.parts: list[bytes | str] = []
        constant: list[str] = []
        for line in body[:-1].split("\n"):
            if has_links(line):
                self.parts.append(_qp(constant))
                self.parts.append(line)
                constant = []
            else:
                constant.append(line)
        self.parts.append(_qp(constant))
        # Each part is whole lines, so each begins a line and is dot-stuffed on its own.
        self.stuffed = [dot_stuff(p) if isinstance(p, bytes) else p for p in self.parts]

    def render(self, link: str, manage: str, stuffed: bool = False) -> bytes:
        fill, fill_manage = (escape(link), escape(manage)) if self.escape else (link, manage)
        out = []
        for part in self.stuffed if stuffed else self.parts:
            if isinstance(part, str):
                if not keeps(part, manage):
                    continue  # the preferences line, without a preferences page
                part = _qp([fill_links(part, fill, fill_manage)])
                if stuffed:  # a soft line break may leave a dot at the start of a line
                    part = dot_stuff(part)
            out.append(part)
        return b"".join(out) or b"\r\n"  # a body of nothing is still one line break, as set_content makes it


def _place(head: list[bytes], extra: list[bytes]) -> list[bytes]:
    """Message-ID and List-Unsubscribe go before the MIME headers."""
    for n, line in enumerate(head):
        if line.startswith((b"MIME-Version:", b"Content-Type:")):
            return head[:n] + extra + head[n:]
    return head + extra


def _qp(lines: list[str]) -> bytes:
    if not lines:
        return b""
    # A filled-in link is a URL, never a line break; normalised all the same, as set_content would.
    text = "\r\n".join(lines).replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
    return binascii.b2a_qp(text.encode("utf-8"), istext=True)


_lock = threading.Lock()


def wire(item: Outgoing, policy: object, stuffed: bool = False, msgid: str = "") -> bytes:
    """The message of ``item`` as it goes on the wire (templates cached on the content);
    ``stuffed``: dot-stuffed, as SMTP's DATA carries it (see :func:`Template.render`)."""
    content = item.content
    https = item.one_click
    cache: dict[bool, Template] = content.__dict__.setdefault("_wire", {})
    template = cache.get(https)
    if template is None:
        with _lock:
            template = cache.get(https) or Template(content, https, policy)
            cache[https] = template
    return template.render(item, stuffed, msgid)
