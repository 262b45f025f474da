"""Posts say what the article is for (issue 19): invented articles of each kind, in English
and Korean, go through the real path (the blurb an edition gets, then the posts).

An invitation keeps its date and place, a thank-you its thanks, an appeal its ask, even when
the article opens with background; a post leads with the headline's point; hashtags are whole
names (never "#NorthKorean" from "North Korean refugees", never part of 북한이탈주민).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from digest.social import posts_for_edition
from digest.summarise.purpose import article_kind, purpose_first
from digest.summarise.registry import BlurbOptions, make_item
from digest.types import Article, Edition

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
BACKGROUND_EN = (
    "Hanbit Bridge was started in 2009 by four teachers in a rented room in Seoul. "
    "Since then more than 400 North Korean refugees have studied with our volunteers. "
    "Many of our tutors are North Korean refugees who came through the programme themselves. "
)
BACKGROUND_KO = (
    "한빛다리는 2009년 서울의 작은 방에서 교사 네 명이 시작했습니다. "
    "그동안 북한이탈주민 400여 명이 자원봉사자들과 함께 공부했습니다. "
    "지금 가르치는 선생님 가운데 여러 명도 북한이탈주민입니다. "
)
ARTICLES = {
    "invitation-en": (
        "Our year-end gathering: save the date",
        BACKGROUND_EN
        + "This year the gathering is on Saturday 12 December at 6 pm at the Riverside Community Hall. "
        "There will be dinner, music and a short film made by our students.",
        "Saturday 12 December",
    ),
    "thanks-en": (
        "Thank you to our tutoring volunteers",
        BACKGROUND_EN + "This autumn 38 volunteers gave more than 900 hours of English and maths lessons. "
        "We are deeply grateful to every one of them for their patience and their time. "
        "Next term starts in March with two new classes.",
        "grateful",
    ),
    "appeal-en": (
        "Help us buy winter coats for 120 children",
        BACKGROUND_EN + "Winters in the new flats are hard, and many families arrive with nothing warm. "
        "Please give what you can before 15 December so every child has a coat by Christmas. "
        "A coat costs about 40,000 won.",
        "Please give",
    ),
    "invitation-ko": (
        "연말 모임에 초대합니다",
        BACKGROUND_KO + "올해 연말 모임은 12월 12일 토요일 오후 6시 마포 희망센터에서 열립니다. "
        "저녁 식사와 음악, 학생들이 만든 짧은 영화가 준비되어 있습니다.",
        "12월 12일",
    ),
    "thanks-ko": (
        "자원봉사 선생님들께 감사드립니다",
        BACKGROUND_KO + "올가을 자원봉사자 38명이 900시간 넘게 영어와 수학을 가르쳤습니다. "
        "시간과 정성을 내어 주신 모든 선생님께 깊이 감사드립니다. "
        "다음 학기는 3월에 새 반 두 개와 함께 시작합니다.",
        "감사드립니다",
    ),
    "appeal-ko": (
        "아이들 겨울 외투 후원을 부탁드립니다",
        BACKGROUND_KO + "새 집의 겨울은 춥고, 많은 가족이 따뜻한 옷 없이 도착합니다. "
        "12월 15일까지 후원해 주세요. 모든 아이가 성탄절 전에 외투를 받을 수 있습니다. "
        "외투 한 벌은 약 4만 원입니다.",
        "후원해 주세요",
    ),
}


def _posts(key: str, make_settings, social_env) -> tuple[str, list]:  # type: ignore[no-untyped-def]
    title, text, _ = ARTICLES[key]
    article = Article(id=f"url:{key}", title=title, url=f"https://example.org/{key}", text=text, source="t")
    item = make_item(article, BlurbOptions())
    edition = Edition(key="weekly:2026-W48", slot=NOW, issued=NOW, items=(item,))
    return item.blurb, posts_for_edition(edition, make_settings(**social_env))


@pytest.mark.parametrize("key", sorted(ARTICLES))
def test_the_blurb_and_every_post_keep_what_the_article_is_for(key: str, make_settings, social_env) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    blurb, posts = _posts(key, make_settings, social_env)
    must = ARTICLES[key][2]
    assert must in blurb
    for post in posts:
        assert must in post.text, (post.platform, post.text)
        assert not post.errors


@pytest.mark.parametrize("key", sorted(ARTICLES))
def test_posts_lead_with_the_headlines_point(key: str, make_settings, social_env) -> None:  # type: ignore[no-untyped-def]
    blurb, posts = _posts(key, make_settings, social_env)
    x = next(p for p in posts if p.platform == "x")
    assert not x.text.startswith(("Hanbit Bridge was started", "한빛다리는 2009년")), x.text


@pytest.mark.parametrize("key", sorted(ARTICLES))
def test_hashtags_are_whole_names(key: str, make_settings, social_env) -> None:  # type: ignore[no-untyped-def]
    _, posts = _posts(key, make_settings, social_env)
    text = ARTICLES[key][1]
    for post in posts:
        for tag in re.findall(r"#(\w+)", post.text):
            assert tag != "NorthKorean"
            if re.search(r"[가-힣]", tag):  # a Korean tag is a word of the text, not part of one
                assert re.search(rf"(?<![가-힣]){tag}", text), (tag, post.platform)


def test_news_keeps_the_engines_choice() -> None:
    assert article_kind("Seoul opens a new centre for refugees") == "news"
    assert article_kind("Our year-end gathering: save the date") == "invitation"
    assert article_kind("자원봉사 선생님들께 감사드립니다") == "thanks"
    news = ["Seoul opened a centre on Monday.", "It cost 2 billion won.", "Officials said more will follow."]
    assert purpose_first(news, "Seoul opens a new centre") == news
