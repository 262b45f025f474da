"""Late bounces and complaint reports, read with the standard :mod:`email` package.

- A delivery status notification (RFC 3464: ``multipart/report; report-type=delivery-status``,
  as Postfix, Gmail, Outlook and newer Exim send it, the status part anywhere in the tree)
  gives one block per recipient: ``Final-Recipient``, ``Action``, ``Status``,
  ``Diagnostic-Code``. Only ``Action: failed`` is a bounce; ``delayed`` is a warning that the
  server is still trying, and ``delivered``/``relayed``/``expanded`` are good news.
- A complaint (ARF, RFC 5965: ``message/feedback-report``) gives ``Feedback-Type`` and the
  original recipient, which feedback loops often redact: the VERP token and the Message-ID
  of the returned headers identify the person instead.
- Exim's older plain-text bounce has no status part: its ``X-Failed-Recipients`` header
  names the failed addresses (set only on a final failure) and the body quotes the reply.

Anything else (an auto-reply, a person writing to the bounce address, a broken report
without recipients) is not a report: the reader leaves it alone. flufl.bounce was compared
and not used: it has no complaint parser and returns addresses without their status codes,
which the policy needs (see :mod:`digest.bounce_codes`).
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

# Headers that carry the envelope sender the bounce came back to (with its VERP token).
ENVELOPE_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "Return-Path")
STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
RETURNED_PARTS = ("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers")
NOTICES = ("delayed", "delivered", "relayed", "expanded")
COMPLAINTS = {"abuse", "fraud", "virus", "other"}  # not "not-spam", nor "auth-failure" (a DMARC report)
REPLY = re.compile(r"\b([45]\d\d)[ -]+(?:([245]\.\d{1,3}\.\d{1,3})\s+)?(.{0,200})")
PLAIN_COPY = "------ This is a copy of the message"  # Exim: the returned message follows as text
ADDRESS = re.compile(r"[^\s<>;,\"']+@[^\s<>;,\"']+\.[A-Za-z0-9-]+")


@dataclass(frozen=True)
class Failure:
    """One recipient a report is about: ``action`` failed (a bounce) or complained (ARF)."""

    address: str
    action: str
    status: str = ""
    diagnostic: str = ""
    code: int | None = None  # the basic reply code, when the diagnostic quotes one


@dataclass(frozen=True)
class Report:
    """What one message in the bounce mailbox says. ``kind``: dsn, arf or plain (Exim's
    text bounce); ``references``: text that may hold our VERP token (the envelope headers,
    ARF's ``Original-Mail-From``); ``message_ids``: ids of the returned message of ours."""

    kind: str
    failures: tuple[Failure, ...]
    references: str
    message_ids: tuple[str, ...]
    at: datetime | None
    feedback_type: str = ""


def read_report(raw: bytes) -> Report | None:
    """The report in ``raw``, or None when it is not a bounce or complaint report."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # the parser is lenient; anything it still cannot read is not a report
        return None
    parts = list(msg.walk())
    types = {p.get_content_type() for p in parts}
    if "message/feedback-report" in types:
        return _arf(msg, parts)
    if types & set(STATUS_PARTS):
        return _dsn(msg, parts)
    if msg.get("X-Failed-Recipients"):
        return _plain(msg, parts)
    return None


def _dsn(msg: Message, parts: list[Message]) -> Report | None:
    failures = []
    for part in parts:
        if part.get_content_type() in STATUS_PARTS:
            for block in _blocks(part)[1:]:
                failure = _recipient(block)
                if failure is not None:
                    failures.append(failure)
    notices = _status_notices(parts)
    if not failures and not notices:
        return None  # a report with no recipient block: broken, nothing to act on
    return _report("dsn", msg, parts, failures)


def _status_notices(parts: list[Message]) -> bool:
    """Whether a status part says something else whole about a recipient (a delay warning, a
    relay's note): a report, with no failure to record."""
    return any(
        _address(str(b.get("Final-Recipient", ""))) and str(b.get("Action", "")).strip().lower() in NOTICES
        for p in parts
        if p.get_content_type() in STATUS_PARTS
        for b in _blocks(p)[1:]
    )


def _recipient(block: Message) -> Failure | None:
    address = _address(str(block.get("Final-Recipient") or block.get("Original-Recipient") or ""))
    action = str(block.get("Action", "")).strip().lower()
    if not address or action != "failed":
        return None
    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
    code = _code(diagnostic.partition(";")[2] or diagnostic)
    return Failure(address, "failed", str(block.get("Status", "")).strip(), diagnostic[:500], code)


def _arf(msg: Message, parts: list[Message]) -> Report | None:
    report = next(p for p in parts if p.get_content_type() == "message/feedback-report")
    blocks = _blocks(report)
    fields = blocks[0] if blocks else Message()
    kind = str(fields.get("Feedback-Type", "")).strip().lower()
    if not kind:
        return None
    returned = _returned_headers(parts)
    address = _address(str(fields.get("Original-Rcpt-To", ""))) or _address(str(returned.get("To", "")))
    failures = [Failure(address, "complained")] if kind in COMPLAINTS else []
    extra = f" {fields.get('Original-Mail-From', '')}"
    return _report("arf", msg, parts, failures, extra, kind)


def _plain(msg: Message, parts: list[Message]) -> Report | None:
    """Exim sets X-Failed-Recipients on a final failure only: permanent unless the reply says more."""
    body, _, copy = _text(parts).partition(PLAIN_COPY)
    quoted = _quote(body)
    failures = [
        Failure(address.lower(), "failed", "", quoted or "550 (no reply quoted)", _code(body) or 550)
        for _name, address in getaddresses([str(v) for v in msg.get_all("X-Failed-Recipients", [])])
        if "@" in address
    ]
    if not failures:
        return None
    returned = email.message_from_string(copy.partition("\n")[2].lstrip()) if copy else None
    return _report("plain", msg, parts, failures, returned=returned)


def _report(
    kind: str,
    msg: Message,
    parts: list[Message],
    failures: list[Failure],
    extra: str = "",
    feedback: str = "",
    returned: Message | None = None,
) -> Report:
    returned = returned if returned is not None else _returned_headers(parts)
    envelope = " ".join(" ".join(str(v) for v in msg.get_all(h, [])) for h in ENVELOPE_HEADERS)
    envelope += " " + str(returned.get("Return-Path", "")) + extra
    ids = [returned.get("Message-ID", "")]
    for part in parts:
        if part.get_content_type() in STATUS_PARTS:
            ids += [b.get("X-Original-Message-ID", "") for b in _blocks(part)[:1]]
    ids += [msg.get("In-Reply-To", ""), *str(msg.get("References", "")).split()]
    found = tuple(dict.fromkeys(i.strip() for i in map(str, ids) if i and "@" in str(i)))
    return Report(kind, tuple(failures), envelope, found, _date(msg), feedback)


def _blocks(part: Message) -> list[Message]:
    """The header blocks of a status or feedback part (the email package reads them as a list)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    if isinstance(payload, str):  # a part the parser left as text (message/global-delivery-status)
        blocks = re.split(r"\r?\n\s*\r?\n", payload)
        return [email.message_from_string(b.strip() + "\n") for b in blocks if b.strip()]
    return []


def _returned_headers(parts: list[Message]) -> Message:
    """The headers of our message the report returns (a whole message or its headers only)."""
    for part in parts:
        if part.get_content_type() in RETURNED_PARTS:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
            if isinstance(payload, str):
                return email.message_from_string(payload.lstrip())
    return Message()


def _text(parts: list[Message]) -> str:
    for part in parts:
        if part.get_content_type() == "text/plain":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                return data.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""


def _address(field: str) -> str:
    """The address of an ``rfc822; a@b.org`` field, lower-cased."""
    value = field.partition(";")[2] if ";" in field else field
    found = ADDRESS.search(value)
    return found.group(0).strip(".").lower() if found else ""


def _code(text: str) -> int | None:
    found = REPLY.search(text)
    return int(found.group(1)) if found else None


def _quote(body: str) -> str:
    """The server's reply quoted in a plain bounce (its first line with a reply code)."""
    found = REPLY.search(body)
    return " ".join(found.group(0).split())[:500] if found else ""


def _date(msg: Message) -> datetime | None:
    try:
        when = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else None
