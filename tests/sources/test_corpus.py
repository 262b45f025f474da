"""Every file of tests/corpus/ through the sources: none stops an edition, nothing is garbled.

The corpus holds inputs of the kinds real feeds and pages carry: broken links and
dates, legacy charsets declared and undeclared, XML-ish pages, feeds with a BOM
or a leading comment, hostile front matter.
"""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.compose import select_articles
from digest.links import url_problem
from digest.sources import SourceOptions, load_sources
from digest.sources.fields import EARLIEST_YEAR, LATEST_YEAR

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file())
OPTS = SourceOptions(timeout=5.0, max_bytes=2_000_000, site_url="https://example.org")
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def load(name: str):  # type: ignore[no-untyped-def]
    return load_sources([str(CORPUS / name)], OPTS)


def by_title(name: str):  # type: ignore[no-untyped-def]
    return {a.title: a for a in load(name).articles}


def test_the_corpus_has_every_kind_of_input() -> None:
    suffixes = {p.suffix for p in FILES}
    assert {".xml", ".atom", ".rdf", ".json", ".html", ".md", ".txt"} <= suffixes
    assert len(FILES) >= 35


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_is_read_or_skipped_with_a_one_line_reason(path: Path) -> None:
    loaded = load_sources([str(path)], OPTS)
    assert loaded.articles or loaded.problems, "neither an article nor a reason"
    for source, problem in loaded.problems:
        assert source and problem.strip() and "\n" not in problem
    for article in loaded.articles:
        assert article.url == "" or url_problem(article.url) is None, article.url
        assert article.image == "" or url_problem(article.image) is None, article.image
        if article.published is not None:
            assert article.published.tzinfo is not None
            assert EARLIEST_YEAR <= article.published.year <= LATEST_YEAR
        assert all(w.strip() and "\n" not in w for w in article.warnings)
        assert "\ufffd" not in article.title + article.text, "text decoded with the wrong charset"
        for address in re.findall(r'(?:src|href)="(https?://[^"]*)"', article.html):
            assert url_problem(html.unescape(address)) is None, address
        assert article.url_from in ("feed", "front matter", "homepage", "canonical link",
                                    "page metadata", "fetched address")


def test_the_whole_corpus_as_one_source_folder_loses_only_the_unreadable_files() -> None:
    loaded = load_sources([str(CORPUS)], OPTS)
    skipped = {Path(s).name.split(" entry ")[0] for s, _ in loaded.problems}
    assert skipped == {"alias_bomb.md", "huge_front_matter.md", "python_tag_front_matter.md",
                       "not_utf8.txt", "not_a_feed.xml", "rss_truncated.xml"}
    assert len(loaded.articles) >= 40


def test_broken_links_drop_the_link_and_keep_the_article() -> None:
    articles = by_title("feeds/rss_bad_links.xml")
    assert len(articles) == 8
    assert articles["A good story"].url == "https://example.org/good"
    for title in ("Object link with guid", "Object link without guid", "Empty IDNA label",
                  "Bracket typo", "Bad port", "Javascript link"):
        article = articles[title]
        assert article.url == "" and article.url_from == "homepage"
        assert any("link" in w and "dropped" in w for w in article.warnings), article.warnings
    media = articles["Bad media image"]
    assert media.image == "" and media.url == "https://example.org/media"
    assert any(w.startswith("image 'http://[object Object]/photo.jpg' dropped") for w in media.warnings)
    # the guid keeps the identity even when the link is unusable
    assert articles["Object link with guid"].id == "guid:obj-1"


def test_unusable_images_and_links_inside_the_text_are_dropped_and_their_words_kept() -> None:
    articles = by_title("feeds/rss_bad_urls_in_content.xml")
    broken = articles["Images and links that cannot be used"]
    assert "<img" not in broken.html and "café..example" not in broken.html
    assert "see the plan and more." in broken.text
    # feedparser already empties the href of "http://[::1/plan"; the other three are ours to drop
    assert sum("dropped" in w for w in broken.warnings) == 3
    neighbour = articles["A good neighbour"]
    assert 'src="https://example.org/ok.jpg"' in neighbour.html and neighbour.warnings == ()


def test_impossible_dates_are_dropped_with_a_warning() -> None:
    articles = by_title("feeds/rss_bad_dates.xml")
    assert len(articles) == 6
    assert articles["A good story"].published == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert articles["A good story"].date_from == "feed (published)"
    for title in ("MySQL zero date", "Year zero", "Year ten thousand", "Month thirteen", "Words for a date"):
        assert articles[title].published is None, title
        assert any("dropped: not a usable date" in w for w in articles[title].warnings), title


def test_atom_and_rdf_dates_and_titles() -> None:
    atom = by_title("feeds/atom_titles_and_dates.atom")
    assert set(atom) == {"Why <script> tags break email", "An HTML title", "Broken link in Atom"}
    assert atom["An HTML title"].published is None
    assert atom["Broken link in Atom"].url == "" and atom["Broken link in Atom"].published is None
    rdf = by_title("feeds/rdf_dc_dates.rdf")
    assert rdf["RDF good"].published == datetime(2026, 11, 22, 8, tzinfo=UTC)
    assert rdf["RDF with year 10000"].published is None
    assert rdf["RDF object link"].url == ""


def test_json_feed_fields_that_cannot_be_used_are_dropped() -> None:
    articles = by_title("feeds/jsonfeed_bad_fields.json")
    assert len(articles) == 5
    good = articles["Winter coats for forty children"]
    assert good.published == datetime(2026, 11, 23, tzinfo=UTC) and good.date_from == "feed (published)"
    assert good.author == "Bridge Staff" and good.language == "en" and good.warnings == ()
    relative = articles["A relative link and a zero date"]
    assert relative.url == "https://example.org/news/relative" and relative.published is None
    assert relative.language == "ko"  # the feed's
    broken = articles["Object link and year ten thousand"]
    assert broken.url == "" and broken.url_from == "homepage" and broken.image == ""
    assert broken.id == "guid:obj-1"
    untitled = articles["Only a summary: the new reading corner has books in Korean and English."]
    assert untitled.author == "Kim, Lee" and untitled.date_from == "feed (updated)"
    assert "title '42' dropped: not text" in untitled.warnings
    elsewhere = articles["Linked elsewhere"]
    assert elsewhere.url == "https://news.example.com/story" and "café..example" not in elsewhere.html
    korean = load("feeds/jsonfeed_1_0_korean.json").articles
    assert [a.author for a in korean] == ["브릿지 편집팀", "김 기자"]
    assert "겨울 외투 나눔 행사" in korean[0].text


def test_plain_titles_keep_angle_brackets_in_every_reader() -> None:
    assert "Why <script> tags break email" in by_title("feeds/atom_titles_and_dates.atom")
    assert "Why <script> tags break email" in by_title("files/angle_brackets_title.md")


@pytest.mark.parametrize(
    ("name", "title", "phrase"),
    [
        ("feeds/rss_euc_kr_declared.xml", "탈북민 정착 소식", "겨울 외투 나눔 행사"),
        ("feeds/rss_euc_kr_undeclared.xml", "탈북민 정착 소식", "겨울 외투 나눔 행사"),
        ("feeds/rss_shift_jis_declared.xml", "再定住センターの冬", "冬のコート配布"),
        ("feeds/rss_latin1_declared.xml", "Les bénévoles préparent l'hiver", "déjà très impliqués"),
        ("pages/euc_kr_declared.html", "탈북민 정착 소식", "겨울 외투 나눔 행사"),
        ("pages/euc_kr_undeclared.html", "탈북민 정착 소식", "겨울 외투 나눔 행사"),
        ("pages/shift_jis_declared.html", "再定住センターの冬", "冬のコート配布"),
        ("pages/shift_jis_undeclared.html", "再定住センターの冬", "冬のコート配布"),
        ("pages/latin1_declared.html", "Les bénévoles préparent l'hiver", "déjà très impliqués"),
        ("pages/latin1_undeclared.html", "Les bénévoles préparent l'hiver", "déjà très impliqués"),
    ],
)
def test_text_arrives_as_written_in_legacy_charsets(name: str, title: str, phrase: str) -> None:
    (article,) = load(name).articles
    assert article.title == title
    assert phrase in article.text


def test_feed_with_bom_and_comment_and_page_with_xml_declaration_go_to_the_right_reader() -> None:
    assert list(by_title("feeds/rss_bom_comment.xml")) == ["A good story"]
    page = load("pages/xhtml_with_xml_declaration.html").articles[0]
    assert page.title == "An XHTML page" and "winter coat drive" in page.text
    assert page.published == datetime(2026, 11, 23, 23, tzinfo=UTC)
    saved = load("files/xml_page_saved_as.xml").articles[0]
    assert saved.title == "A page saved with .xml"
    assert "labelled .xml but the content is a web page; read as a web page" in saved.warnings
    problem = load("feeds/not_a_feed.xml").problems[0][1]
    assert "not an RSS or Atom feed" in problem


def test_fragment_links_without_guid_are_separate_articles_and_a_send_leaves_the_next_one_new() -> None:
    articles = load("feeds/rss_fragments_no_guid.xml").articles
    # two updates of one live page; the third item repeats the second word for word
    assert [a.title for a in articles] == ["Live: update one", "Live: update two"]
    first, second = articles
    assert first.id != second.id and first.id.endswith("#update-1")
    chosen, left_out = select_articles(
        articles, taken={first.id}, first_seen={}, since=datetime(2026, 11, 1, tzinfo=UTC), now=NOW
    )
    assert [a.title for a in chosen] == ["Live: update two"]
    assert [a.title for a, _ in left_out] == ["Live: update one"]


def test_hostile_front_matter_skips_only_that_file_quickly() -> None:
    started = time.monotonic()
    problems = {Path(s).name: p for s, p in load_sources([str(CORPUS / "files")], OPTS).problems}
    assert time.monotonic() - started < 10
    assert "uses YAML aliases" in problems["alias_bomb.md"]
    assert "front matter is over 64,000 characters" in problems["huge_front_matter.md"]
    assert "not valid YAML (ConstructorError)" in problems["python_tag_front_matter.md"]


def test_front_matter_fields_that_cannot_be_read_are_dropped() -> None:
    typo = load("files/bad_url_front_matter.md").articles[0]
    assert typo.url == "https://example.org" and typo.url_from == "homepage"
    assert typo.published == datetime(2026, 11, 20, tzinfo=UTC) and typo.date_from == "front matter"
    assert "url 'https://[example.org/news/typo' dropped: malformed (Invalid IPv6 URL)" in typo.warnings
    zero = load("files/zero_date_front_matter.md").articles[0]
    assert zero.published is None and zero.url == "https://example.org/export"
    idna = load("files/idna_empty_label.md").articles[0]
    assert idna.url == "https://example.org" and idna.image == ""


def test_page_dates_come_from_metadata_only() -> None:
    body_only = load("pages/body_date_only.html").articles[0]
    assert "12 March 2023" in body_only.text
    assert body_only.published is None and body_only.date_from == ""
    json_ld = load("pages/json_ld_date.html").articles[0]
    assert json_ld.published == datetime(2026, 11, 19, 7, 30, tzinfo=UTC)
    assert json_ld.date_from == "JSON-LD datePublished"
    time_el = load("pages/time_element_date.html").articles[0]
    assert time_el.published == datetime(2026, 11, 18, tzinfo=UTC) and time_el.date_from == "<time datetime>"
    bad = load("pages/bad_meta.html").articles[0]
    assert bad.published is None and bad.image == "" and bad.url_from == "homepage"


def test_cms_names_are_not_titles() -> None:
    assert load("pages/escenic_title.html").articles[0].title == "Coat drive opens at the centre"
    assert load("pages/generator_title_h1_only.html").articles[0].title == "Language classes start in January"


def test_link_text_stays_in_the_text() -> None:
    text = load("pages/inline_links.html").articles[0].text
    assert "but a new poll from the university, notably, shows a tie in the governor race" in text


def test_articles_without_an_address_say_they_link_to_the_homepage() -> None:
    article = load("files/no_url.txt").articles[0]
    assert article.url == "https://example.org" and article.url_from == "homepage"
    assert any("links to the homepage (DIGEST_SITE_URL)" in w for w in article.warnings)


SOCIAL_KEYS = {
    "DIGEST_SOCIAL_PLATFORMS": "x,bluesky,mastodon,threads,linkedin,facebook",
    "DIGEST_X_API_KEY": "k", "DIGEST_X_API_SECRET": "s", "DIGEST_X_ACCESS_TOKEN": "t",
    "DIGEST_X_ACCESS_SECRET": "a", "DIGEST_BLUESKY_HANDLE": "org.example", "DIGEST_BLUESKY_APP_PASSWORD": "p",
    "DIGEST_MASTODON_BASE_URL": "https://mastodon.example", "DIGEST_MASTODON_TOKEN": "t",
    "DIGEST_THREADS_USER_ID": "1", "DIGEST_THREADS_TOKEN": "t", "DIGEST_LINKEDIN_TOKEN": "t",
    "DIGEST_LINKEDIN_AUTHOR": "urn:li:organization:1", "DIGEST_FACEBOOK_PAGE_ID": "1",
    "DIGEST_FACEBOOK_PAGE_TOKEN": "t",
}


def test_the_whole_corpus_previews_with_every_social_platform_on(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from digest.preview import build_preview
    from digest.store import open_store
    from digest.store.ledger import Ledger

    settings = make_settings(DIGEST_SOURCES=str(CORPUS), DIGEST_MAX_ARTICLES="60",
                             DIGEST_ALLOW_LARGE="true", **SOCIAL_KEYS)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(open_store(settings.db_url))
    result = build_preview(settings, ledger, tmp_path / "pv", now=NOW)
    report = result.report
    assert report["articles"] >= 30
    assert {p["source"].rsplit("/", 1)[-1].split(" entry ")[0] for p in report["problems"]} == {
        "alias_bomb.md", "huge_front_matter.md", "python_tag_front_matter.md",
        "not_utf8.txt", "not_a_feed.xml", "rss_truncated.xml"}
    platforms = {p["platform"] for p in report["social"]}
    assert platforms == set(SOCIAL_KEYS["DIGEST_SOCIAL_PLATFORMS"].split(","))
    html = (tmp_path / "pv" / "email.html").read_text(encoding="utf-8")
    assert "[object Object]" not in html and "café..example" not in html
    assert any("dropped" in w for w in report["warnings"])
