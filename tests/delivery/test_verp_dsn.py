"""VERP tokens and the report reader, without a mailbox: every sample, forged tokens, any bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.dsn import read_report
from digest.verp import envelope_sender, parse_bounce_address, tags_in

SAMPLES = Path(__file__).parent / "bounce_samples"
KEY = b"k" * 32
IDEM = "0123456789abcdef0123456789abcdef01234567"


def filled(name: str, rcpt: str = "ann@reader.example") -> bytes:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    verp = envelope_sender("bounces@news.example.org", KEY, IDEM)
    values = {"VERP": verp, "RCPT": rcpt, "MSGID": "<w45.abc@news.example.org>", "FROM": "n@x.org"}
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text.encode()


def test_the_token_names_the_call_and_only_our_key_makes_it() -> None:
    address = envelope_sender("bounces@news.example.org", KEY, IDEM)
    local, _, domain = address.partition("@")
    assert domain == "news.example.org" and local.startswith("bounces+0123456789abcdef")
    assert "ann" not in local and len(local) == len("bounces+") + 26
    assert tags_in(f"To: {address}", KEY) == ["0123456789abcdef"]
    assert tags_in(f"To: {address.upper()}", KEY) == ["0123456789abcdef"]  # servers may change the case
    assert tags_in(f"To: {address}", b"another key of 32 bytes........") == []
    forged = address.replace(local[-4:], "0000" if local[-4:] != "0000" else "1111")
    assert tags_in(forged, KEY) == []


def test_a_template_puts_the_token_where_it_says_and_a_test_copy_gets_none() -> None:
    assert envelope_sender("list-{token}@example.org", KEY, IDEM).startswith("list-0123456789abcdef")
    assert envelope_sender("bounces@example.org", KEY, "test-ann@example.org") == "bounces@example.org"


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("bounces", "is not an address"),
        ("b-{token}-x@example.org", "right before the @"),
        ("bö@example.org", "ASCII"),
    ],
)
def test_a_bounce_address_that_cannot_work_is_refused(raw: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_bounce_address(raw)


@pytest.mark.parametrize(
    "name, kind, action, status",
    [
        ("postfix-unknown-user.eml", "dsn", "failed", "5.1.1"),
        ("postfix-expired.eml", "dsn", "failed", "4.4.7"),
        ("gmail-no-such-user.eml", "dsn", "failed", "5.1.1"),
        ("gmail-blocked.eml", "dsn", "failed", "5.7.1"),
        ("outlook-mailbox-unavailable.eml", "dsn", "failed", "5.5.0"),
        ("exim-plain.eml", "plain", "failed", ""),
        ("arf-complaint-redacted.eml", "arf", "complained", ""),
    ],
)
def test_each_style_reads_to_its_recipient_and_our_token(name, kind, action, status) -> None:  # type: ignore[no-untyped-def]
    report = read_report(filled(name))
    assert report is not None and report.kind == kind
    (failure,) = report.failures
    assert (failure.action, failure.status) == (action, status)
    assert failure.address == ("redacted@mailhost.example" if kind == "arf" else "ann@reader.example")
    assert tags_in(report.references, KEY) == ["0123456789abcdef"]
    assert "<w45.abc@news.example.org>" in report.message_ids


def test_a_delay_warning_is_a_report_with_nothing_to_record() -> None:
    report = read_report(filled("postfix-delayed.eml"))
    assert report is not None and report.failures == ()


NOT_REPORTS = ["vacation-reply.eml", "broken-report-without-status.eml", "broken-truncated.eml"]


@pytest.mark.parametrize("name", NOT_REPORTS)
def test_what_is_no_report_is_none(name: str) -> None:
    assert read_report(filled(name)) is None


@given(st.binary(max_size=2000))
def test_any_bytes_read_without_an_error(raw: bytes) -> None:
    read_report(raw)


@given(st.text(max_size=400))
def test_any_status_block_reads_without_an_error(block: str) -> None:
    head = 'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\n'
    status = f"Content-Type: message/delivery-status\n\nReporting-MTA: x\n\n{block}\n--b--\n"
    read_report((head + status).encode())


def test_bounces_read_says_what_each_saved_report_would_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    names = ["exim-plain.eml", "gmail-blocked.eml", "postfix-delayed.eml", "vacation-reply.eml"]
    for name in names:
        (tmp_path / name).write_bytes(filled(name))
    assert main(["bounces", "read", *(str(tmp_path / n) for n in names)]) == 0
    out = capsys.readouterr().out
    assert "ann@reader.example: hard bounce: suppressed" in out  # Exim's plain bounce quotes no status
    assert "5.7.1 refusal about the sender or the message: the address stays subscribed" in out
    assert "a delay warning or a report without a failure): nothing to record" in out
    assert "vacation-reply.eml: not a bounce or complaint report" in out
