"""The organisation's own page with the pasted sign-up form, in a real browser (issue 22).

A volunteer copies the snippet from the dashboard (checked with axe-core); a page on another
origin (a local HTTP server named ``localhost``, while digest serve is 127.0.0.1) holds it; a
visitor fills it in and lands on digest's "Check your inbox" page, and the confirmation goes
out. The same form on a site not listed in DIGEST_SIGNUP_ORIGINS gets 403 and sends nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.serve.conftest import running
from tests.serve.helpers import outbox_messages
from tests.serve.test_browser import PASSWORD, browser, check_axe  # noqa: F401 (the fixture)

pytest.importorskip("playwright")


class OrgSite:
    """The organisation's page, whose body the test sets, at http://localhost:<port>/join."""

    def __init__(self) -> None:
        self.body = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                data = (
                    '<!DOCTYPE html><html lang="en"><head><title>Join us</title></head>'
                    f"<body><main>{site.body}</main></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}"


@contextmanager
def org_site() -> Iterator[OrgSite]:
    found = OrgSite()
    threading.Thread(target=found.server.serve_forever, daemon=True).start()
    try:
        yield found
    finally:
        found.server.shutdown()
        found.server.server_close()


def copy_snippet(page, srv) -> str:  # type: ignore[no-untyped-def]
    page.goto(srv.url("/admin"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Sign-up form for your website").click()
    page.get_by_role("heading", name="Sign-up form for your website").wait_for()
    check_axe(page, "sign-up form for your website")
    snippet = str(page.locator("pre.snippet").first.inner_text())
    page.goto(srv.url("/admin/audit"))
    page.get_by_role("heading", name="Audit log").wait_for()
    check_axe(page, "audit log")
    return snippet


def sign_up_on(context, site: OrgSite, address: str):  # type: ignore[no-untyped-def]
    visitor = context.new_page()
    visitor.goto(site.url + "/join")
    visitor.get_by_label("Email address").fill(address)
    visitor.get_by_role("checkbox").check()
    with visitor.expect_navigation() as answer:
        visitor.get_by_role("button", name="Sign up").click()
    return visitor, answer.value


def test_a_pasted_form_signs_up_from_a_listed_site_only(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    context = browser.new_context()
    with org_site() as listed, org_site() as unlisted, running(
        tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD, DIGEST_SIGNUP_ORIGINS=listed.url
    ) as srv:
        snippet = copy_snippet(context.new_page(), srv)
        assert 'action="' + srv.url("/subscribe") + '"' in snippet and "csrf" not in snippet
        listed.body = unlisted.body = snippet
        page, answer = sign_up_on(context, listed, "visitor@example.com")
        assert answer.status == 200 and page.url == srv.url("/subscribe")
        page.get_by_role("heading", name="Check your inbox").wait_for()
        check_axe(page, "sign-up answer to another site's form")
        [message] = outbox_messages(srv.root, "visitor@example.com")
        assert "confirm" in str(message["Subject"]).lower()
        page, answer = sign_up_on(context, unlisted, "stranger@example.com")
        assert answer.status == 403 and "Check your inbox" not in page.content()
        assert outbox_messages(srv.root, "stranger@example.com") == []
    context.close()
