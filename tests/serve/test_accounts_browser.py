"""Volunteers' own accounts in a real browser against a real `digest serve` (issue 22).

An editor asks for a sign-in link on the log-in page; the link arrives through a real SMTP server
(aiosmtpd); opening it shows a page and logs nobody in; its button does, once. The editor is
refused an approver's action with a page naming the role; the shared admin, on the accounts page,
makes the editor an approver, adds and removes accounts, and a removed volunteer's next click is
the log-in page. The audit log names who did what. Every page is checked with axe-core at 375 and
1280 px: no serious or critical violation.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.fakes.smtp import smtp_server
from tests.serve.conftest import running
from tests.serve.helpers import queue_settled
from tests.serve.test_browser import PASSWORD, browser, check_axe, shared_log_in  # noqa: F401 (the fixture)

pytest.importorskip("playwright")
EDITOR = "mina@example.org"


def sign_in_link(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https?://\S+/admin/login/link/[\w-]+", text)
    assert found, text
    return found.group(0)


def test_a_volunteer_logs_in_by_emailed_link_and_the_admin_manages_accounts(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811,E501
    with smtp_server() as (box, port):
        smtp = {"DIGEST_PROVIDER": "smtp", "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port),
                "DIGEST_SMTP_SECURITY": "none", "DIGEST_ADMIN_PASSWORD": PASSWORD}
        with running(tmp_path, **smtp) as srv:
            assert srv.cli("users", "add", EDITOR, "--role", "editor").returncode == 0
            editor = browser.new_context()
            page = editor.new_page()
            page.set_default_timeout(90_000)
            link = ask_for_link(page, srv, box)
            assert link.startswith(srv.base + "/admin/login/link/")  # built from DIGEST_PUBLIC_URL
            page.goto(link)
            page.get_by_role("heading", name="Log in to the dashboard").wait_for()
            check_axe(page, "sign-in link page")
            page.goto(srv.url("/admin"))  # opening the link logged nobody in
            page.get_by_role("heading", name="Volunteers' log-in").wait_for()
            page.goto(link)
            page.get_by_role("button", name="Log in").click()
            page.get_by_text(f"Logged in as {EDITOR} (editor)").wait_for()
            refused_as_editor(page)
            page.goto(link)  # used up
            page.get_by_role("heading", name="This log-in link does not work").wait_for()
            check_axe(page, "used sign-in link")
            admin = browser.new_context()
            manage_accounts(admin.new_page(), srv)
            page.goto(srv.url("/admin"))  # the editor, removed meanwhile
            page.get_by_role("heading", name="Volunteers' log-in").wait_for()
            admin.close()
            editor.close()
    assert [m["To"] for m in map(message_from_bytes, box.raw)] == [EDITOR]  # the unknown address got nothing


def ask_for_link(page, srv, box) -> str:  # type: ignore[no-untyped-def]
    page.goto(srv.url("/admin/login"))
    check_axe(page, "log-in page")
    for address in ("nobody@example.org", EDITOR):
        page.goto(srv.url("/admin/login"))
        page.get_by_label("Email for the link").fill(address)
        page.get_by_role("button", name="Email me a log-in link").click()
        page.get_by_role("heading", name="Check your inbox").wait_for()
    check_axe(page, "link sent page")
    queue_settled(srv.root)
    assert len(box.raw) == 1, box.rcpts
    return sign_in_link(box.raw[0])


def refused_as_editor(page) -> None:  # type: ignore[no-untyped-def]
    check_axe(page, "dashboard of an editor")
    page.get_by_role("button", name="Pause this period's edition").click()
    page.get_by_role("heading", name="Not allowed for your role").wait_for()
    assert "needs the approver role" in page.inner_text("main")
    check_axe(page, "refused page")


def manage_accounts(page, srv) -> None:  # type: ignore[no-untyped-def]
    page.set_default_timeout(90_000)
    shared_log_in(page, srv.url("/admin/login"))
    page.get_by_role("link", name="Volunteers' accounts").click()
    page.get_by_role("heading", name="Volunteers' accounts").wait_for()
    check_axe(page, "accounts page")
    page.get_by_label("Email", exact=True).fill("jun@example.org")
    page.get_by_label("Role", exact=True).select_option("approver")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("jun@example.org added as approver").wait_for()
    page.get_by_label(f"Role of {EDITOR}").select_option("approver")
    page.get_by_role("button", name=f"Change role of {EDITOR}").click()
    page.get_by_text(f"{EDITOR} is now approver").wait_for()
    check_axe(page, "accounts page with accounts")
    page.get_by_role("button", name=f"Remove {EDITOR}").click()
    page.get_by_text(f"{EDITOR} removed").wait_for()
    page.goto(srv.url("/admin/audit"))
    rows = page.locator("tbody tr").all_inner_texts()
    assert [r.split("\t")[1:4] for r in rows[:3]] == [
        ["shared admin", "user removed", EDITOR],
        ["shared admin", "user changed", EDITOR],
        ["shared admin", "user added", "jun@example.org"],
    ]
    check_axe(page, "audit log")
