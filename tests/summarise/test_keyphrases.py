"""Key phrases and hashtags."""

from __future__ import annotations

import pytest

from digest.summarise import SummariseError, hashtags
from digest.summarise.hashtags import camel_case
from digest.summarise.keyphrases import keyphrases
from digest.summarise.split import split_sentences

TEXT = (
    "Kim Jong-un warned the U.S. on Monday. However, talks in Seoul went on. "
    "Officials in Seoul met envoys from the United Nations. The United Nations said "
    "North Korea must stop. People fled North Korea last year. people were afraid."
)


def test_proper_noun_phrases_ranked_by_frequency() -> None:
    got = keyphrases(split_sentences(TEXT), "en")
    assert got[:3] == ["Seoul", "United Nations", "North Korea"]
    assert "Kim Jong-un" in got and "U.S." in got
    for not_a_name in ("However", "People", "The United Nations", "Officials", "Monday"):
        assert not_a_name not in got


def test_sentence_initial_word_needs_support() -> None:
    got = keyphrases(split_sentences("Despite rain the aid arrived. Volunteers helped."), "en")
    assert got == []


def test_korean_frequent_nouns() -> None:
    text = "탈북민이 서울에 도착했다. 탈북민은 지원을 받았다. 서울의 단체가 도왔다."
    got = keyphrases(split_sentences(text), "ko")
    assert got[:2] == ["탈북민", "서울"]


def test_limit() -> None:
    assert len(keyphrases(split_sentences(TEXT), "en", limit=2)) == 2


@pytest.mark.parametrize(
    ("phrase", "tag"),
    [
        ("North Korea", "NorthKorea"),
        ("Kim Jong-un", "KimJongUn"),
        ("U.S.", "US"),
        ("HBO", "HBO"),
        ("탈북민", "탈북민"),
    ],
)
def test_camel_case(phrase: str, tag: str) -> None:
    assert camel_case(phrase) == tag


def test_hashtags_combine_alias_allowlist_and_protection() -> None:
    secret = {"kim cheol-su", "kimcheolsu", "yanji"}

    def protected(term: str) -> bool:
        return term.casefold() in secret

    got = hashtags(
        ["Seoul", "Kim Cheol-su", "DPRK", "Yanji", "seoul", "North Korea", "2024"],
        aliases={"dprk": "North Korea"},
        allowlist=["NorthKorea", "HumanRights", "Yanji"],
        protected=protected,
        limit=10,
    )
    assert got == ["NorthKorea", "Seoul", "HumanRights"]


def test_hashtag_protection_applies_to_alias_target_and_tag() -> None:
    got = hashtags(
        ["Camp Fifteen", "Seoul"],
        aliases={"Seoul": "Secret Place"},
        allowlist=[],
        protected=lambda t: t in {"Secret Place", "CampFifteen"},
        limit=5,
    )
    assert got == []


def test_hashtags_limit_and_errors() -> None:
    got = hashtags(["A B", "Seoul", "Busan"], aliases={}, allowlist=["Refugees"], protected=None, limit=2)
    assert got == ["AB", "Seoul"]
    assert hashtags(["Seoul"], aliases={}, allowlist=[], protected=None, limit=0) == []
    with pytest.raises(SummariseError):
        hashtags(["Seoul"], aliases={}, allowlist=[], protected=None, limit=-1)
