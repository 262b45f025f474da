"""A sign-up form on the organisation's own site, and the welcome after confirming (issue 22).

A plain HTML form on a site listed in DIGEST_SIGNUP_ORIGINS posts to `digest serve`'s /subscribe
without our CSRF token (a browser sends its ``Origin``); a form on any other site is refused
with 403 and sends nothing. Our own form still needs its token. Double opt-in, the honeypot and
the rate limits are the same. Confirming queues a welcome in the subscriber's language, linking
to the latest archived edition.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest
import requests

from digest.config.web_values import signup_origins
from digest.deliver.side_queue import drain, queue_welcome
from digest.store.signups import lookup
from digest.store.signups import unsubscribe as leave
from digest.unsubscribe import secret_key
from tests.serve.conftest import running
from tests.serve.helpers import first_link, hidden_fields, outbox_messages, queue_settled
from tests.serve.test_side_emails import outbox, side_mails, world  # noqa: F401 (the fixture)

ORG = "https://www.example.org"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("elsewhere")
    values = {"DIGEST_SIGNUP_ORIGINS": f"{ORG},https://example.org", "DIGEST_ADMIN_PASSWORD": PASSWORD}
    with running(root, DIGEST_SIGNUPS_PER_IP="1000", **values) as srv:
        yield srv


def from_site(server, origin: str, **fields: str) -> requests.Response:  # type: ignore[no-untyped-def]
    """What a browser sends for a plain form on ``origin``: no cookie of ours, no token."""
    data = {"email": "", "language": "en", "consent": "yes", "website": "", **fields}
    with requests.Session() as fresh:
        fresh.trust_env = False
        headers = {"Origin": origin, "Referer": origin + "/join"}
        return fresh.post(server.url("/subscribe"), data=data, headers=headers, allow_redirects=False)


def queued_for(server, address: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    queue_settled(server.root)
    engine = server.engine()
    try:
        return [row for row in side_mails(engine) if row[1] == address]
    finally:
        engine.dispose()


def test_a_form_on_a_listed_site_signs_up_with_double_opt_in(server) -> None:  # type: ignore[no-untyped-def]
    answer = from_site(server, ORG, email="Mina@Example.com")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == ORG and "Origin" in answer.headers["Vary"]
    assert "Set-Cookie" not in answer.headers or "login" not in answer.headers["Set-Cookie"]
    [message] = outbox_messages(server.root, "mina@example.com")
    assert "/confirm/" in first_link(message, "/confirm/")
    engine = server.engine()
    try:
        assert lookup(engine, "mina@example.com") is None  # nobody joins before pressing the button
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "http://www.example.org", "https://www.example.org.evil.example",
     "https://www.example.org:8443"],
)
def test_a_form_on_any_other_site_is_refused_and_sends_nothing(server, origin: str) -> None:  # type: ignore[no-untyped-def]
    address = f"other{abs(hash(origin)) % 10_000}@example.com"
    answer = from_site(server, origin, email=address)
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert queued_for(server, address) == [] and outbox_messages(server.root, address) == []


def test_our_own_form_still_needs_its_token(server) -> None:  # type: ignore[no-untyped-def]
    data = {"email": "own@example.com", "language": "en", "consent": "yes"}
    with requests.Session() as fresh:
        fresh.trust_env = False
        no_origin = fresh.post(server.url("/subscribe"), data=data)
        same_origin = fresh.post(server.url("/subscribe"), data=data, headers={"Origin": server.base})
    assert (no_origin.status_code, same_origin.status_code) == (400, 400)
    assert queued_for(server, "own@example.com") == []


def test_honeypot_and_consent_apply_to_a_form_elsewhere(server) -> None:  # type: ignore[no-untyped-def]
    bot = from_site(server, ORG, email="bot@example.com", website="https://spam.example")
    unticked = from_site(server, ORG, email="nocons@example.com", consent="")
    assert bot.status_code == 200 and unticked.status_code == 400
    assert queued_for(server, "bot@example.com") == [] and queued_for(server, "nocons@example.com") == []


def test_a_snippet_without_a_language_field_gets_the_readers_language(server) -> None:  # type: ignore[no-untyped-def]
    data = {"email": "nolang@example.com", "consent": "yes"}
    with requests.Session() as fresh:
        fresh.trust_env = False
        headers = {"Origin": "https://example.org", "Accept-Language": "ko-KR,ko;q=0.9"}
        answer = fresh.post(server.url("/subscribe"), data=data, headers=headers)
    assert answer.status_code == 200
    [message] = outbox_messages(server.root, "nolang@example.com")
    assert "확인해 주세요" in str(message["Subject"])


def test_per_address_limit_holds_for_forms_elsewhere(server) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert from_site(server, ORG, email="twice@example.com").status_code == 200
    assert len(outbox_messages(server.root, "twice@example.com")) == 1


def test_confirming_sends_a_welcome_in_the_subscribers_language(server) -> None:  # type: ignore[no-untyped-def]
    assert from_site(server, ORG, email="hana@example.com", language="ko").status_code == 200
    [confirm] = outbox_messages(server.root, "hana@example.com")
    link = first_link(confirm, "/confirm/")
    with requests.Session() as person:
        person.trust_env = False
        page = person.get(link)  # a mail scanner's GET confirms nothing and sends nothing
        assert queued_for(server, "hana@example.com") == [("confirm", "hana@example.com", "sent")]
        assert person.post(link, data=hidden_fields(page.text)).status_code == 200
        assert person.post(link, data=hidden_fields(page.text)).status_code == 200  # pressed twice
    messages = outbox_messages(server.root, "hana@example.com")
    assert len(messages) == 2, "one confirmation and one welcome"
    welcome = next(m for m in messages if "/confirm/" not in m.get_body(("plain",)).get_content())
    assert "환영합니다" in str(welcome["Subject"])
    text = welcome.get_body(("plain",)).get_content()
    assert "환영합니다" in text and f"\n{server.base}/archive\n" in text  # nothing sent yet: the archive
    for path in ("/preferences/", "/u/"):
        assert server.session.get(first_link(welcome, path)).status_code == 200


def pasted_snippets(server) -> dict[str, lxml.html.HtmlElement]:  # type: ignore[no-untyped-def]
    """The dashboard's snippets, each as the organisation's page would hold it once pasted."""
    with requests.Session() as volunteer:
        volunteer.trust_env = False
        login = volunteer.get(server.url("/admin/login")).text
        volunteer.post(server.url("/admin/login"), data={**hidden_fields(login), "password": PASSWORD})
        assert "/admin/signup-form" in volunteer.get(server.url("/admin")).text
        page = lxml.html.fromstring(volunteer.get(server.url("/admin/signup-form")).text)
    shown = page.xpath("//pre[@class='snippet']")
    codes = {pre.getprevious().get("lang"): pre.text_content() for pre in shown}
    return {lang: lxml.html.fromstring(html) for lang, html in codes.items()}


def test_the_dashboards_snippet_works_when_pasted_on_the_site(server) -> None:  # type: ignore[no-untyped-def]
    snippets = pasted_snippets(server)
    assert set(snippets) == {"en", "ko"}
    assert "csrf_token" not in lxml.html.tostring(snippets["en"]).decode()
    form = snippets["ko"]
    assert form.get("action") == server.base + "/subscribe" and "동의합니다" in form.text_content()
    fields = {i.get("name"): i.get("value") or "" for i in form.iter("input")}
    fields.update(email="pasted@example.com", consent="yes")  # what the person types and ticks
    assert from_site(server, ORG, **fields).status_code == 200
    [message] = outbox_messages(server.root, "pasted@example.com")
    assert "확인해 주세요" in str(message["Subject"])


def test_no_welcome_for_an_address_that_left_before_it_went_out(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from digest import subscribers

    settings, engine = world()
    key = secret_key(settings)
    for address in ("stays@example.org", "left@example.org"):
        subscribers.add(engine, address)
        queue_welcome(engine, address, "en", "https://news.example.org/archive/2026-W48", NOW)
    leave(engine, "left@example.org", NOW)
    assert drain(settings, engine, key, lambda: NOW) == 2
    assert side_mails(engine) == [("welcome", "stays@example.org", "sent")]
    [message] = outbox(settings, "stays@example.org")
    html = message.get_body(("html",)).get_content()
    assert "https://news.example.org/archive/2026-W48" in html and "Welcome" in str(message["Subject"])


def test_signup_origins_are_read_as_a_browser_writes_them() -> None:
    assert signup_origins("https://Example.org/, https://www.example.org:443, http://localhost:8000") == [
        "http://localhost:8000",
        "https://example.org",
        "https://www.example.org",
    ]
    for bad in ("*", "null", "http://example.org", "https://example.org/join", "example.org"):
        with pytest.raises(ValueError):
            signup_origins(bad)
