"""Fetching: public addresses only (every hop, the address actually connected to),
a total deadline, and the declared type and charset used together with the content."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import SourceOptions, load_sources, netguard
from digest.sources.fetch import fetch
from digest.sources.netguard import address_problem
from tests.fakes.web import Page, Site, serve

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PUBLIC = SourceOptions(timeout=5.0, max_bytes=500_000, site_url="https://example.org")
LOCAL = SourceOptions(timeout=5.0, max_bytes=500_000, site_url="https://example.org", allow_private=True)
FEED = (CORPUS / "feeds" / "rss_bad_dates.xml").read_bytes()

BLOCKED_NETWORKS = [
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
    "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4", "::1/128", "fe80::/10", "fc00::/7", "ff00::/8",
    "::ffff:127.0.0.0/104", "::ffff:10.0.0.0/104", "::ffff:169.254.0.0/112",
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(BLOCKED_NETWORKS).flatmap(lambda net: st.ip_addresses(network=net)))
def test_every_internal_address_class_is_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert address_problem(str(ip)) is not None


@pytest.mark.parametrize("ip", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(ip: str) -> None:
    assert address_problem(ip) is None


def test_metadata_address_is_named() -> None:
    assert address_problem("169.254.169.254") == "169.254.169.254 is a link-local or cloud-metadata address"


def test_loopback_is_refused_by_default_by_address_and_by_name() -> None:
    site = Site(pages={"/feed.xml": Page(FEED, "application/rss+xml")})
    with serve(site):
        port = site.base.rsplit(":", 1)[1]
        loaded = load_sources([site.url("/feed.xml"), f"http://localhost:{port}/feed.xml"], PUBLIC)
    assert loaded.articles == []
    assert len(loaded.problems) == 2
    for _source, problem in loaded.problems:
        assert "refused: 127.0.0.1 is a loopback address" in problem
        assert "DIGEST_FETCH_ALLOW_PRIVATE" in problem
    assert site.requests == []  # refused once connected, before a request was sent


def test_allow_private_reads_from_loopback() -> None:
    site = Site(pages={"/feed.xml": Page(FEED, "application/rss+xml")})
    with serve(site):
        loaded = load_sources([site.url("/feed.xml")], LOCAL)
    assert len(loaded.articles) == 6 and loaded.problems == []


def test_each_redirect_hop_is_checked_where_it_connects(monkeypatch: pytest.MonkeyPatch) -> None:
    # 127.0.0.1 stands in for a public server and 127.0.0.2 for an internal one.
    monkeypatch.setattr(netguard, "address_problem",
                        lambda host: f"{host} is internal" if host == "127.0.0.2" else None)
    inside = Site(pages={"/secret": Page(b"<html><title>Internal</title><p>secret</p></html>")})
    with serve(inside, host="127.0.0.2"):
        outside = Site(pages={
            "/go": Page(b"", status=302, location=inside.url("/secret")),
            "/feed.xml": Page(FEED, "application/rss+xml"),
        })
        with serve(outside):
            loaded = load_sources([outside.url("/go"), outside.url("/feed.xml")], PUBLIC)
    assert len(loaded.articles) == 6
    assert [p for _, p in loaded.problems] == [
        f"{outside.url('/go')}: refused: 127.0.0.2 is internal; "
        "set DIGEST_FETCH_ALLOW_PRIVATE=true only for an intranet you trust"
    ]
    assert inside.requests == []


def test_redirects_are_followed_to_a_limit_and_never_to_other_schemes() -> None:
    site = Site(pages={
        "/a": Page(b"", status=301, location="/b"),
        "/b": Page(b"", status=302, location="/feed.xml"),
        "/feed.xml": Page(FEED, "application/rss+xml"),
        "/file": Page(b"", status=302, location="file:///etc/passwd"),
        "/loop": Page(b"", status=302, location="/loop"),
    })
    with serve(site):
        got = fetch(site.url("/a"), timeout=5, max_bytes=500_000, allow_private=True)
        assert got.url == site.url("/feed.xml") and got.content == FEED
        with pytest.raises(SourceError, match="not an http"):
            fetch(site.url("/file"), timeout=5, max_bytes=500_000, allow_private=True)
        with pytest.raises(SourceError, match="more than 5 redirects"):
            fetch(site.url("/loop"), timeout=5, max_bytes=500_000, allow_private=True)


def test_the_timeout_is_a_deadline_for_the_whole_fetch() -> None:
    # two bytes every 0.4 s: each read is quick, the whole body would take 40 s
    site = Site(pages={"/slow": Page(b"<rss>" + b"x" * 200 + b"</rss>", "application/rss+xml", dribble=0.4)})
    opts = SourceOptions(timeout=1.5, max_bytes=500_000, site_url="https://example.org", allow_private=True)
    with serve(site):
        started = time.monotonic()
        loaded = load_sources([site.url("/slow")], opts)
        took = time.monotonic() - started
    assert took < 10.0, took  # cut at 1.5 s, not the 40 s body (slack for a loaded machine)
    assert [p for _, p in loaded.problems] == [
        f"{site.url('/slow')}: no answer within 1.5 s (DIGEST_FETCH_TIMEOUT)"
    ]


def test_declared_type_and_content_are_decided_together() -> None:
    bom_feed = (CORPUS / "feeds" / "rss_bom_comment.xml").read_bytes()
    xhtml = (CORPUS / "pages" / "xhtml_with_xml_declaration.html").read_bytes()
    site = Site(pages={
        "/feed": Page(bom_feed, "text/html; charset=utf-8"),
        "/page": Page(xhtml, "application/xml"),
    })
    with serve(site):
        loaded = load_sources([site.url("/feed"), site.url("/page")], LOCAL)
    assert loaded.problems == []
    feed_article, page_article = loaded.articles
    assert feed_article.title == "A good story" and feed_article.url == "https://example.org/good"
    assert ("labelled text/html but the content is an RSS/Atom feed; read as an RSS/Atom feed"
            in feed_article.warnings)
    assert page_article.title == "An XHTML page"
    assert any("labelled application/xml but the content is a web page" in w for w in page_article.warnings)


def test_the_charset_of_the_http_header_is_used_for_pages_and_feeds() -> None:
    korean_page = (CORPUS / "pages" / "euc_kr_undeclared.html").read_bytes()
    korean_feed = (CORPUS / "feeds" / "rss_euc_kr_undeclared.xml").read_bytes()
    latin_page = (CORPUS / "pages" / "latin1_undeclared.html").read_bytes()
    site = Site(pages={
        "/ko": Page(korean_page, "text/html; charset=EUC-KR"),
        "/ko.xml": Page(korean_feed, "application/rss+xml; charset=euc-kr"),
        "/fr": Page(latin_page, "text/html; charset=iso-8859-1"),
        "/ko-none": Page(korean_page, "text/html"),
    })
    with serve(site):
        loaded = load_sources([site.url(p) for p in ("/ko", "/ko.xml", "/fr", "/ko-none")], LOCAL)
    assert loaded.problems == []
    texts = [a.text for a in loaded.articles]
    assert "겨울 외투 나눔 행사" in texts[0] and "겨울 외투 나눔 행사" in texts[1]
    assert "déjà très impliqués" in texts[2]
    assert len(texts) == 4 and "겨울 외투 나눔 행사" in texts[3]
    assert not any("\ufffd" in t for t in texts)


def test_a_feed_served_as_plain_text_is_a_feed_and_a_plain_text_page_links_to_itself() -> None:
    site = Site(pages={
        "/feed.txt": Page(FEED, "text/plain"),
        "/note.txt": Page(b"A note from the office\nThe office is closed on Friday.\n", "text/plain"),
    })
    with serve(site):
        loaded = load_sources([site.url("/feed.txt"), site.url("/note.txt")], LOCAL)
    assert loaded.problems == []
    note = loaded.articles[-1]
    assert len(loaded.articles) == 7 and note.title == "A note from the office"
    assert note.url == site.url("/note.txt") and note.url_from == "fetched address" and note.warnings == ()
