"""One story, one entry (issue 23): the same story from two sources is one entry of the edition.

Our own article and a partner's RSS item telling it in other words, next to an unrelated item of
the same feed on the same theme, go through a real send: one entry, led by ours, "also reported
by" with the partner's link, in the HTML and the text part, one post; the partner's item is taken
with the edition, and a re-post of the story the week after is left out, saying why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from digest.compose.stories import one_entry_per_story, own_source
from digest.deliver import send_current
from digest.providers import make_provider
from digest.store import open_store
from digest.store.ledger import Ledger
from digest.summarise.same_story import groups, score, story_terms
from digest.types import Article

MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)
OURS = """---
title: Forty children get warm coats before the first snow
url: https://hanbit.example.org/news/coats
date: 2026-11-20
---
Hanbit Bridge handed out forty winter coats to children from North Korean refugee families in
Seoul on Thursday, a week before the first snow is expected.

The coats were bought with gifts from 212 supporters who answered our November appeal. Volunteers
measured every child at the Saturday school in Nowon and sorted the sizes over two evenings.

Many of the families arrived this year and own no winter clothes. "My son has never had a coat of
his own," one mother told our volunteers. The next drive, for boots and gloves, starts in January.
"""
PARTNER = (
    "Refugee children in Seoul receive winter coats",
    "https://partner.example.net/2026/11/coats-for-children",
    "p-coats",
    "Fri, 21 Nov 2026 08:00:00 +0000",
    "Forty children of North Korean refugee families in Seoul received new winter coats from "
    "Hanbit Bridge this Thursday. Supporters paid for the coats after a November appeal, and volunteers at "
    "the Nowon Saturday school measured the children. Boots and gloves are next, from January.",
)
UNRELATED = (
    "Seoul opens job counselling for North Korean defectors",
    "https://partner.example.net/2026/11/job-counselling",
    "p-jobs",
    "Sat, 22 Nov 2026 08:00:00 +0000",
    "The city of Seoul opened a counselling desk for North Korean defectors looking for work. "
    "Counsellors help with CVs, interviews and recognition of qualifications from the North, and refugee "
    "families can book evening appointments. The desk is open on weekdays at the city hall annex.",
)
REPOST = (
    "Coats for forty refugee children in Seoul",
    "https://other.example.com/coats-again",
    "o-coats",
    "Thu, 27 Nov 2026 08:00:00 +0000",
    "Hanbit Bridge handed out forty winter coats to children from North Korean refugee families in "
    "Seoul, bought with gifts from 212 supporters who answered a November appeal.",
)


def feed(*items: tuple[str, str, str, str, str]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{g}</guid><pubDate>{d}</pubDate>"
        f"<description>{text}</description></item>"
        for t, link, g, d, text in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>{body}</channel></rss>'


def test_the_same_story_in_other_words_is_close_and_an_unrelated_one_is_not() -> None:
    ours = story_terms("Forty children get warm coats before the first snow", OURS)
    partner = story_terms(PARTNER[0], PARTNER[4])
    unrelated = story_terms(UNRELATED[0], UNRELATED[4])
    assert score(ours, partner) >= 0.6
    assert score(ours, unrelated) < 0.3 and score(partner, unrelated) < 0.3
    assert groups([ours, unrelated, partner]) == [[0, 2], [1]]


def test_our_article_leads_else_the_earliest() -> None:
    text = "Volunteers of Hanbit Bridge gave forty coats to children of refugee families in Seoul. " * 3
    def article(ident: str, site: str, days: int) -> Article:
        url = f"https://{site}/1"
        return Article(id=ident, title="Coats", url=url, text=text, source=f"https://{site}/feed",
                       published=MONDAY - timedelta(days=days))

    early, late, mine = article("a", "a.example.com", 3), article("b", "b.example.com", 1), article(
        "c", "hanbit.example.org", 0
    )
    is_own = own_source("https://www.hanbit.example.org")
    both = one_entry_per_story([late, early], is_own)
    assert [a.id for a in both.leads] == ["a"] and [a.id for a in both.also["a"]] == ["b"]
    three = one_entry_per_story([mine, late, early], is_own)
    assert [a.id for a in three.leads] == ["c"] and {a.id for a in three.also["c"]} == {"a", "b"}


def test_one_entry_in_a_real_send_and_the_story_is_not_sent_again(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    content = tmp_path / "content"
    content.mkdir()
    (content / "coats.md").write_text(OURS, encoding="utf-8")
    partner = tmp_path / "partner.xml"
    partner.write_text(feed(PARTNER, UNRELATED), encoding="utf-8")
    settings = make_settings(
        DIGEST_SOURCES=f"{content},{partner}", DIGEST_SITE_URL="https://hanbit.example.org"
    )
    engine = open_store(settings.db_url)
    sent = send_current(settings, engine, make_provider(settings), now=MONDAY + timedelta(hours=1))
    assert sent.status == "sent"
    ledger = Ledger(engine)
    titles = [row[2] for row in ledger.frozen_articles(sent.key)]
    assert sorted(titles) == sorted(
        [
            "Forty children get warm coats before the first snow",
            "Seoul opens job counselling for North Korean defectors",
        ]
    )
    [eml] = sorted((settings.data_dir / "outbox").rglob("*.eml"))[:1]
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert "Also reported by" in html and "partner.example.net/2026/11/coats-for-children" in html
    assert "Also reported by" in text and "partner.example.net" in text
    assert html.count("Also reported by") == 1

    # A week later: a third site re-posts the story, and the partner's item is still in its feed.
    partner.write_text(feed(REPOST, PARTNER), encoding="utf-8")
    nxt = send_current(settings, engine, make_provider(settings), now=MONDAY + timedelta(days=7, hours=1))
    assert nxt.status == "skipped"  # nothing new: the re-post and the merged item are not news


def test_digest_sources_names_the_merged_item(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    from digest.cli import main

    content = tmp_path / "content"
    content.mkdir()
    (content / "coats.md").write_text(OURS, encoding="utf-8")
    partner = tmp_path / "partner.xml"
    partner.write_text(feed(PARTNER, UNRELATED), encoding="utf-8")
    for key, value in {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": f"{content},{partner}",
        "DIGEST_SITE_URL": "https://hanbit.example.org",
        "DIGEST_TEST_NOW": "2026-11-23T10:00:00+00:00",
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "2 article(s)" in out
    assert f"also reported by: {PARTNER[0]}" in out and PARTNER[1] in out
    assert main(["sources", "--json"]) == 0

    [lead] = [a for a in json.loads(capsys.readouterr().out)["articles"] if a["also_reported_by"]]
    assert lead["title"] == "Forty children get warm coats before the first snow"
    assert [a["url"] for a in lead["also_reported_by"]] == [PARTNER[1]]


def test_instalments_and_boilerplate_under_unlike_titles_are_not_one_story() -> None:
    def item(title: str) -> str:
        return f"{title} happened this week. Volunteers met the families and shared a meal at the centre."

    assert score(story_terms("Week 2", item("Week 2")), story_terms("Week one", item("Week one"))) == 0
    assert score(story_terms("Part 3 of our series", OURS), story_terms("Part 4 of our series", OURS)) == 0
    boiler = "Read the full story on our website, where you can sign up for updates from the centre team."
    assert score(story_terms("Coats for children", boiler), story_terms("New English classes", boiler)) == 0
    # Two events announced in the same words are two entries, and the second is no re-post.
    meal = "Families meet at the centre to share a meal. Volunteers cook and children play games."
    assert score(story_terms("The past gathering", meal), story_terms("The future gathering", meal)) == 0
    # A copy under its own headline is one story; the same words under a headline with a word
    # more ("Last Wednesday", "Wednesday") are two items of a feed's template.
    copy = story_terms("Forty children get warm coats before the first snow", OURS)
    assert score(story_terms("Forty children get warm coats before the first snow", OURS), copy) == 1.0
    last = story_terms("Last Wednesday", item("Last Wednesday"))
    assert score(last, story_terms("Wednesday", item("Wednesday"))) == 0
