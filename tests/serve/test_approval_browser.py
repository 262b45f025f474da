"""Approval by email in a real browser against a real `digest serve`: the scheduler's look a day
before the slot mails the approvers (the outbox keeps each mail); the approver opens the Approve
link (a page that changes nothing), presses the button, and the dashboard's calendar shows the
edition approved, with Approve, Hold and Build again for the volunteer; the audit log names the
approver's address for the email's button and the shared admin for the dashboard's. Every page is checked with
axe-core at 375 and 1280 px: no serious or critical violation."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from digest.deliver.approval import look
from digest.store.users import entries
from tests.serve.conftest import running
from tests.serve.test_browser import PASSWORD, browser, check_axe  # noqa: F401 (the fixture)

pytest.importorskip("playwright")

NOW = "2027-01-03T12:00:00+00:00"  # a Sunday: the Monday 09:00 slot is 21 hours away


def approval_links(root: Path, approver: str) -> list[str]:
    links = []
    for path in sorted((root / "var" / "outbox").glob(f"approval-*/{approver}.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        links += re.findall(r"https?://\S+/approval/[\w-]+\?do=approve", text)
    return links


def test_an_approver_approves_from_the_email_and_the_dashboard_shows_it(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    content = tmp_path / "content"
    content.mkdir()
    (content / "school.md").write_text(
        "---\ntitle: English classes start again\nurl: https://example.org/news/classes\n"
        "date: 2027-01-02\n---\n"
        "Our English classes for young adults start again next week. Volunteers teach twice a week "
        "in the evening, and every class has a place for newcomers.\n",
        encoding="utf-8",
    )
    settings = {
        "DIGEST_SOURCES": str(content), "DIGEST_SCHEDULE": "0 9 * * 1", "DIGEST_TIMEZONE": "UTC",
        "DIGEST_APPROVAL": "email", "DIGEST_APPROVERS": "editor@example.org", "DIGEST_LINK_CHECK": "false",
        "DIGEST_ADMIN_PASSWORD": PASSWORD,
        "DIGEST_TEST_NOW": NOW,  # the pages' clock too: the calendar shows what is coming after NOW
    }
    with running(tmp_path, **settings) as srv:
        ran = srv.cli("run", "--once", DIGEST_TEST_NOW=NOW)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        [link] = approval_links(tmp_path, "editor@example.org")
        token = link.split("/approval/")[1].split("?")[0]
        page = browser.new_page()
        page.set_default_timeout(90_000)
        page.goto(link)
        page.get_by_role("heading", name="Approve the digest").wait_for()
        check_axe(page, "approval page")
        assert look(srv.engine(), token).situation == "open"  # opening the link changed nothing
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("Thank you: you approved this edition.").wait_for()
        check_axe(page, "approval done")
        assert look(srv.engine(), token).situation == "used"
        assert audited(srv)[0] == ("editor@example.org", "edition approve", "weekly:2027-W01")
        page.get_by_role("link", name="한국어").click()  # the page in the other language, as its link says
        page.get_by_role("heading", name="소식지 승인").wait_for()
        assert "이미 사용한 링크입니다" in page.inner_text("main")
        check_axe(page, "approval page in Korean")

        page.goto(srv.url("/admin/login"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        calendar = page.locator("#calendar + p + .table-wrap")
        row = calendar.get_by_role("row").filter(has_text="weekly:2027-W01")
        row.get_by_text("approved").wait_for()
        assert "news digest, January 4, 2027" in row.inner_text()  # dated the day it goes out
        check_axe(page, "dashboard with the calendar")
        row.get_by_role("button", name="Hold").click()
        page.get_by_text("weekly:2027-W01 held").wait_for()
        assert "held" in page.locator("#calendar + p + .table-wrap").get_by_role("row").filter(
            has_text="weekly:2027-W01").inner_text()
        assert audited(srv)[0] == ("shared admin", "edition hold", "weekly:2027-W01")
        page.close()


def audited(srv) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """The audit log, newest first: who, what, of what."""
    engine = srv.engine()
    try:
        return [(e.actor, e.action, e.subject) for e in entries(engine)]
    finally:
        engine.dispose()
