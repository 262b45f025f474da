"""Sign-up with double opt-in, confirmation, preferences and the archive, against a running server.

The confirmation email goes through the configured provider (here: outbox, the
.eml files digest writes instead of sending); the address joins the list only
when the link's button is pressed.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from digest.store.signups import lookup
from tests.serve.conftest import add_people, link, running
from tests.serve.helpers import first_link, outbox_messages, queue_settled, sent_for_real, submit

KEY = "signup-test-key-0123456789abcdefghij"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("signup")
    with running(root, DIGEST_SECRET_KEY=KEY, DIGEST_SIGNUPS_PER_IP="1000") as srv:
        yield srv


@pytest.fixture(autouse=True)
def fresh_session(server):  # type: ignore[no-untyped-def]
    server.session.cookies.clear()


def member(server, address: str):  # type: ignore[no-untyped-def]
    engine = server.engine()
    try:
        return lookup(engine, address)
    finally:
        engine.dispose()


def sign_up(server, address: str, **extra: str):  # type: ignore[no-untyped-def]
    fields = {"email": address, "language": "ko", "consent": "yes", **extra}
    return submit(server.session, server.url("/subscribe"), **fields)


def test_double_opt_in_confirms_only_on_post(server) -> None:  # type: ignore[no-untyped-def]
    answer = sign_up(server, "Hana@Example.org")
    assert answer.status_code == 200 and "받은편지함" in answer.text  # the page follows the chosen language
    assert member(server, "hana@example.org") is None  # unconfirmed: not on the list
    [message] = outbox_messages(server.root, "hana@example.org")
    assert "List-Unsubscribe" not in message or "/u/" not in str(message["List-Unsubscribe"])
    link = first_link(message, "/confirm/")
    for _ in range(2):  # a link scanner, then the person
        page = server.session.get(link)
        assert page.status_code == 200 and "<button" in page.text
    assert member(server, "hana@example.org") is None
    done = submit(server.session, link)
    assert done.status_code == 200 and "Location" not in done.headers
    row = member(server, "hana@example.org")
    assert row is not None and row.status == "active" and row.language == "ko"
    again = submit(server.session, link)  # pressed twice: nothing left to confirm, still subscribed
    assert again.status_code == 200 and member(server, "hana@example.org").status == "active"


def test_the_confirmation_follows_the_readers_language(server) -> None:  # type: ignore[no-untyped-def]
    """Signed up for the Korean email from a browser that prefers English: the confirmation email
    and the page behind its link are Korean, and both say so (Content-Language)."""
    server.session.headers["Accept-Language"] = "en-US,en;q=0.9"
    try:
        sign_up(server, "minji@example.org")
        [message] = outbox_messages(server.root, "minji@example.org")
        assert message["Content-Language"] == "ko" and "확인" in str(message["Subject"])
        confirm = first_link(message, "/confirm/")
        assert "minji" not in confirm
        page = server.session.get(confirm)
        assert page.headers["Content-Language"] == "ko" and 'lang="ko"' in page.text
        assert "신청 확인" in page.text
        english = server.session.get(confirm + "?lang=en")  # the page's own switch still works
        assert english.headers["Content-Language"] == "en" and "Confirm your sign-up" in english.text
        done = submit(server.session, confirm)
        assert done.headers["Content-Language"] == "ko"
        prefs = re.search(r'href="(/preferences/[^"]+)"', done.text).group(1)  # type: ignore[union-attr]
        assert server.session.get(server.url(prefs)).headers["Content-Language"] == "ko"
    finally:
        del server.session.headers["Accept-Language"]


def test_same_address_twice_gets_one_confirmation(server) -> None:  # type: ignore[no-untyped-def]
    for spelling in ("twice@example.org", "TWICE@example.org", " twice@example.org "):
        server.session.cookies.clear()
        assert sign_up(server, spelling).status_code == 200
    assert len(outbox_messages(server.root, "twice@example.org")) == 1


def test_already_subscribed_gets_the_same_answer_and_no_email(server) -> None:  # type: ignore[no-untyped-def]
    add_people(server, ("member@example.org", "en"))
    fresh = sign_up(server, "nobody-yet@example.org")
    known = sign_up(server, "member@example.org")
    assert known.status_code == fresh.status_code == 200
    assert known.text == fresh.text  # the form does not tell who is on the list
    assert outbox_messages(server.root, "member@example.org") == []


def test_honeypot_and_missing_consent_store_and_send_nothing(server) -> None:  # type: ignore[no-untyped-def]
    assert sign_up(server, "bot@example.org", website="https://spam.example").status_code == 200
    no_consent = submit(server.session, server.url("/subscribe"), email="shy@example.org", language="en")
    assert no_consent.status_code == 400 and 'aria-invalid="true"' in no_consent.text
    bad = sign_up(server, "not-an-address")
    assert bad.status_code == 400
    for address in ("bot@example.org", "shy@example.org"):
        assert member(server, address) is None and outbox_messages(server.root, address) == []


def test_posts_without_a_csrf_token_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    fields = {"email": "forged@example.org", "language": "en", "consent": "yes"}
    answer = server.session.post(server.url("/subscribe"), data=fields)
    assert answer.status_code == 400
    wrong = server.session.post(server.url("/subscribe"), data={**fields, "csrf_token": "x" * 40})
    assert wrong.status_code == 400
    forged = server.url(link(server, "confirm", "forged@example.org", KEY))
    assert server.session.post(forged).status_code == 400
    assert outbox_messages(server.root, "forged@example.org") == []
    assert member(server, "forged@example.org") is None


def test_forged_expired_and_foreign_confirm_links_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    good = link(server, "confirm", "late@example.org", KEY)
    assert server.session.get(server.url(good)).status_code == 200
    foreign = link(server, "confirm", "late@example.org", "another-key-entirely-000000000000000000")
    unsubscribe = link(server, "unsubscribe", "late@example.org", KEY).replace("/u/", "/confirm/")
    for path in (good[:-4], foreign, unsubscribe, good[:-1] + "!", "/confirm/" + "x" * 2000):
        assert server.session.get(server.url(path)).status_code == 404, path
    # A week after it was made the link has expired: the page says so (410) and confirms nothing.
    old = link(server, "confirm", "late@example.org", KEY, made=date(2020, 1, 1))
    answer = server.session.get(server.url(old))
    assert answer.status_code == 410 and "expired" in answer.text


def test_per_ip_rate_limit(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server(DIGEST_SECRET_KEY=KEY, DIGEST_SIGNUPS_PER_IP="3")
    codes = []
    for n in range(6):
        server.session.cookies.clear()
        codes.append(sign_up(server, f"flood{n}@example.org").status_code)
    assert codes == [200, 200, 200, 429, 429, 429]
    queue_settled(server.root)
    assert len(list((server.root / "var" / "outbox").rglob("flood*.eml"))) == 3


def test_preferences_change_language_and_resubscribe(server) -> None:  # type: ignore[no-untyped-def]
    add_people(server, ("prefs@example.org", "en"))
    url = server.url(link(server, "preferences", "prefs@example.org", KEY))
    assert submit(server.session, url, language="ko").status_code == 200
    assert member(server, "prefs@example.org").language == "ko"
    server.session.post(server.url(link(server, "unsubscribe", "prefs@example.org", KEY)))
    assert member(server, "prefs@example.org").status == "unsubscribed"
    page = submit(server.session, url, language="ko", resubscribe="yes")
    assert page.status_code == 200 and member(server, "prefs@example.org").status == "active"
    forged = link(server, "preferences", "prefs@example.org", "another-key-entirely-000000000000000000")
    assert server.session.get(server.url(forged)).status_code == 404
    # The unsubscribe link of the same address does not open the preferences page.
    other = link(server, "unsubscribe", "prefs@example.org", KEY).replace("/u/", "/preferences/")
    assert server.session.get(server.url(other)).status_code == 404
    assert server.session.post(url, data={"language": "en"}).status_code == 400  # no CSRF token
    assert member(server, "prefs@example.org").language == "ko"


def test_archive_shows_the_frozen_edition_without_tokens(make_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_SECRET_KEY=KEY)
    add_people(srv, ("reader@example.org", ""), ("other@example.kr", "ko"))
    [message] = sent_for_real(srv, "reader@example.org")
    view = first_link(message, "/archive/")
    listing = srv.session.get(srv.url("/archive"))
    assert listing.status_code == 200 and str(message["Subject"]) in listing.text
    page = srv.session.get(view)
    assert page.status_code == 200
    assert "'unsafe-inline'" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    for secret in ("reader@example.org", "other@example.kr", "/u/", "%%", KEY):
        assert secret not in page.text
    assert srv.session.get(srv.url("/archive/weekly%3A1999-W01")).status_code == 404
    # Issue 19: the public copy's "Unsubscribe" went to the sign-up page. It goes to a page that says
    # how to leave (with the link in one's own email), and so does "Manage preferences".
    footer = {a.text_content().strip(): a.get("href") for a in lxml.html.fromstring(page.text).iter("a")}
    assert footer["Unsubscribe"] == srv.url("/unsubscribe")
    assert footer["Manage preferences"] == srv.url("/unsubscribe#preferences")
    leave = srv.session.get(footer["Unsubscribe"])
    assert leave.status_code == 200 and "public copy of a digest" in leave.text
    assert "press “Unsubscribe” at the bottom of any digest in your inbox" in leave.text
    korean = srv.session.get(view + "?lang=ko")
    ko_footer = {a.text_content().strip(): a.get("href") for a in lxml.html.fromstring(korean.text).iter("a")}
    assert ko_footer["수신 거부"] == srv.url("/unsubscribe?lang=ko")
    assert "공개 사본" in srv.session.get(ko_footer["수신 거부"]).text
    # Each copy says its language (the Korean one went out to Korean readers of the edition).
    assert page.headers["Content-Language"] == "en" and korean.headers["Content-Language"] == "ko"
    assert '<html lang="ko"' in korean.text
