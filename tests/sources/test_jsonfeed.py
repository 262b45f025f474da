"""JSON Feed 1.0 and 1.1, from a file and from a server: read like any other feed, with the same
guards (one broken item never stops the rest, fields that cannot be used are dropped)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.cli.context import Context
from digest.sources import SourceOptions, load_sources
from digest.sources.fields import FieldReader
from digest.sources.jsonfeed import parse_json_feed
from digest.sources.registry import decide
from tests.fakes.web import Page, Site, serve

LOCAL = SourceOptions(timeout=5.0, max_bytes=200_000, site_url="https://example.org", allow_private=True)
BODY = ("Volunteers from the resettlement centre met on Saturday to plan the winter coat drive, "
        "and the new language teachers joined them for the first time this season.")


def feed(version: str, items: list[Any], **top: Any) -> bytes:
    return json.dumps({"version": f"https://jsonfeed.org/version/{version}", "title": "News",
                       "items": items, **top}, ensure_ascii=False).encode()


VERSION_1_1 = feed("1.1", [
    {"id": "coats", "url": "https://example.org/news/coats", "title": "Winter coats",
     "content_html": f"<p>{BODY}</p><script>alert(1)</script>", "content_text": "not used",
     "summary": "not used either", "date_published": "2026-11-23T09:00:00+09:00",
     "authors": [{"name": "Staff"}, {"name": "Kim"}], "image": "https://example.org/coats.jpg",
     "language": "en-GB"},
    {"id": "classes", "external_url": "https://partner.example.com/classes", "title": "Classes start",
     "content_text": "Evening classes start next week.\n\nThey are free.",
     "date_modified": "2026-11-24T08:00:00Z"},
], authors=[{"name": "Feed Team"}], language="ko", home_page_url="https://example.org/")

VERSION_1_0 = feed("1", [
    {"id": 17, "url": "https://example.org/news/library", "title": "The library reopens",
     "content_text": BODY, "date_published": "2026-11-20T10:00:00-05:00",
     "author": {"name": "Lee", "url": "https://example.org/lee"}, "banner_image": "https://example.org/b.jpg"},
    {"id": "no-author", "url": "https://example.org/news/summary", "summary": "Only a summary of the story."},
], author={"name": "Feed Editor"})


def read(data: bytes, base: str = ""):  # type: ignore[no-untyped-def]
    return parse_json_feed(data, "feed.json", base=base)


def test_version_1_1_items_become_articles_field_by_field() -> None:
    (coats, classes), problems = read(VERSION_1_1)
    assert problems == []
    assert coats.id == "guid:coats" and coats.title == "Winter coats"
    assert coats.url == "https://example.org/news/coats" and coats.url_from == "feed"
    assert coats.text == BODY and "<script>" in coats.html  # the renderer sanitises, as for RSS
    assert coats.published == datetime(2026, 11, 23, 9, tzinfo=timezone(timedelta(hours=9)))
    assert coats.date_from == "feed (published)"
    assert coats.author == "Staff, Kim" and coats.image == "https://example.org/coats.jpg"
    assert coats.language == "en-GB" and coats.warnings == ()
    # no url: the external one; no html: the plain text; no date_published: date_modified
    assert classes.url == "https://partner.example.com/classes"
    assert classes.text == "Evening classes start next week.\n\nThey are free." and classes.html == ""
    assert classes.published == datetime(2026, 11, 24, 8, tzinfo=UTC)
    assert classes.date_from == "feed (updated)"
    assert classes.author == "Feed Team" and classes.language == "ko"  # the feed's, when the item has none


def test_version_1_0_author_object_number_id_banner_and_summary() -> None:
    (library, summary), problems = read(VERSION_1_0)
    assert problems == []
    assert library.id == "guid:17" and library.author == "Lee" and library.image == "https://example.org/b.jpg"
    assert library.published == datetime(2026, 11, 20, 15, tzinfo=UTC)
    assert library.language == ""
    assert summary.text == "Only a summary of the story." and summary.author == "Feed Editor"
    assert summary.title == "Only a summary of the story."  # no title: the start of the text, as for RSS
    assert summary.published is None and summary.date_from == ""


def test_one_broken_item_never_stops_the_rest() -> None:
    items: list[Any] = [
        "not an object",
        {"id": "empty", "title": "Nothing to say"},
        {"id": "nothing"},
        {"id": "bad-fields", "title": ["a", "list"], "url": "javascript:alert(1)",
         "content_html": f"<p>{BODY}</p>",
         "date_published": "0000-00-00T00:00:00Z", "date_modified": "10000-01-01T00:00:00Z",
         "image": {"url": "x"}, "authors": "Plain Name", "language": "english please"},
        {"id": "good", "url": "https://example.org/good", "title": "A good story", "content_text": BODY,
         "date_published": "Mon, 23 Nov 2026 09:00:00 +0000"},
    ]
    articles, problems = read(feed("1.1", items))
    assert problems == [
        ("feed.json entry 1", "not a JSON object (str)"),
        ("feed.json entry 2", "'Nothing to say' has no text"),
        ("feed.json entry 3", "the entry has neither a title nor text"),
    ]
    bad, good = articles
    assert bad.title == BODY[:80] and bad.url == "" and bad.url_from == "homepage"
    assert bad.published is None and bad.image == "" and bad.language == "" and bad.author == "Plain Name"
    assert bad.warnings == (
        "title \"['a', 'list']\" dropped: not text",
        "url 'javascript:alert(1)' dropped: not an http(s) address",
        "published date '0000-00-00T00:00:00Z' dropped: not a usable date",
        "updated date '10000-01-01T00:00:00Z' dropped: not a usable date",
        "image \"{'url': 'x'}\" dropped: not text",
        "language 'english please' dropped: not a language tag such as en or ko",
        "no link; it links to the homepage (DIGEST_SITE_URL)",
    )
    assert good.published == datetime(2026, 11, 23, 9, tzinfo=UTC) and good.warnings == ()


@pytest.mark.parametrize("raw", ["2026-11-23T09:00:00Z", "2026-11-23T09:00:00.123+09:00", "2026-11-23",
                                 "Mon, 23 Nov 2026 09:00:00 +0000", "0000-00-00 00:00:00", "2026-13-45",
                                 "Tue, 31 Feb 2026 10:00:00 GMT", "9999-12-31T23:59:59Z", "1700000000"])
def test_dates_are_parsed_and_guarded_as_everywhere_else(raw: str) -> None:
    expected = FieldReader()
    want = expected.date(raw, "published date")
    (article,), _ = read(feed("1.1", [{"id": "d", "content_text": BODY, "date_published": raw}]))
    assert article.published == want
    assert [w for w in article.warnings if "date" in w] == expected.warnings


def test_relative_addresses_resolve_against_the_fetched_address_or_the_home_page() -> None:
    data = feed("1.1", [{"id": "r", "url": "/news/r", "image": "img/r.jpg", "content_text": BODY}],
                home_page_url="https://example.org/blog/")
    (article,), _ = read(data)
    assert article.url == "https://example.org/news/r" and article.image == "https://example.org/blog/img/r.jpg"
    (fetched,), _ = read(data, base="https://mirror.example.net/feeds/feed.json")
    assert fetched.url == "https://mirror.example.net/news/r"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
         "not a readable JSON Feed (Expecting value"),
        (b'{"title": "no version", "items": []}', 'not a JSON Feed (no "version"'),
        (b'["https://jsonfeed.org/version/1.1"]', 'not a JSON Feed (no "version"'),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {"a": 1}}', '"items" is not a list'),
        (b"\xff\xfe\x00garbage", "not a readable JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
         "not a readable JSON Feed (RecursionError)"),
        (b'{"version": "https://jsonfeed.org/version/1", "n": ' + b"9" * 5000 + b"}",
         "not a readable JSON Feed (ValueError)"),
    ],
    ids=["truncated", "no-version", "not-an-object", "items-object", "not-unicode", "deep", "long-number"],
)
def test_a_file_that_is_no_json_feed_is_one_problem(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(data)
    loaded = load_sources([str(path)], LOCAL)
    assert loaded.articles == []
    ((where, message),) = loaded.problems
    assert where == str(path) and message.startswith(f"{path}: ") and problem in message
    assert "\n" not in message


def test_a_folder_reads_json_feeds_beside_markdown_and_keeps_going_past_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(f"---\ntitle: A note\n---\n{BODY}\n", encoding="utf-8")
    (tmp_path / "news.json").write_bytes(VERSION_1_1)
    (tmp_path / "old.json").write_bytes(VERSION_1_0)
    (tmp_path / "settings.json").write_text('{"theme": "dark"}', encoding="utf-8")
    loaded = load_sources([str(tmp_path)], LOCAL)
    assert sorted(a.title for a in loaded.articles) == sorted(
        ["A note", "Winter coats", "Classes start", "The library reopens", "Only a summary of the story."])
    assert [(Path(s).name, p.split(": ", 1)[1]) for s, p in loaded.problems] == [
        ("settings.json", 'not a JSON Feed (no "version": "https://jsonfeed.org/version/1.1")')]


def test_a_file_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(feed("1.1", [{"id": str(n), "content_text": BODY} for n in range(2000)]))
    loaded = load_sources([str(path)], SourceOptions(max_bytes=100_000, site_url="https://example.org"))
    assert loaded.articles == [] and "over DIGEST_FETCH_MAX_BYTES (100000)" in loaded.problems[0][1]


def test_served_feeds_are_read_by_type_or_by_content() -> None:
    escaped = VERSION_1_1.replace(b"/", b"\\/")  # PHP's encoder escapes every slash
    ordered = json.dumps(json.loads(VERSION_1_0), sort_keys=True).encode()  # "version" after "items"
    site = Site(pages={
        "/feed.json": Page(VERSION_1_1, "application/feed+json"),
        "/api": Page(escaped, "application/json; charset=utf-8"),
        "/plain": Page(ordered, "text/plain"),
        "/untyped": Page(VERSION_1_0, ""),
        "/not-a-feed": Page(b'{"status": "ok"}', "application/json"),
        "/mislabelled": Page(b"not json at all", "application/feed+json"),
    })
    with serve(site):
        got = {path: load_sources([site.url(path)], LOCAL) for path in site.pages}
    for path in ("/feed.json", "/api", "/plain", "/untyped"):
        assert got[path].problems == [], path
    assert [a.url for a in got["/feed.json"].articles] == [a.url for a in got["/api"].articles] == [
        "https://example.org/news/coats", "https://partner.example.com/classes"]
    assert got["/feed.json"].articles[0].warnings == ()
    assert "labelled text/plain but the content is a JSON Feed; read as a JSON Feed" in (
        got["/plain"].articles[0].warnings)
    assert [a.title for a in got["/untyped"].articles] == [
        "The library reopens", "Only a summary of the story."]
    assert got["/not-a-feed"].articles == [] and len(got["/not-a-feed"].problems) == 1
    assert got["/mislabelled"].problems[0][1].endswith("not a readable JSON Feed (Expecting value at line 1, "
                                                        "column 1)")


def test_a_served_feed_over_the_size_cap_is_refused_by_the_fetcher() -> None:
    big = feed("1.1", [{"id": str(n), "content_text": BODY} for n in range(2000)])
    site = Site(pages={"/feed.json": Page(big, "application/feed+json")})
    opts = SourceOptions(timeout=5.0, max_bytes=100_000, site_url="https://example.org", allow_private=True)
    with serve(site):
        loaded = load_sources([site.url("/feed.json")], opts)
    assert loaded.articles == [] and "DIGEST_FETCH_MAX_BYTES" in loaded.problems[0][1]


def test_a_served_feed_on_a_private_address_is_refused_by_default() -> None:
    site = Site(pages={"/feed.json": Page(VERSION_1_1, "application/feed+json")})
    with serve(site):
        loaded = load_sources([site.url("/feed.json")], SourceOptions(site_url="https://example.org"))
    assert loaded.articles == [] and "refused: 127.0.0.1 is a loopback address" in loaded.problems[0][1]
    assert site.requests == []


def test_decisions_for_json() -> None:
    assert decide(VERSION_1_1, suffix=".json").reader == "json feed"
    assert decide(VERSION_1_1, content_type="application/feed+json").reason == (
        "application/feed+json: read as a JSON Feed")
    assert decide(VERSION_1_1, content_type="application/json").reason == (
        "application/json; the content is a JSON Feed")
    # JSON that is no feed keeps going where it went before: a page, which has no text
    assert decide(b'{"a": 1}', content_type="application/json").reader == "page"
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>'
    assert decide(rss, content_type="application/feed+json").reader == "feed"


NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def test_digest_sources_shows_the_declared_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "news.json").write_bytes(feed("1.1", [
        {"id": "a", "url": "https://example.org/a", "title": "Coats", "content_text": BODY,
         "date_published": "2026-11-25T09:00:00Z", "language": "en"},
        {"id": "b", "url": "https://example.org/b", "title": "Classes", "content_text": BODY,
         "date_published": "2026-11-24T09:00:00Z"},
    ]))
    env = tmp_path / ".env"
    env.write_text(f"DIGEST_SOURCES={content}\nDIGEST_DATA_DIR={tmp_path / 'var'}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    assert main(["--env-file", str(env), "sources", "--json"]) == 0
    facts = {a["title"]: a for a in json.loads(capsys.readouterr().out)["articles"]}
    assert facts["Coats"]["language"] == "en" and facts["Classes"]["language"] == ""
    assert facts["Coats"]["date_from"] == "feed (published)"
    assert main(["--env-file", str(env), "sources"]) == 0
    out = capsys.readouterr().out
    assert "date: 2026-11-25T09:00:00+00:00 (from feed (published)); author: -; language: en" in out
    assert "date: 2026-11-24T09:00:00+00:00 (from feed (published)); author: -\n" in out
