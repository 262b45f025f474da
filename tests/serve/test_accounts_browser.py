"""Volunteers' own accounts in a real browser against a real `digest serve` (issue 22).

A volunteer asks for a sign-in link on the log-in page; the link arrives through a real SMTP
server (aiosmtpd); opening it shows a page and logs nobody in; its button does, once. While she
(an approver) has the dashboard open, the shared admin makes her an editor on the accounts page:
the approver's button she then presses is refused with a page naming the role, and her dashboard
no longer offers it. The admin adds and removes accounts, and a removed volunteer's next click is
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
            assert srv.cli("users", "add", EDITOR, "--role", "approver").returncode == 0
            mina, admin = browser.new_context(), browser.new_context()
            page, boss = mina.new_page(), admin.new_page()
            for p in (page, boss):
                p.set_default_timeout(90_000)
            link = ask_for_link(page, srv, box)
            assert link.startswith(srv.base + "/admin/login/link/")  # built from DIGEST_PUBLIC_URL
            page.goto(link)
            page.get_by_role("heading", name="Log in to the dashboard").wait_for()
            check_axe(page, "sign-in link page")
            page.goto(srv.url("/admin"))  # opening the link logged nobody in
            page.get_by_role("heading", name="Volunteers' log-in").wait_for()
            page.goto(link)
            page.get_by_role("button", name="Log in").click()
            page.get_by_text(f"Logged in as {EDITOR} (approver)").wait_for()
            open_accounts(boss, srv)
            change_role(boss, EDITOR, "editor")  # while Mina's dashboard is open
            refused_as_editor(page, srv)
            page.goto(link)  # used up
            page.get_by_role("heading", name="This log-in link does not work").wait_for()
            check_axe(page, "used sign-in link")
            add_and_remove(boss)
            page.goto(srv.url("/admin"))  # Mina, removed meanwhile
            page.get_by_role("heading", name="Volunteers' log-in").wait_for()
            mina.close()
            admin.close()
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


def refused_as_editor(page, srv) -> None:  # type: ignore[no-untyped-def]
    """Mina's page still shows an approver's button: pressing it now is refused, with the role it needs;
    the dashboard, loaded again, no longer offers it."""
    page.get_by_role("button", name="Pause this period's edition").click()
    page.get_by_role("heading", name="Not allowed for your role").wait_for()
    assert "needs the approver role" in page.inner_text("main") and "an editor" in page.inner_text("main")
    check_axe(page, "refused page")
    page.goto(srv.url("/admin"))
    page.get_by_text(f"Logged in as {EDITOR} (editor)").wait_for()
    assert page.get_by_role("button", name="Pause this period's edition").count() == 0
    check_axe(page, "dashboard of an editor")


def open_accounts(page, srv) -> None:  # type: ignore[no-untyped-def]
    shared_log_in(page, srv.url("/admin/login"))
    page.get_by_role("link", name="Volunteers' accounts").click()
    page.get_by_role("heading", name="Volunteers' accounts").wait_for()
    check_axe(page, "accounts page")


def change_role(page, address: str, role: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(f"Role of {address}").select_option(role)
    page.get_by_role("button", name=f"Change role of {address}").click()
    page.get_by_text(f"{address} is now {role}").wait_for()


def add_and_remove(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Email", exact=True).fill("jun@example.org")
    page.get_by_label("Role", exact=True).select_option("approver")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("jun@example.org added as approver").wait_for()
    check_axe(page, "accounts page with accounts")
    page.get_by_role("button", name=f"Remove {EDITOR}").click()
    page.get_by_text(f"{EDITOR} removed").wait_for()
    page.goto(page.url.replace("/admin/users", "/admin/audit"))
    rows = page.locator("tbody tr").all_inner_texts()
    assert [r.split("\t")[1:4] for r in rows[:4]] == [
        ["shared admin", "user removed", EDITOR],
        ["shared admin", "user added", "jun@example.org"],
        ["shared admin", "user changed", EDITOR],
        [rows[3].split("\t")[1], "user added", EDITOR],  # on the command line
    ]
    check_axe(page, "audit log")
