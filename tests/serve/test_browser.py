"""Browser tests of `digest serve` with Playwright driving the system Chromium (no download).

A supporter signs up, confirms through the link in the email maildev caught, receives
the next digest and unsubscribes with the page's button; a volunteer logs in, edits and
approves a post, and the local Mastodon fake receives the edited text. Every page (and
the email in the archive) is checked with axe-core at 375 and 1280 px: no serious or
critical violation.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from tests.delivery.test_maildev import maildev  # noqa: F401 (the fixture)
from tests.fakes.social_mastodon import FakeMastodon
from tests.preview.browser import chromium_path, launch_chromium
from tests.serve.conftest import REPO, running
from tests.serve.helpers import queue_settled

pytest.importorskip("playwright")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
WIDTHS = (375, 1280)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
        return bytes(response.read())


def mails_to(base: str, address: str) -> list[EmailMessage]:
    found = []
    for item in json.loads(get(base + "/email")):
        if any(t["address"] == address for t in item.get("to", [])):
            found.append(message_from_bytes(get(f"{base}/email/{item['id']}/source"), policy=default))
    return found  # type: ignore[return-value]


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    if chromium_path() is None:
        pytest.skip("no system Chromium (bash scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = launch_chromium(p)
        yield launched
        launched.close()


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
    fake.start()
    yield fake
    fake.stop()


# wait_for_function polls on a timer, not on animation frames: a page that is not in front (an
# earlier test's page still open) gets no frames, and under scripts/at-date.sh it waited forever.
POLL = 100
COUNTED = "(start) => document.querySelector('.counter').textContent.startsWith(start)"

def check_axe(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core in the page (evaluated: our CSP forbids injected script tags) at both widths."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (bash scripts/test.sh installs it)")
    source = AXE.read_text()
    page.wait_for_load_state()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.evaluate(source)
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
        )
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{label} at {width}px: {bad}"
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width + 1, f"{label} scrolls sideways at {width}px ({scroll}px wide)"


def shared_log_in(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Log ``page`` in at ``url`` (the log-in page, or a page that leads to it) with the shared password."""
    page.goto(url)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def test_supporter_and_volunteer_in_a_real_browser(browser, maildev, mastodon, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    smtp, mail_web = maildev
    settings = {
        "DIGEST_PROVIDER": "smtp",
        "DIGEST_SMTP_HOST": "127.0.0.1",
        "DIGEST_SMTP_PORT": str(smtp),
        "DIGEST_SMTP_SECURITY": "none",
        "DIGEST_ADMIN_PASSWORD": PASSWORD,
        "DIGEST_SOCIAL_PLATFORMS": "mastodon",
        "DIGEST_MASTODON_BASE_URL": mastodon.url,
        "DIGEST_MASTODON_TOKEN": "mtoken",
    }
    with running(tmp_path, **settings) as srv:
        page = browser.new_page()
        page.set_default_timeout(90_000)  # a loaded 2-core machine can take long to answer
        supporter(page, srv, mail_web)
        volunteer(page, srv, mastodon)
        page.close()


def supporter(page, srv, mail_web: str) -> None:  # type: ignore[no-untyped-def]
    address = "minji@example.kr"
    page.goto(srv.url("/subscribe?lang=ko"))
    check_axe(page, "subscribe")
    page.get_by_label("이메일 주소").fill(address)
    page.get_by_label("이메일 언어").select_option("ko")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="신청하기").click()
    page.get_by_role("heading", name="받은편지함을 확인해 주세요").wait_for()
    check_axe(page, "subscribe sent")
    queue_settled(srv.root)  # the confirmation goes out just after the answer
    [confirmation] = mails_to(mail_web, address)
    link = re.search(r"https?://\S+/confirm/\S+", confirmation.get_body(("plain",)).get_content()).group(0)  # type: ignore[union-attr]
    page.goto(link)
    check_axe(page, "confirm")
    page.get_by_role("button").first.click()
    page.get_by_role("heading", name="신청되었습니다").wait_for()
    check_axe(page, "confirmed")

    assert srv.cli("send").returncode == 0
    digest = [m for m in mails_to(mail_web, address) if "/u/" in str(m["List-Unsubscribe"] or "")]
    assert len(digest) == 1, "the confirmed supporter gets the next digest"
    unsubscribe = re.search(r"<(http[^>]+)>", str(digest[0]["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
    view = re.search(r"https?://\S+/archive/\S+", digest[0].get_body(("plain",)).get_content()).group(0)  # type: ignore[union-attr]
    page.goto(view)
    check_axe(page, "the email in the archive")
    page.goto(srv.url("/archive"))
    check_axe(page, "archive")

    page.goto(unsubscribe)
    check_axe(page, "unsubscribe")
    with page.expect_navigation():  # axe must run on the new page, not the one going away
        page.get_by_role("link", name=re.compile("언어")).click()
    check_axe(page, "preferences")
    page.go_back()
    page.get_by_role("button", name="수신 거부하기").click()
    page.get_by_role("heading", name="수신 거부되었습니다").wait_for()
    check_axe(page, "unsubscribed")
    assert address in srv.cli("subscribers", "list", "--status", "unsubscribed").stdout
    # The mailbox's own one-click request, from the browser's HTTP client: no cookie, no token.
    answer = page.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"}, max_redirects=0)
    assert answer.status == 200


def volunteer(page, srv, mastodon: FakeMastodon) -> None:  # type: ignore[no-untyped-def]
    page.goto(srv.url("/admin"))
    check_axe(page, "log-in")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    check_axe(page, "dashboard")
    box = page.locator("textarea").first
    original = box.input_value()
    link = re.search(r"https?://\S+", original).group(0)  # type: ignore[union-attr]
    counter = page.locator(".counter").first
    before = counter.inner_text()
    box.fill(f"Edited in the browser: thank you, volunteers! {link}")
    # The counter followed the typing, with the server's count (every link 23 on Mastodon).
    changed = "(old) => document.querySelector('.counter').textContent !== old"
    page.wait_for_function(changed, arg=before, polling=POLL)
    expected = len("Edited in the browser: thank you, volunteers! ") + 23
    assert counter.inner_text().startswith(f"{expected} / 500")
    with page.expect_navigation():  # the dashboard again, after the approval is saved
        page.get_by_role("button", name=re.compile("^Approve")).first.click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    published = srv.cli("social", "publish")
    assert published.returncode == 0, published.stdout + published.stderr
    texts = [s["content"] for s in mastodon.statuses]
    assert len(texts) == 1 and "Edited in the browser" in texts[0], texts


def test_the_accessibility_check_itself_catches_problems(browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.set_content('<html lang="en"><body><main><input type="text"><button></button></main></body></html>')
    with pytest.raises(AssertionError) as caught:
        check_axe(page, "a bad page")
    assert "label" in str(caught.value) and "button-name" in str(caught.value)
    page.close()


def test_the_framed_preview_runs_under_its_policy_in_a_real_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    """/admin frames /admin/preview: the browser loads it, its script runs (it sizes the email
    frames), and no Content-Security-Policy violation is reported."""
    with running(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD) as srv:
        page = browser.new_page()
        complaints: list[str] = []
        page.on("console", lambda m: complaints.append(m.text) if "Security Policy" in m.text else None)
        page.goto(srv.url("/admin"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Dashboard").wait_for()
        framed = page.frame_locator("iframe.preview")
        framed.locator("#frame-600").wait_for(timeout=60000)
        page.wait_for_timeout(1500)
        heights = framed.locator("#frame-600").evaluate("f => f.style.height")
        assert heights.endswith("px"), heights  # set by the dashboard's own (hashed) script
        email = framed.frame_locator("#frame-600").locator("body")
        assert len(email.inner_text()) > 200
        assert complaints == [], complaints
        page.close()


def test_the_counter_counts_as_the_server_does_and_actions_say_what_happened(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    """An X post: the live counter is the server's own count (a 300-character address counts 23,
    so "too long" never shows for a post the server takes, and shows when X would refuse it); a
    refused save brings its error into view; Approve and Skip say what happened."""
    from tests.fakes.social_x import FakeX

    x = FakeX()
    x.start()
    settings = {
        "DIGEST_ADMIN_PASSWORD": PASSWORD,
        "DIGEST_SOCIAL_PLATFORMS": "x",
        "DIGEST_X_BASE_URL": x.url,
        "DIGEST_X_API_KEY": "ck",
        "DIGEST_X_API_SECRET": "cs",
        "DIGEST_X_ACCESS_TOKEN": "at",
        "DIGEST_X_ACCESS_SECRET": "as",
    }
    try:
        with running(tmp_path, **settings) as srv:
            assert srv.cli("send").returncode == 0
            page = browser.new_page()
            page.set_default_timeout(90_000)
            # The counter's script is held back until the volunteer has typed: on a busy machine
            # the page shows (and takes typing) before its script has run, which once lost the count.
            held: list = []  # type: ignore[type-arg]
            page.route("**/static/admin.js", lambda route: held.append(route))
            page.goto(srv.url("/admin"))
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("heading", name="Dashboard").wait_for()
            cards = page.locator(".card")
            assert cards.count() >= 2
            first = cards.nth(0)
            box = first.locator("textarea")
            link = re.search(r"https?://\S+", box.input_value()).group(0)  # type: ignore[union-attr]
            counter = first.locator(".counter")

            # 240 characters of text, a long address and a bare domain: X counts 240 + 1 + 23 + 1 + 23.
            fits = "a" * 240 + f" {link}{'/' + 'x' * 200 if '?' not in link else '&k=' + 'x' * 200} hope.kr"
            box.fill(fits)
            while not held:
                page.wait_for_timeout(50)
            held[0].continue_()
            page.unroute("**/static/admin.js")
            page.wait_for_function(COUNTED, arg="288 /", polling=POLL)
            assert "too long" in counter.inner_text()  # 288 > 280: X would refuse it
            fits = "a" * 200 + f" {link} hope.kr"
            box.fill(fits)
            page.wait_for_function(COUNTED, arg="248 /", polling=POLL)
            assert "too long" not in counter.inner_text()  # a grapheme count would have said 250+
            check_axe(page, "dashboard with a live count")

            box.fill("a" * 300 + f" {link}")
            first.get_by_role("button", name=re.compile("^Save")).click()
            error = page.locator("[data-refused]")
            error.wait_for()
            assert "too long" in error.inner_text()
            page.wait_for_function(
                "() => { const r = document.querySelector('[data-refused]').getBoundingClientRect();"
                " return r.top >= 0 && r.bottom <= window.innerHeight; }",
                polling=POLL,
            )  # the refusal is in view, not at the top of a long page
            check_axe(page, "dashboard with a refused save")

            box = page.locator(".card").nth(0).locator("textarea")
            box.fill(f"Winter coats for every child. {link}")
            page.locator(".card").nth(0).get_by_role("button", name=re.compile("^Approve")).click()
            page.get_by_role("heading", name="Dashboard").wait_for()
            approved = page.locator(".card").nth(0)
            assert "approved, waiting to be published" in approved.locator("h3").inner_text()
            assert "approved, waiting to be published" in approved.get_by_role("status").inner_text()

            second = page.locator(".card").nth(1)
            second_id = second.get_attribute("id")
            second.get_by_role("button", name=re.compile("^Skip")).click()
            page.get_by_role("heading", name="Dashboard").wait_for()
            assert page.locator(f"#{second_id}").count() == 0
            assert "skipped" in page.locator("#posts + [role=status]").inner_text()
            check_axe(page, "dashboard after approve and skip")
            page.close()
    finally:
        x.stop()
