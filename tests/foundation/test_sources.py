"""Every kind of source, and one broken article never stopping the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.sources import SourceOptions, load_sources
from tests.fakes.web import Page, Site, serve

OPTS = SourceOptions(timeout=5.0, max_bytes=200_000, site_url="https://example.org", allow_private=True)

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org</link><description>d</description>
{items}
</channel></rss>"""

ITEM = """<item><title>{title}</title><link>https://example.org/{slug}</link>
<guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate>
<description><![CDATA[<p>{body}</p>]]></description></item>"""

PAGE = """<!DOCTYPE html><html><head><title>Volunteers rebuild the library | Example</title>
<meta property="og:title" content="Volunteers rebuild the library">
<link rel="canonical" href="https://example.org/news/library?utm_source=x"></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a> Menu item</nav>
<article><h1>Volunteers rebuild the library</h1>
<p>Twenty volunteers spent three weekends repainting the small library that serves the resettlement
centre, and the shelves are full again after a book drive in the autumn.</p>
<p>The new reading corner has books in Korean and English, and a volunteer now runs a story hour for
children every Saturday morning before the language classes begin.</p>
<p>Staff say the room is busier than it has ever been, especially in the evenings, when adults come in
to study for their driving and citizenship tests.</p></article>
<footer>Copyright Example. Share on social media.</footer></body></html>"""


def feed(*items: tuple[str, str, str, str]) -> bytes:
    body = "".join(
        ITEM.format(title=t, slug=g, guid=g, date=d, body=f"{t}. This is the story of {t.lower()}.")
        for t, g, d, _ in items
    )
    return FEED.format(items=body).encode()


def test_folder_reads_markdown_text_and_html(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: Front matter title\nurl: https://example.org/a\ndate: 2026-11-20\n"
        "author: Staff\nimage: https://example.org/a.jpg\n---\nFirst paragraph here.\n\nSecond one.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("A plain title\nThe body of the text article.\n", encoding="utf-8")
    (tmp_path / "c.html").write_text(PAGE, encoding="utf-8")
    loaded = load_sources([str(tmp_path)], OPTS)
    by_title = {a.title: a for a in loaded.articles}
    assert loaded.problems == []
    md = by_title["Front matter title"]
    assert md.url == "https://example.org/a" and md.author == "Staff"
    assert md.published == datetime(2026, 11, 20, tzinfo=UTC)
    assert md.image == "https://example.org/a.jpg"
    assert "Second one." in md.text and "---" not in md.text
    assert by_title["A plain title"].text == "The body of the text article."
    html = by_title["Volunteers rebuild the library"]
    assert "story hour" in html.text and "Menu item" not in html.text


def test_feed_file_entries_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "news.xml"
    path.write_bytes(feed(("One", "g1", "Mon, 23 Nov 2026 09:00:00 +0000", ""),
                          ("Two", "g2", "Tue, 24 Nov 2026 09:00:00 +0000", "")))
    loaded = load_sources([str(path)], OPTS)
    assert [a.title for a in loaded.articles] == ["One", "Two"]
    assert loaded.articles[0].id == "guid:g1"
    assert loaded.articles[1].published == datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_feed_and_page_served_over_http() -> None:
    site = Site(pages={
        "/feed.xml": Page(feed(("Served", "s1", "Wed, 25 Nov 2026 09:00:00 +0000", "")),
                          "application/rss+xml"),
        "/news/library": Page(PAGE.encode()),
    })
    with serve(site):
        loaded = load_sources([site.url("/feed.xml"), site.url("/news/library")], OPTS)
    assert loaded.problems == []
    titles = [a.title for a in loaded.articles]
    assert titles == ["Served", "Volunteers rebuild the library"]
    page = loaded.articles[1]
    assert "citizenship tests" in page.text and "Copyright" not in page.text
    # Every fetch identifies itself.
    assert all(h.get("User-Agent", "").startswith("digest/") for _, h in site.requests)


def test_slow_missing_and_huge_sources_are_reported_not_fatal(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Good title\nGood body.\n", encoding="utf-8")
    site = Site(pages={
        "/slow": Page(b"<html></html>", delay=3.0),
        "/huge.xml": Page(b"<rss>" + b"x" * 300_000 + b"</rss>", "application/rss+xml"),
    })
    opts = SourceOptions(timeout=1.0, max_bytes=200_000, site_url="https://example.org", allow_private=True)
    with serve(site):
        loaded = load_sources(
            [site.url("/slow"), site.url("/missing"), site.url("/huge.xml"), str(good)], opts)
    assert [a.title for a in loaded.articles] == ["Good title"]
    reasons = " | ".join(p for _, p in loaded.problems)
    assert "no answer within 1 s" in reasons
    assert "HTTP 404" in reasons
    assert "DIGEST_FETCH_MAX_BYTES" in reasons
    assert len(loaded.problems) == 3


def test_broken_article_next_to_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good1.md").write_text("---\ntitle: Good one\n---\nFine text.\n", encoding="utf-8")
    (tmp_path / "bad-yaml.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    (tmp_path / "no-title.md").write_text("Just text and no title at all.\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "good2.txt").write_text("Good two\nMore fine text.\n", encoding="utf-8")
    broken_feed = tmp_path / "broken.xml"
    broken_feed.write_bytes(b"<rss><channel><item><title>Half")
    loaded = load_sources([str(tmp_path)], OPTS)
    assert sorted(a.title for a in loaded.articles) == ["Good one", "Good two"]
    problems = {Path(s).name: p for s, p in loaded.problems}
    assert "front matter is not valid YAML" in problems["bad-yaml.md"]
    assert "no title" in problems["no-title.md"]
    assert "not UTF-8" in problems["binary.txt"]
    assert "empty" in problems["empty.txt"]
    assert any(name.startswith("broken.xml") for name in problems)


def test_identity_prefers_guid_then_canonical_url_then_hash(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\nurl: HTTPS://Example.org/a/?utm_source=feed&id=3#top\n---\nText.\n",
        encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: B\nguid: post-17\nurl: https://x.org/b\n---\nT.\n",
                                   encoding="utf-8")
    (tmp_path / "c.txt").write_text("C\nNo link here.\n", encoding="utf-8")
    ids = {a.title: a.id for a in load_sources([str(tmp_path)], OPTS).articles}
    assert ids["A"] == "url:https://example.org/a?id=3"
    assert ids["B"] == "guid:post-17"
    assert ids["C"].startswith("sha256:")


def test_missing_path_is_a_problem_not_a_crash() -> None:
    loaded = load_sources(["/nonexistent/folder"], OPTS)
    assert loaded.articles == [] and "no such file" in loaded.problems[0][1]


def test_saved_page_leftovers_are_dropped(tmp_path: Path) -> None:
    # The shape of a saved "reader view" page: site name, marker, title, caption, text.
    (tmp_path / "saved.txt").write_text(
        "Example Relief Blog - Notes and News\n\nView Original\n\n"
        "Border town markets reopen after the floods\n\n"
        "Traders unload sacks of rice at a market stall. (Photo: Example Agency)\n\n"
        "Markets in two border towns reopened this week after the summer floods. Prices are still high.\n\n"
        "Read more\n\nLocal groups expect trade to recover slowly over the winter.\n",
        encoding="utf-8",
    )
    article = load_sources([str(tmp_path)], OPTS).articles[0]
    assert article.title == "Border town markets reopen after the floods"
    assert "Photo:" not in article.text and "View Original" not in article.text
    assert "Read more" not in article.text
    assert article.text.startswith("Markets in two border towns reopened")
    assert article.text.endswith("recover slowly over the winter.")


def test_a_long_paragraph_that_cites_a_source_is_kept(tmp_path: Path) -> None:
    paragraph = ("The survey (source: a university research team) covered " + "many towns and " * 30
                 + "found prices rising.")
    (tmp_path / "a.txt").write_text(f"Title\n\n{paragraph}\n", encoding="utf-8")
    assert load_sources([str(tmp_path)], OPTS).articles[0].text == paragraph
