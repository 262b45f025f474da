"""Key phrases and hashtags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert got == ["Seoul", "Busan"]  # "AB": two letters, not allow-listed (issue 11)
    assert hashtags(["Seoul"], aliases={}, allowlist=[], protected=None, limit=0) == []
    with pytest.raises(SummariseError):
        hashtags(["Seoul"], aliases={}, allowlist=[], protected=None, limit=-1)


SEED_TITLE = "North Korea No Longer Interested in Reunification with South Korea"
SEED_BLURB = (
    "During a year-end party meeting, North Korea’s leader warned the nation to prepare for further "
    "economic hardships in 2024 and gave orders to accelerate war preparations against the U.S. "
    "In light of upcoming general elections in the U.S. and South Korea, it is speculated that the "
    "North will likely carry out “military provocations or cyber attacks”."
)


def _post_tags(title: str, blurb: str, allowlist: list[str] | None = None) -> list[str]:
    from digest.summarise.keyphrases import recurring

    phrases = recurring(split_sentences(blurb), title, "en")
    return hashtags(phrases, aliases={}, allowlist=allowlist or [], protected=None, limit=4)


def test_seed_article_tags_are_body_phrases_not_headline_runs() -> None:
    tags = _post_tags(SEED_TITLE, SEED_BLURB)
    assert tags == ["NorthKorea", "SouthKorea"]
    assert _post_tags(SEED_TITLE, SEED_BLURB, ["US"])[0] == "US"  # two letters: only allow-listed


def test_a_phrase_seen_once_and_not_in_the_title_is_no_tag() -> None:
    assert _post_tags("Coats for winter", "Volunteers met Kim Min-ji in Busan. The coats arrived.") == []
    tags = _post_tags("Coats for winter", "Volunteers in Busan packed coats. Families in Busan came.")
    assert tags == ["Busan"]


HEADLINE_WORDS = ["No", "Longer", "Interested", "In", "With", "Talks", "Amid", "New", "Orders", "For"]
NAMES = ["Seoul", "Busan", "North Korea", "Kim Jong-un", "Hyesan", "United Nations"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(HEADLINE_WORDS + NAMES), min_size=3, max_size=10),
    st.lists(st.sampled_from(NAMES), min_size=0, max_size=4),
)
def test_tags_never_come_from_a_headline_run(headline: list[str], mentioned: list[str]) -> None:
    title = " ".join(headline)
    body = " ".join(f"Volunteers in {n} packed coats." for n in mentioned) or "Volunteers packed coats."
    tags = _post_tags(title, f"{title.upper()}\n\n{body}")  # an all-caps subheading too
    allowed = {n.replace(" ", "").replace("-", "").casefold() for n in mentioned}
    for tag in tags:
        # Every tag is a name from the body, recurring there or in the title.
        assert tag.casefold() in allowed, (tag, title, body)
        name = next(n for n in mentioned if n.replace(" ", "").replace("-", "").casefold() == tag.casefold())
        assert mentioned.count(name) > 1 or name in title
