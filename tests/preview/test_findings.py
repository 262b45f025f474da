"""Issue 19: the preview separates what blocks a send from what is only reported. The preview said
"fix them before sending" for a partner feed's broken link the volunteer cannot fix, then the send
went ahead. Every finding now has one severity, and `digest preview`, `digest send` and the
dashboard (the preview's index.html, which `digest serve` shows) use it the same way."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import clock
from digest.cli import main
from digest.compose.findings import BLOCKS, REPORTED, Finding, refuse
from digest.errors import ProtectedTermError, RenderError

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # just after a Monday 09:00 slot

PARTNER_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Partner news</title><link>https://partner.example</link>
<item><title>Partner clinic opens</title><link>http://[object Object]/clinic</link>
<guid>partner-1</guid><pubDate>Sat, 28 Nov 2026 10:00:00 +0000</pubDate>
<description>The partner clinic opens its doors to newly arrived families on Monday.</description></item>
</channel></rss>
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Our article, a partner's feed with a broken link, and a feed that cannot be read at all."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "coats.md").write_text(
        "---\ntitle: Winter coats for forty children\nurl: https://example.org/news/coats\n"
        "date: 2026-11-27\n---\nVolunteers sorted coats all week. Forty children now have one. "
        "The drive goes on until December.\n",
        encoding="utf-8",
    )
    (tmp_path / "partner.xml").write_text(PARTNER_FEED, encoding="utf-8")
    (tmp_path / "broken.xml").write_text("<rss><channel><item><title>cut off", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(clock.ENV, NOW.isoformat())
    monkeypatch.setenv("DIGEST_SOURCES", "content,partner.xml,broken.xml")
    monkeypatch.setenv("DIGEST_LOOKBACK_DAYS", "14")
    return tmp_path


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:  # type: ignore[type-arg]
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_what_the_volunteer_cannot_fix_is_reported_and_the_send_goes_ahead(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, said = run(capsys, "preview", "--out", "pv")
    assert code == 0, said
    report = json.loads((home / "pv" / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is True and report["errors"] == []
    kinds = {f["kind"] for f in report["findings"]}
    assert {"article", "source"} <= kinds and {f["severity"] for f in report["findings"]} == {REPORTED}
    assert "fix them before sending" not in said and "ok: nothing blocks the send" in said
    assert "reported: article 'Partner clinic opens'" in said and "reported: skipped" in said
    dashboard = (home / "pv" / "index.html").read_text(encoding="utf-8")
    assert "Nothing blocks the send." in dashboard and "Reported only: the send goes ahead" in dashboard
    assert "Blocks the send" not in dashboard

    code, sent = run(capsys, "send")
    assert code == 0, sent
    assert "reported: article 'Partner clinic opens'" in sent and "weekly:2026-W49: sent" in sent


def test_what_blocks_the_send_blocks_the_preview_and_the_send_alike(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (home / "terms.txt").write_text("forty children\n", encoding="utf-8")
    templates = home / "tpl" / "email"
    templates.mkdir(parents=True)
    (templates / "_footer.html.j2").write_text('<img src="https://example.org/seal.png">', encoding="utf-8")
    (home / ".env").write_text("DIGEST_PROTECTED_TERMS_FILE=terms.txt\nDIGEST_TEMPLATES_DIR=tpl\n")
    code, said = run(capsys, "preview", "--out", "pv")
    assert code == 1, said
    assert "blocks the send: protected term 'forty children' in article 'Winter coats for" in said
    assert "reported: image without alt text: https://example.org/seal.png" in said
    assert "1 finding(s) block the send" in said and "only reported" in said
    dashboard = (home / "pv" / "index.html").read_text(encoding="utf-8")
    assert "Blocks the send: fix these first" in dashboard

    code, sent = run(capsys, "send")
    assert code == 3 and "protected term 'forty children'" in sent
    assert not (home / "var" / "outbox").exists()


def test_a_protected_term_in_the_email_and_its_posts_is_listed_once_per_place(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The newcomer saw each post's protected term twice: once as the post's own error, once as a hit."""
    (home / "terms.txt").write_text("coats\n", encoding="utf-8")
    (home / ".env").write_text("DIGEST_PROTECTED_TERMS_FILE=terms.txt\n"
                               "DIGEST_SOCIAL_PLATFORMS=mastodon,bluesky\n")
    code, said = run(capsys, "preview", "--out", "pv")
    assert code == 1
    lines = [line for line in said.splitlines() if "coats" in line.lower() and "protected" in line]
    assert len(lines) == len(set(lines)) == 3, lines  # the article, the mastodon post, the bluesky post
    assert not any(re.search(r"post for '[^']*': protected term", line) for line in lines), lines


def test_active_content_from_a_template_blocks_the_send(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    templates = home / "tpl" / "email"
    templates.mkdir(parents=True)
    (templates / "_footer.html.j2").write_text('<p onclick="track()">Thanks</p>', encoding="utf-8")
    (home / ".env").write_text("DIGEST_TEMPLATES_DIR=tpl\n", encoding="utf-8")
    code, said = run(capsys, "preview", "--out", "pv")
    assert code == 1 and "blocks the send: unsafe content in the email: event handler onclick" in said
    code, sent = run(capsys, "send")
    assert code == 1 and "unsafe content in the email" in sent and "nothing was sent" in sent
    assert not (home / "var" / "outbox").exists()


def test_refuse_raises_the_error_of_the_kind_that_blocks() -> None:
    reported_only = [Finding(REPORTED, "source", "skipped partner.xml")]
    refuse(reported_only)  # nothing blocks: no error
    with pytest.raises(ProtectedTermError, match="protected term 'X' in article 'A'; nothing was sent"):
        refuse([*reported_only, Finding(BLOCKS, "protected", "protected term 'X' in article 'A'", "edit it"),
                Finding(BLOCKS, "size", "too big", "make it smaller")])
    with pytest.raises(RenderError, match="too big; nothing was sent. Make it smaller"):
        refuse([Finding(BLOCKS, "size", "too big", "make it smaller")])
