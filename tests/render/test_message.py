"""The MIME message: structure, encodings and the list headers mailbox providers require."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

from digest.render.message import Envelope, build_message, message_id

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def envelope(**changes: str) -> Envelope:
    values = {
        "sender": "Bridge of Hope <newsletter@example.org>",
        "to": "Kim Subscriber <reader@example.net>",
        "edition_key": "weekly:2026-W48",
        "reply_to": "Team <hello@example.org>",
        "list_id": "<digest.example.org>",
        "unsubscribe_https": "https://example.org/unsubscribe?t=abc",
        "unsubscribe_mailto": "mailto:newsletter@example.org?subject=unsubscribe",
        "language": "ko",
    }
    values.update(changes)
    return Envelope(date=WHEN, **values)


def parse(raw: bytes):  # type: ignore[no-untyped-def]
    return message_from_bytes(raw, policy=policy.default)


def test_multipart_alternative_text_first_then_html_in_utf8() -> None:
    msg = parse(build_message("소식 모음", "<p>봉사자 소식</p>", "봉사자 소식\n", envelope()).as_bytes())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content() == "봉사자 소식\n"
    assert parts[1].get_content().strip() == "<p>봉사자 소식</p>"


def test_headers() -> None:
    raw = build_message("Bridge of Hope 소식 모음, 2026년 11월 23일", "<p>x</p>", "x", envelope()).as_bytes()
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0]  # the Korean subject is encoded on the wire
    msg = parse(raw)
    assert msg["Subject"] == "Bridge of Hope 소식 모음, 2026년 11월 23일"
    assert msg["From"] == "Bridge of Hope <newsletter@example.org>"
    assert msg["To"] == "Kim Subscriber <reader@example.net>"
    assert msg["Reply-To"] == "Team <hello@example.org>"
    assert msg["Date"].datetime == WHEN
    assert msg["List-Id"] == "<digest.example.org>"
    assert msg["List-Unsubscribe"] == (
        "<https://example.org/unsubscribe?t=abc>, <mailto:newsletter@example.org?subject=unsubscribe>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Content-Language"] == "ko"
    assert msg["MIME-Version"] == "1.0"


def test_no_one_click_header_without_an_https_link() -> None:
    msg = build_message("s", "<p>x</p>", "x", envelope(unsubscribe_https="", reply_to=""))
    assert msg["List-Unsubscribe"] == "<mailto:newsletter@example.org?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None
    assert msg["Reply-To"] is None


def test_message_id_is_deterministic_per_edition_and_address() -> None:
    sender = "newsletter@example.org"
    first = message_id("weekly:2026-W48", "Kim <reader@example.net>", sender)
    assert first == message_id("weekly:2026-W48", "READER@example.net", sender)  # name and case do not count
    assert first != message_id("weekly:2026-W49", "reader@example.net", sender)
    assert first != message_id("weekly:2026-W48", "other@example.net", sender)
    assert first.startswith("<weekly-2026-w48.") and first.endswith("@example.org>")
    msg = build_message("s", "<p>x</p>", "x", envelope())
    assert msg["Message-ID"] == message_id("weekly:2026-W48", "reader@example.net", sender)


def test_a_newline_in_a_setting_cannot_add_a_header() -> None:
    msg = build_message("News\nBcc: victim@example.com", "<p>x</p>", "x", envelope())
    raw = msg.as_bytes()
    assert b"\nBcc:" not in raw
    assert parse(raw)["Subject"] == "News Bcc: victim@example.com"
