"""Each edition's receipt (issue 21): one email to DIGEST_REPORT_EMAIL through the side-email
path, in the volunteer's language, with who bounced (by address), who left since the edition
before, what is still unknown and the sources that failed; the dashboard's edition page shows
the same. Real parts: a local SMTP server that refuses one address with 550 5.1.1."""

from __future__ import annotations

from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from digest.deliver.receipt import Receipt, build_receipt, send_receipt
from digest.render.side_email import Letterhead, render_side_email
from digest.store.subscribers import unsubscribe
from tests.delivery.conftest import add_subscribers
from tests.delivery.test_smtp_refusals import weekly
from tests.fakes.smtp import Mailbox, smtp_server

GONE = "reader000001@example.net"
REPORTS = "reports@example.org"


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def receipts(box: Mailbox) -> list[Message]:
    return [m for m in box.messages() if REPORTS in str(m["To"])]


def test_the_receipt_names_the_bounced_and_counts_who_left_since_the_edition_before(  # type: ignore[no-untyped-def]
    world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = Mailbox(refuse_rcpt={GONE: "550 5.1.1 <reader000001@example.net>: no such user"})
    with smtp_server(box) as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port, DIGEST_REPORT_EMAIL=REPORTS)
        add_subscribers(w.engine, 5)
        (tmp_path / "sources" / "gone.xml").write_text("<rss", encoding="utf-8")  # cannot be read
        w.next_week()
        first = w.send()
        key = first.key
        said = send_receipt(w.settings, w.engine, key, w.now)
        again = send_receipt(w.settings, w.engine, key, w.now)  # once per edition
        assert unsubscribe(w.engine, "reader000003@example.net")
        w.next_week()
        second = w.send()
        later = build_receipt(w.settings, w.engine, second.key, w.now)
    assert said.startswith(f"receipt of {key} emailed") and again == ""
    [mail] = receipts(box)
    assert key in str(mail["Subject"]) and "sent to 4" in str(mail["Subject"])
    text = text_of(mail)
    assert "Sent to: 4" in text and "Bounced: 1" in text and GONE in text
    assert "Unsubscribed so far: 0" in text and "Failed: 1" in text
    assert "gone.xml" in text  # the source that failed
    assert later is not None and later.unsubscribed == 1 and later.since  # left after the first
    assert later.bounced == [] and later.sent == 3


def test_the_receipt_reads_korean_for_a_korean_volunteer(world, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port, DIGEST_REPORT_EMAIL=REPORTS, DIGEST_LANGUAGE="ko")
        add_subscribers(w.engine, 2)
        w.next_week()
        report = w.send()
        send_receipt(w.settings, w.engine, report.key, w.now)
    [mail] = receipts(box)
    subject = str(make_header(decode_header(str(mail["Subject"]))))
    assert "발송 결과" in subject and "발송: 2명" in text_of(mail)
    assert mail["Content-Language"] in (None, "ko")


def test_no_report_address_no_receipt(world, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = weekly(world, tmp_path, monkeypatch, port)
        add_subscribers(w.engine, 2)
        w.next_week()
        report = w.send()
        assert send_receipt(w.settings, w.engine, report.key, w.now) == ""
    assert len(box.raw) == 2  # the two supporters' copies, nothing else


def receipt_text(language: str = "en", **lists: list) -> list[str]:  # type: ignore[type-arg]
    receipt = Receipt(key="weekly:2026-W50", status="sent", subject="Hanbit Bridge: news digest", sent=3,
                      delivered=1, unsubscribed=1, since="2026-12-01 09:00 UTC" if lists else "",
                      failed=0, unknown=2, **lists)
    mail = render_side_email("receipt", language, receipt.context(), Letterhead("Hanbit Bridge", "Seoul"))
    return mail.text.splitlines()


@pytest.mark.parametrize("full", [True, False], ids=["every-list-filled", "every-list-empty"])
def test_each_figure_of_the_text_receipt_is_a_line_of_its_own(full: bool) -> None:
    lists = {
        "bounced": ["a@example.net", "b@example.net"], "complained": ["c@example.net"],
        "next_steps": ["2 are asked of the provider again at 10:05"],
        "posts": [{"platform": "mastodon", "status": "sent", "url": "https://m.example/1"},
                  {"platform": "bluesky", "status": "failed", "url": ""}],
        "sources_failed": ["https://partner.example.com/feed.xml: HTTP 500"],
    } if full else {}
    lines = receipt_text(**lists)
    assert "Subject: Hanbit Bridge: news digest" in lines  # the edition's subject, not the receipt's
    labels = ["Sent to: 3", "Delivered (as the provider reported so far): 1", "Failed: 0",
              "Unknown (the provider may or may not have them): 2"]
    labels += ["Bounced: 2", "Complained (marked it as spam): 1",
               "Unsubscribed since the edition before (2026-12-01 09:00 UTC): 1",
               "Posts published:", "Sources that could not be read:"] if full else [
        "Bounced: 0", "Complained (marked it as spam): 0", "Unsubscribed so far: 1",
        "Posts published: none", "Sources that could not be read: none"]
    assert [label for label in labels if label not in lines] == []
    for item in lists.get("bounced", []) + lists.get("complained", []) + lists.get("sources_failed", []):
        assert f"  - {item}" in lines
    if full:
        assert "  - mastodon: sent https://m.example/1" in lines and "  - bluesky: failed" in lines


def test_the_korean_text_receipt_keeps_its_lines_apart() -> None:
    lines = receipt_text("ko")
    assert "반송: 0명" in lines and "스팸 신고: 0명" in lines and "실패: 0건" in lines


def test_a_rehearsal_says_its_receipt_was_not_emailed(world) -> None:  # type: ignore[no-untyped-def]
    w = world(DIGEST_REPORT_EMAIL=REPORTS)  # the embedded default provider: it sends nothing
    add_subscribers(w.engine, 2)
    w.now = datetime(2026, 6, 3, 12, tzinfo=UTC)
    report = w.send()
    said = send_receipt(w.settings, w.engine, report.key, w.now)
    assert said.startswith(f"receipt of {report.key} not emailed to {REPORTS}") and "rehearsal" in said, said
    kept = [p for p in (w.settings.data_dir / "outbox").rglob("*.eml") if REPORTS in p.name]
    assert len(kept) == 1  # the rehearsal's own copy of the receipt
