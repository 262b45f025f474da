"""The pre-flight's link check against real local web servers: dead links (404, 410), a server
error, a redirect within the site, to another site and to a parked domain, a slow site cut by
the deadline, the loopback refused by the safe fetcher's rules, one request per link however
often it appears, and every finding only reported."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.compose.findings import REPORTED
from digest.compose.linkcheck import LinkCache, LinkOptions, check_links, edition_links, without_tracking
from digest.preview import build_preview
from digest.sources.fetch import NO_SUCH_HOST, Probe
from digest.store import open_store
from digest.store.ledger import Ledger
from digest.types import Post
from tests.fakes.web import Page, Site, serve

# Generous for a loaded 2-core machine: a sound local page must never look slow.
LOCAL = LinkOptions(timeout=3.0, deadline=20.0, allow_private=True)
PARKED = b"<html><body><h1>example-news.org</h1><p>This domain is for sale! Buy this domain today.</p></html>"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def one(found: list, url: str) -> str:  # type: ignore[type-arg]
    said = [f.message for f in found if url in f.message]
    assert len(said) == 1, (url, [f.message for f in found])
    return said[0]


def test_each_kind_of_broken_link_is_found_and_only_reported() -> None:
    parked = Site(pages={"/": Page(PARKED), "/new-home": Page(b"<p>The article, moved</p>")})
    with serve(parked, host="127.0.0.2"):
        site = Site(pages={
            "/ok": Page(b"<p>fine</p>"),
            "/gone": Page(b"gone", status=410),
            "/moved": Page(b"", status=301, location="/ok"),
            "/parked": Page(b"", status=302, location=parked.url("/")),
            "/elsewhere": Page(b"", status=302, location=parked.url("/new-home")),
            "/broken": Page(b"oops", status=500),
            "/robots": Page(b"no", status=403),
            "/slow": Page(b"late", delay=8.0),
        })
        with serve(site):
            urls = [site.url(p) for p in ("/ok", "/gone", "/missing", "/moved", "/parked", "/elsewhere",
                                          "/broken", "/robots", "/slow")]
            found = check_links(urls, LOCAL)
    assert {f.severity for f in found} == {REPORTED}
    assert {f.kind for f in found} == {"link"}
    assert "410 (gone)" in one(found, site.url("/gone")).removeprefix("dead link: ")
    assert one(found, site.url("/missing")).startswith("dead link:")
    assert "404 (not found)" in one(found, site.url("/missing"))
    assert "a parked domain ('domain is for sale' on the page)" in one(found, site.url("/parked"))
    assert "redirects to another site" in one(found, site.url("/elsewhere") + " ")
    assert "server error" in one(found, site.url("/broken"))
    assert "403" in one(found, site.url("/robots")) and "not checked" in one(found, site.url("/robots"))
    assert "no answer within 3 s" in one(found, site.url("/slow"))
    named = {u for f in found for u in re.findall(r"http://127\.0\.0\.1:\d+/\w+", f.message)}
    assert site.url("/ok") not in named and site.url("/moved") not in named  # fine, and moved within the site
    assert [f.message.startswith("dead link") for f in found][:2] == [True, True]  # dead ones first


def test_the_deadline_bounds_the_whole_check_and_names_the_setting() -> None:
    site = Site(pages={f"/s{n}": Page(b"late", delay=8.0) for n in range(12)})
    with serve(site):
        start = time.monotonic()
        found = check_links([site.url(f"/s{n}") for n in range(12)],
                            LinkOptions(timeout=5.0, deadline=1.0, allow_private=True))
        took = time.monotonic() - start
    assert took < 5.0, took  # the deadline, not one page's 8 s (nor 12 x 8 s)
    assert len(found) == 12 and all(f.message.startswith("link not checked") for f in found)
    # the links past the 8 being asked were never started: the deadline names its setting
    assert sum("DIGEST_LINK_CHECK_DEADLINE" in f.message for f in found) >= 4


def test_a_link_is_asked_once_per_edition_whatever_its_tracking() -> None:
    site = Site(pages={"/a": Page(b"ok")})
    cache = LinkCache()
    with serve(site):
        url = site.url("/a")
        urls = [url, url + "?utm_source=digest&utm_medium=email", url + "?utm_source=x&utm_medium=social"]
        assert check_links(urls, LOCAL, cache) == []
        assert check_links(urls, LOCAL, cache) == []  # the dashboard's second look
    assert [path for path, _ in site.requests] == ["/a"]
    assert without_tracking(url + "?id=3&utm_campaign=w48") == url + "?id=3"


def test_the_safe_fetchers_rules_apply_loopback_is_refused_by_default() -> None:
    site = Site(pages={"/a": Page(b"ok")})
    with serve(site):
        found = check_links([site.url("/a")], LinkOptions(timeout=1.0, deadline=3.0))
    assert "refused: 127.0.0.1 is a loopback address" in one(found, site.url("/a"))
    assert site.requests == []


def fake(answers: dict[str, Probe]):  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def ask(url: str, *, timeout: float, allow_private: bool) -> Probe:
        asked.append(url)
        return answers.get(url, Probe(url, problem="no route"))

    return ask, asked


def test_shortened_http_where_https_works_unknown_names_and_example_addresses() -> None:
    answers = {
        "https://bit.ly/3xYz": Probe("https://bit.ly/3xYz", 200, "https://news.example-ngo.net/story"),
        "http://news.example-ngo.net/a": Probe("http://news.example-ngo.net/a", 200, "http://news.example-ngo.net/a"),
        "https://news.example-ngo.net/a": Probe("https://news.example-ngo.net/a", 200, "https://news.example-ngo.net/a"),
        "https://gone.example-ngo.net/": Probe("https://gone.example-ngo.net/", problem=NO_SUCH_HOST),
    }
    ask, asked = fake(answers)
    urls = ["https://bit.ly/3xYz", "http://news.example-ngo.net/a", "https://gone.example-ngo.net/",
            "https://example.org/news/1", "https://www.example.com/x", "mailto:office@ngo.net"]
    found = check_links(urls, LOCAL, ask=ask)
    assert one(found, "https://bit.ly/3xYz").endswith("leads to https://news.example-ngo.net/story")
    assert any("http:// but https:// works: http://news.example-ngo.net/a" in f.message for f in found)
    assert one(found, "gone.example-ngo.net").startswith("dead link:")
    assert "reserved for examples" in one(found, "https://example.org/news/1")
    assert "reserved for examples" in one(found, "https://www.example.com/x")
    assert not any(u.startswith(("https://example.org", "https://www.example.com", "mailto")) for u in asked)


def test_the_links_of_the_email_and_the_posts_are_gathered_once() -> None:
    html = ('<p><a href="https://ngo.net/a?utm_source=digest">A</a> <img src="https://ngo.net/i.png" alt="x">'
            '<a href="https://ngo.net/u/preview">unsubscribe</a></p>')
    posts = [Post("mastodon", "a1", "A", "Read it https://ngo.net/a?utm_source=mastodon", 40, 500)]
    urls = edition_links(html, posts, skip=["https://ngo.net/u/preview"])
    assert urls == ["https://ngo.net/a?utm_source=digest", "https://ngo.net/i.png",
                    "https://ngo.net/a?utm_source=mastodon"]


@pytest.fixture
def setup(make_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(link: str, **values: str):  # type: ignore[no-untyped-def]
        folder = tmp_path / "content"
        folder.mkdir(exist_ok=True)
        (folder / "coats.md").write_text(
            f"---\ntitle: Winter coats for 40 children\nurl: {link}\n---\n"
            "We handed out forty coats this week. Volunteers sorted the sizes over two evenings.\n",
            encoding="utf-8",
        )
        settings = make_settings(DIGEST_SOURCES=str(folder), DIGEST_FETCH_ALLOW_PRIVATE="true",
                                 DIGEST_LINK_CHECK_TIMEOUT="2", **values)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return settings, Ledger(open_store(settings.db_url))

    return make


def test_preview_reports_an_article_linking_to_a_page_that_answers_404(setup, tmp_path: Path) -> None:
    site = Site(pages={})
    with serve(site):
        settings, ledger = setup(site.url("/news/coats"))
        result = build_preview(settings, ledger, tmp_path / "pv", now=NOW)
    dead = [f for f in result.report["findings"] if f["message"].startswith("dead link")]
    assert len(dead) == 1 and dead[0]["severity"] == "reported", result.report["findings"]
    assert "404 (not found)" in dead[0]["message"] and "/news/coats" in dead[0]["message"]
    assert result.ok  # reported: the send goes ahead
    assert any(w.startswith("dead link") for w in result.report["warnings"])
    assert "dead link" in (tmp_path / "pv" / "index.html").read_text(encoding="utf-8")
    assert [p for p, _ in site.requests].count("/news/coats") == 1


def test_preview_asks_nothing_when_the_link_check_is_off(setup, tmp_path: Path) -> None:
    site = Site(pages={})
    with serve(site):
        settings, ledger = setup(site.url("/news/coats"), DIGEST_LINK_CHECK="false")
        result = build_preview(settings, ledger, tmp_path / "pv", now=NOW)
    assert site.requests == []
    assert not [f for f in result.report["findings"] if f["message"].startswith("dead link")]


def test_a_machine_where_no_name_resolves_is_said_once_not_as_dead_links() -> None:
    urls = ["https://news.ngo.net/a", "https://partner.org/b", "https://ngo.net/c"]
    ask, _asked = fake({u: Probe(u, problem=NO_SUCH_HOST) for u in urls})
    [found] = check_links(urls, LOCAL, ask=ask)
    assert found.message.startswith("links not checked: none of the 3 links' host names resolves here")
    assert found.severity == REPORTED and "DIGEST_LINK_CHECK=false" in found.fix
    answers = {urls[0]: Probe(urls[0], problem=NO_SUCH_HOST), urls[1]: Probe(urls[1], 200, urls[1]),
               urls[2]: Probe(urls[2], 200, urls[2])}
    ask, _asked = fake(answers)
    assert [f.message for f in check_links(urls, LOCAL, ask=ask)] == [
        f"dead link: {urls[0]}: {NO_SUCH_HOST}"]


def test_a_name_that_does_not_exist_is_dead_and_a_temporary_dns_failure_is_not(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import socket

    from digest.sources.fetch import probe

    def resolve(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "gone.example-ngo.net":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert probe("https://gone.example-ngo.net/a", timeout=2).no_such_host
    busy = probe("https://busy.example-ngo.net/a", timeout=2)
    assert not busy.no_such_host and busy.problem.startswith("could not fetch")
