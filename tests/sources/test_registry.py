"""The reader registry: suffix and content type map to a reader; the content is sniffed too."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.sources.registry import (
    FEED,
    PAGE,
    READERS,
    READERS_BY_SUFFIX,
    READERS_BY_TYPE,
    decide,
    readers,
)
from digest.sources.text import html_to_text

FEED_ROOTS = [b'<rss version="2.0"><channel>', b'<feed xmlns="http://www.w3.org/2005/Atom">',
              b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">']
PAGE_ROOTS = [b"<!DOCTYPE html><html>", b"<html lang='ko'>", b"<head><title>t</title>",
              b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html>']
prologue_parts = st.sampled_from([
    b"\xef\xbb\xbf", b"\n", b"  \t", b'<?xml version="1.0" encoding="utf-8"?>', b"<!-- generated 12:00 -->",
    b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>', b"<!-- a\nmulti-line comment -->",
])
prologues = st.lists(prologue_parts, max_size=5).map(lambda parts: b"".join(
    p for n, p in enumerate(parts) if p != b"\xef\xbb\xbf" or n == 0))
declared = st.sampled_from(["", "text/html", "text/html; charset=utf-8", "application/xml", "text/xml",
                            "application/rss+xml", "application/atom+xml", "text/plain",
                            "application/octet-stream"])


def test_every_reader_kind_has_a_reader() -> None:
    kinds = set(READERS_BY_SUFFIX.values()) | set(READERS_BY_TYPE.values())
    assert kinds <= set(readers())
    assert READERS_BY_SUFFIX[".rdf"] == FEED and READERS_BY_TYPE["application/xhtml+xml"] == PAGE


def test_each_suffix_and_type_names_one_reader() -> None:
    suffixes = [s for r in READERS for s in r.suffixes]
    types = [t for r in READERS for t in r.types]
    assert len(suffixes) == len(set(suffixes)) and len(types) == len(set(types))
    assert all(s.startswith(".") and s == s.lower() for s in suffixes)
    assert len({r.kind for r in READERS}) == len(READERS)
    assert READERS_BY_SUFFIX[".json"] == READERS_BY_TYPE["application/feed+json"] == "json feed"


@settings(max_examples=200, deadline=None)
@given(prologues, st.sampled_from(FEED_ROOTS), declared)
def test_a_feed_is_read_as_a_feed_whatever_it_is_labelled_and_whatever_comes_first(
    prologue: bytes, root: bytes, content_type: str
) -> None:
    decision = decide(prologue + root, content_type=content_type)
    assert decision.reader == FEED
    labelled = READERS_BY_TYPE.get(content_type.split(";")[0])
    assert decision.mismatch == (labelled is not None and labelled != FEED)
    if decision.mismatch:
        assert decision.reason.startswith(f"labelled {content_type.split(';')[0]} but the content is")


json_feeds = st.builds(
    lambda version, keys, extra: {"version": f"https://jsonfeed.org/version/{version}", "items": [],
                                  **dict.fromkeys(keys, "x"), **extra},
    st.sampled_from(["1", "1.1"]),
    st.lists(st.sampled_from(["title", "home_page_url", "feed_url", "description", "zz"]), unique=True),
    st.dictionaries(st.text(max_size=8).filter(lambda k: k != "version"), st.text(max_size=20), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(json_feeds, st.booleans(), st.booleans(),
       st.sampled_from([b"", b"\xef\xbb\xbf", b"\n  ", b"\xef\xbb\xbf\r\n"]), declared)
def test_a_json_feed_is_read_as_one_whatever_it_is_labelled_and_however_it_is_written(
    document: dict[str, object], sort_keys: bool, escape_slashes: bool, prefix: bytes, content_type: str
) -> None:
    data = json.dumps(document, sort_keys=sort_keys, indent=None if sort_keys else 2).encode()
    if escape_slashes:
        data = data.replace(b"/", b"\\/")
    decision = decide(prefix + data, content_type=content_type)
    assert decision.reader == "json feed"
    assert decide(prefix + data, suffix=".json").reader == "json feed"


@settings(max_examples=200, deadline=None)
@given(prologues, st.sampled_from(PAGE_ROOTS), st.sampled_from([".xml", ".html", ".rss", ".atom", ".htm"]))
def test_a_page_is_read_as_a_page_even_after_an_xml_declaration(prologue: bytes, root: bytes,
                                                                 suffix: str) -> None:
    decision = decide(prologue + root, suffix=suffix)
    assert decision.reader == PAGE
    assert decision.mismatch == (READERS_BY_SUFFIX[suffix] != PAGE)


def test_markdown_and_text_files_are_not_sniffed() -> None:
    assert decide(b"<rss>looks like a feed</rss>", suffix=".md").reader == "markdown"
    assert decide(b"<html>", suffix=".txt").reader == "text"


def test_undecidable_content_with_no_type_is_a_page() -> None:
    decision = decide(b"just words", content_type="")
    assert decision.reader == PAGE and "not a feed" in decision.reason


inline_tags = st.sampled_from(["a href='/x'", "em", "strong", "span class='c'", "b", "i", "abbr", "code",
                               "a href='https://example.org/p' rel='nofollow'", "mark", "small"])
words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(words, st.lists(inline_tags, min_size=1, max_size=3), words, words)
def test_feed_html_keeps_the_words_of_links_and_inline_markup(before: str, tags: list[str], inside: str,
                                                              after: str) -> None:
    opening = "".join(f"<{t}>" for t in tags)
    closing = "".join(f"</{t.split()[0]}>" for t in reversed(tags))
    html = f"<p>{before} {opening}{inside}{closing}, {after}</p>"
    assert html_to_text(html) == f"{before} {inside}, {after}"


furniture = st.sampled_from(["related", "share", "social", "author", "byline", "nav", "menu", "footer",
                             "caption", "newsletter", "breadcrumb", "teaser", "tags", "comments"])


@settings(max_examples=60, deadline=None)
@given(furniture, st.sampled_from(["span class", "a href='/p' class", "a href='/p' id", "em class"]))
def test_page_text_keeps_links_whose_names_look_like_furniture(name: str, opening: str) -> None:
    from digest.sources.pages import article_from_page

    tag = opening.split()[0]
    link = f"<{opening}='{name}'>a new poll from the university</{tag}>"
    filler = "<p>" + "Volunteers planned the winter coat drive at the centre on Saturday. " * 3 + "</p>"
    html = (f"<html><head><title>Poll</title></head><body><article>{filler}"
            f"<p>The incumbent had a lead in the state, but {link}, notably, shows a tie in the race.</p>"
            f"{filler}</article></body></html>")
    article = article_from_page(html.encode(), url="https://example.org/poll", source="t")
    assert "but a new poll from the university, notably, shows a tie" in article.text
