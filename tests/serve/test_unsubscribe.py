"""One-click unsubscribe (RFC 8058) against a running `digest serve`.

GET never changes anything; POST (the mailbox's one-click body, multipart or
urlencoded, or the page's own form) unsubscribes at once with 200 and no redirect;
forged, truncated or foreign-key tokens get 404 and change nothing; the next send
leaves the address out. No link carries the address.
"""

from __future__ import annotations

import base64
import email
import email.policy
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.store.signups import lookup
from tests.serve.conftest import add_people, link, running

CSV = "email,name,language\nann@example.org,Ann,\nkim@example.kr,Kim,ko\n"
KEY = "unsubscribe-test-key-0123456789abcdef"
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):  # type: ignore[no-untyped-def]
    """One server for the tests that only need fresh addresses (starting one takes seconds)."""
    with running(tmp_path_factory.mktemp("serve"), DIGEST_SECRET_KEY=KEY) as srv:
        yield srv


def reset(server) -> None:  # type: ignore[no-untyped-def]
    from digest import subscribers

    engine = server.engine()
    try:
        for address in ("ann@example.org", "kim@example.kr"):
            subscribers.remove(engine, address)
    finally:
        engine.dispose()
    add_people(server, ("ann@example.org", ""), ("kim@example.kr", "ko"))


@pytest.fixture
def server(shared):  # type: ignore[no-untyped-def]
    """The shared server with ann@example.org and kim@example.kr (Korean) freshly subscribed."""
    reset(shared)
    shared.session.cookies.clear()
    return shared


def status(server, address: str) -> str:  # type: ignore[no-untyped-def]
    engine = server.engine()
    try:
        row = lookup(engine, address)
        return row.status if row else "absent"
    finally:
        engine.dispose()


def test_healthz_and_security_headers(server) -> None:  # type: ignore[no-untyped-def]
    answer = server.session.get(server.url("/healthz"))
    assert answer.status_code == 200 and answer.text == "ok\n"
    page = server.session.get(server.url(link(server, "unsubscribe", "ann@example.org", KEY)))
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "noindex" in page.headers["X-Robots-Tag"]


def test_get_shows_one_button_and_changes_nothing(server) -> None:  # type: ignore[no-untyped-def]
    url = server.url(link(server, "unsubscribe", "kim@example.kr", KEY))
    for _ in range(3):  # a link scanner, a preview pane, the person
        page = server.session.get(url)
        assert page.status_code == 200
    assert server.session.head(url).status_code == 200
    assert status(server, "kim@example.kr") == "active"
    html = page.text
    assert html.count("<button") == 1 and 'method="post"' in html
    assert 'lang="ko"' in html  # Kim reads Korean
    assert "kim@example.kr" not in html and "k***@example.kr" in html
    # The page links to this person's own preferences page, by a token of its own.
    prefs = re.search(r'href="(/preferences/[^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert prefs.removeprefix("/preferences/") != url.rpartition("/")[2]
    assert "kim" not in prefs and server.session.get(server.url(prefs)).status_code == 200


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_mailbox_one_click_post_unsubscribes_at_once(server, encoding: str) -> None:  # type: ignore[no-untyped-def]
    url = server.url(link(server, "unsubscribe", "ann@example.org", KEY))
    if encoding == "urlencoded":
        answer = server.session.post(
            url,
            data=ONE_CLICK,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
        )
    else:
        multipart = {"List-Unsubscribe": (None, "One-Click")}
        answer = server.session.post(url, files=multipart, allow_redirects=False)
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert "Set-Cookie" not in answer.headers
    assert status(server, "ann@example.org") == "unsubscribed"
    assert status(server, "kim@example.kr") == "active"
    again = server.session.post(url, data={"List-Unsubscribe": "One-Click"}, allow_redirects=False)
    assert again.status_code == 200  # a retried one-click is answered the same


def test_page_form_post_works_without_cookie_or_csrf_token(server) -> None:  # type: ignore[no-untyped-def]
    url = server.url(link(server, "unsubscribe", "kim@example.kr", KEY))
    form = server.session.get(url).text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    server.session.cookies.clear()
    answer = server.session.post(url, data=fields, allow_redirects=False)
    assert answer.status_code == 200 and "수신 거부되었습니다" in answer.text
    assert status(server, "kim@example.kr") == "unsubscribed"


def test_stale_key_and_unknown_paths_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    stale = link(server, "unsubscribe", "ann@example.org", "an-old-key-that-was-rotated-away-0000000")
    prefs = link(server, "preferences", "ann@example.org", KEY).replace("/preferences/", "/u/")
    for path in (stale, prefs, "/u/", "/u/" + "x" * 5000, "/u/YW5uQGV4YW1wbGUub3Jn", "/u/..", "/u/%00"):
        answer = server.session.post(server.url(path), data=ONE_CLICK, allow_redirects=False)
        assert answer.status_code in (400, 404), path
    assert status(server, "ann@example.org") == "active"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_forged_or_truncated_tokens_change_nothing(server, data) -> None:  # type: ignore[no-untyped-def]
    good = link(server, "unsubscribe", "ann@example.org", KEY).removeprefix("/u/")
    kind = data.draw(st.sampled_from(["truncate", "flip", "other-address"]))
    if kind == "truncate":
        token = good[: data.draw(st.integers(1, len(good) - 1))]
    elif kind == "flip":
        at = data.draw(st.integers(0, len(good) - 1))
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
        token = good[:at] + data.draw(st.sampled_from(alphabet.replace(good[at], ""))) + good[at + 1 :]
    else:  # Kim's id with Ann's day and signature
        mine = base64.urlsafe_b64decode(good[1:])
        kim = link(server, "unsubscribe", "kim@example.kr", KEY).removeprefix("/u/")
        kims = base64.urlsafe_b64decode(kim[1:])
        token = "t" + base64.urlsafe_b64encode(kims[:12] + mine[12:]).decode()
    answer = server.session.post(server.url("/u/" + token), data=ONE_CLICK, allow_redirects=False)
    assert answer.status_code == 404, token  # every character after the "t" carries 6 bits
    assert status(server, "ann@example.org") == "active"
    assert status(server, "kim@example.kr") == "active"


def reveals(url: str, address: str) -> bool:
    """Whether ``url`` carries ``address`` readably: as text, percent-encoded, or in base64 (any
    alignment) in one of its parts. A random token may well hold the letters "kim" by chance."""
    from urllib.parse import unquote

    if address.split("@")[0] + "@" in unquote(url).lower():
        return True
    for part in re.split(r"[/?&=#.]", url):
        for skip in range(4):
            chunk = part[skip:]
            try:
                raw = base64.urlsafe_b64decode(chunk + "=" * (-len(chunk) % 4))
            except ValueError:
                continue
            if address.split("@")[0].encode() + b"@" in raw.lower():
                return True
    return False


def test_email_links_point_here_and_the_next_send_honours_the_click(make_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "list.csv").write_text(CSV)
    public = "https://news.example.org"  # the proxy's address; the test talks to the server behind it
    server = make_server(DIGEST_SECRET_KEY=KEY, DIGEST_PUBLIC_URL=public)
    assert server.cli("subscribers", "import", "list.csv").returncode == 0
    sent = server.cli("send")
    assert sent.returncode == 0, sent.stderr
    eml = next((server.root / "var" / "outbox").rglob("kim@example.kr.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    header = str(message["List-Unsubscribe"])
    https = re.search(r"<(http[^>]+)>", header).group(1)  # type: ignore[union-attr]
    assert https.startswith(public + "/u/")
    assert message["List-Unsubscribe-Post"] == ONE_CLICK
    body = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert https in body.replace("&amp;", "&")  # the footer's visible link is the same page
    # No link names Kim; "Manage preferences" is a link of its own, to her preferences page.
    links = re.findall(r'href="([^"]+)"', body)
    assert not [u for u in links if reveals(u, "kim@example.kr")]
    manage = [u for u in links if "/preferences/" in u]
    assert len(manage) == 1 and manage[0] != https
    assert server.session.get(server.url(manage[0].removeprefix(public))).status_code == 200
    behind = server.url(https.removeprefix(public))
    assert server.session.post(behind, data=ONE_CLICK, allow_redirects=False).status_code == 200
    # A new period (daily instead of weekly) is the next edition; Kim is left out of it.
    again = server.cli("send", DIGEST_SCHEDULE="0 9 * * *", DIGEST_SEND_WHEN_EMPTY="true")
    assert again.returncode == 0, again.stderr
    names = sorted(p.name for p in (server.root / "var" / "outbox").rglob("*.eml"))
    assert names == ["ann@example.org.eml", "ann@example.org.eml", "kim@example.kr.eml"]


def test_one_click_is_offered_only_beside_an_https_link(make_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """RFC 8058: List-Unsubscribe-Post only with an https link; an http page is still listed."""
    (tmp_path / "list.csv").write_text(CSV)
    server = make_server(DIGEST_SECRET_KEY=KEY)  # DIGEST_PUBLIC_URL is the server's own http address
    assert server.cli("subscribers", "import", "list.csv").returncode == 0
    assert server.cli("send").returncode == 0
    eml = next((server.root / "var" / "outbox").rglob("ann@example.org.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert str(message["List-Unsubscribe"]).startswith("<" + server.url("/u/"))
    assert message["List-Unsubscribe-Post"] is None


def test_explicit_unsubscribe_url_wins_over_the_public_url(make_settings) -> None:  # type: ignore[no-untyped-def]
    both = make_settings(
        DIGEST_PUBLIC_URL="https://news.example.org/",
        DIGEST_UNSUBSCRIBE_URL="https://example.org/x?t={token}",
    )
    assert both.unsubscribe_template == "https://example.org/x?t={token}"
    assert make_settings(DIGEST_PUBLIC_URL="https://news.example.org/").unsubscribe_template == (
        "https://news.example.org/u/{token}"
    )
    assert make_settings().unsubscribe_template == ""
