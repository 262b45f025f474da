"""Hypothesis fuzzing of every reader: no exception escapes, bad items are skipped with a reason,
fields that cannot be read are dropped (so what leaves the sources never raises further on)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.links import url_problem, with_utm
from digest.sources import SourceOptions, load_sources
from digest.sources.feeds import parse_feed
from digest.sources.fields import EARLIEST_YEAR, LATEST_YEAR, FieldReader
from digest.sources.files import read_markdown_file
from digest.sources.jsonfeed import parse_json_feed
from digest.sources.pages import article_from_page
from digest.sources.registry import decide
from digest.types import Article, article_identity

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEEDS = sorted(p.read_bytes() for p in CORPUS.rglob("*") if p.is_file() and p.stat().st_size < 20_000)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hosts = st.one_of(
    st.sampled_from(["example.org", "café..example", "[object Object]", "[example.org", "[::1", "a..b",
                     "xn--", "-bad-.org", "例え.テスト", "exa mple.org", "", ".", "x" * 70 + ".org",
                     "example.org:99999", "example.org:-1", "[::1]:80", "user@example.org"]),
    st.text(max_size=30),
)
urls = st.one_of(
    st.builds(lambda scheme, host, path: f"{scheme}{host}{path}",
              st.sampled_from(["http://", "https://", "HTTP://", "javascript:", "", "//", "ftp://"]),
              hosts, st.text(max_size=20)),
    st.text(max_size=60),
)
dates = st.one_of(
    st.sampled_from(["0000-00-00 00:00:00", "Mon, 01 Jan 0000 00:00:00 +0000", "10000-01-01T00:00:00Z",
                     "2026-13-45", "9999-12-31T23:59:59+14:00", "0001-01-01", "Tue, 31 Feb 2026 10:00:00 GMT",
                     "2026-11-20", "Mon, 23 Nov 2026 09:00:00 +0000", "", "NaN", "-1"]),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}T00:00:00Z",
              st.integers(0, 99999), st.integers(0, 99), st.integers(0, 99)),
    st.text(max_size=30),
)
texts = st.text(min_size=0, max_size=80)


def assert_safe(article: Article) -> None:
    """What every later stage relies on: usable links, real dates, one-line warnings."""
    assert article.url == "" or url_problem(article.url) is None, article.url
    assert article.image == "" or url_problem(article.image) is None, article.image
    if article.published is not None:
        assert article.published.tzinfo is not None
        assert EARLIEST_YEAR <= article.published.year <= LATEST_YEAR
    assert all("\n" not in w for w in article.warnings)
    with_utm(article.url, source="x", medium="social", campaign="c")  # must not raise
    article_identity(None, article.url or None, article.title, article.text)


def rss_item(title: str, link: str, guid: str, date: str, image: str, body: str) -> str:
    return (f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f"<guid>{escape(guid)}</guid><pubDate>{escape(date)}</pubDate>"
            f"<dc:date>{escape(date)}</dc:date><media:content url={quoteattr(image)} medium=\"image\"/>"
            f"<description>{escape(body)}</description></item>")


@FUZZ
@given(st.lists(st.tuples(texts, urls, texts, dates, urls, texts), min_size=1, max_size=6))
def test_structured_feed_items_never_escape(items: list[tuple[str, ...]]) -> None:
    xml = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
           'xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           "<channel><title>f</title>" + "".join(rss_item(*i) for i in items) + "</channel></rss>")
    # XML 1.0 cannot carry most control characters; a feed with them is a malformed feed
    try:
        articles, problems = parse_feed(xml.encode("utf-8", "surrogatepass"), "fuzz")
    except SourceError:
        return
    assert len(articles) + len(problems) <= len(items)
    for where, problem in problems:
        assert where.startswith("fuzz entry ") and problem.strip()
    for article in articles:
        assert_safe(article)


# Any JSON value where a field is expected: JSON Feed items come from other programs too.
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=6,
)
json_items = st.one_of(
    st.fixed_dictionaries({}, optional={
        "id": st.one_of(texts, st.integers(), json_values), "title": st.one_of(texts, json_values),
        "url": urls, "external_url": urls, "image": st.one_of(urls, json_values), "banner_image": urls,
        "content_html": st.one_of(texts, json_values), "content_text": texts, "summary": texts,
        "date_published": st.one_of(dates, json_values), "date_modified": dates,
        "authors": json_values, "author": json_values, "language": st.one_of(texts, json_values),
    }),
    json_values,
)


@FUZZ
@given(st.lists(json_items, max_size=6), json_values, urls)
def test_structured_json_feed_items_never_escape(items: list[Any], authors: Any, home: str) -> None:
    document = {"version": "https://jsonfeed.org/version/1.1", "items": items, "authors": authors,
                "home_page_url": home, "language": authors}
    data = json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    articles, problems = parse_json_feed(data, "fuzz")
    assert len(articles) + len(problems) <= len(items)
    for where, problem in problems:
        assert where.startswith("fuzz entry ") and problem.strip() and "\n" not in problem
    for article in articles:
        assert_safe(article)
        assert article.text.strip()


@FUZZ
@given(texts, urls, dates, urls, texts)
def test_structured_front_matter_never_escapes(
    title: str, url: str, date: str, image: str, guid: str
) -> None:
    front = yaml.safe_dump({"title": title, "url": url, "date": date, "image": image, "guid": guid},
                           allow_unicode=True)
    data = f"---\n{front}---\nBody of the article.\n".encode("utf-8", "surrogatepass")
    try:
        article = read_markdown_file(data, Path("fuzz.md"), "https://example.org")
    except SourceError as exc:
        assert str(exc).startswith("fuzz.md: ")
        return
    assert_safe(article)


@FUZZ
@given(texts, urls, dates, urls, urls)
def test_structured_page_metadata_never_escapes(title: str, canonical: str, date: str, image: str,
                                                 fetched: str) -> None:
    head = (f"<title>{escape(title)}</title><link rel=\"canonical\" href={quoteattr(canonical)}>"
            f"<meta property=\"og:image\" content={quoteattr(image)}>"
            f"<meta property=\"article:published_time\" content={quoteattr(date)}>"
            f"<script type=\"application/ld+json\">{{\"datePublished\": {quoteattr(date)}}}</script>")
    body = "<p>" + "Volunteers planned the winter coat drive at the centre on Saturday. " * 4 + "</p>"
    html = f"<html><head>{head}</head><body><article>{body}<time datetime={quoteattr(date)}>x</time>"
    html += "</article></body></html>"
    try:
        article = article_from_page(html.encode("utf-8", "surrogatepass"), url=fetched, source="fuzz",
                                    site_url="https://example.org")
    except SourceError:
        return
    assert_safe(article)


def mutate(seed: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    data = seed
    for start, length, insert in cuts:
        start %= max(len(data), 1)
        data = data[:start] + insert + data[start + length:]
    return data


@FUZZ
@given(st.sampled_from(SEEDS),
       st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 64), st.binary(max_size=16)), max_size=5))
def test_mutated_corpus_bytes_never_stop_the_sources(tmp_path_factory, seed: bytes, cuts) -> None:  # type: ignore[no-untyped-def]
    data = mutate(seed, cuts)
    folder = tmp_path_factory.mktemp("fuzz")
    for suffix in (".xml", ".html", ".md", ".txt", ".json"):
        (folder / f"input{suffix}").write_bytes(data)
    loaded = load_sources([str(folder)], SourceOptions(site_url="https://example.org"))
    assert len(loaded.articles) + len(loaded.problems) >= 1
    for article in loaded.articles:
        assert_safe(article)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["", "text/html", "application/rss+xml; charset=euc-kr",
                                                   "text/xml; charset=bogus", "application/json"]))
def test_random_bytes_are_decided_and_read_without_escaping(data: bytes, content_type: str) -> None:
    decision = decide(data, content_type=content_type)
    assert decision.reader in ("feed", "page") and decision.reason
    if decision.reader == "feed":
        try:
            articles, _ = parse_feed(data, "fuzz", content_type)
        except SourceError:
            return
    else:
        try:
            articles = [article_from_page(data, url="https://example.org/x", source="fuzz",
                                          content_type=content_type)]
        except SourceError:
            return
    for article in articles:
        assert_safe(article)


@settings(max_examples=300, deadline=None)
@given(urls)
def test_a_url_that_passes_the_check_survives_every_later_step(url: str) -> None:
    fields = FieldReader()
    kept = fields.url(url, "link")
    assert kept == "" or kept == url.strip()
    if kept:
        tagged = with_utm(kept, source="x", medium="social", campaign="c")
        netloc = urlsplit(tagged).netloc
        if not netloc.isascii():
            netloc.encode("idna")  # what the social posts do with a link's host
    else:
        assert not url.strip() or fields.warnings


@settings(max_examples=300, deadline=None)
@given(dates)
def test_a_date_is_real_or_dropped_with_a_warning(value: str) -> None:
    fields = FieldReader()
    got = fields.date(value, "date")
    if got is None:
        assert not value or fields.warnings
    else:
        assert got.tzinfo is not None and EARLIEST_YEAR <= got.year <= LATEST_YEAR
        assert got < datetime(LATEST_YEAR + 1, 1, 1, tzinfo=UTC)
