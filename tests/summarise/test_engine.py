"""The extractive engine: contract, verbatim property, noise, bad inputs, scale."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import DigestError
from digest.summarise import SummariseError, Summary, blurb, summarise

STORY = (
    "Crossing Borders - Helping Refugees\n\nView Original\n\n"
    "Border Guards Arrest Dozens of Defectors\n\n"
    "Kim Jong-un at the plenary meeting in Pyongyang. (Image: KCNA)\n\n"
    "Chinese border guards arrested 40 North Korean defectors near Yanji on Monday, "
    "according to a report by Daily NK. The group included 12 children who had crossed "
    "the Tumen River in March. Human rights groups in Seoul urged China to stop "
    "forced repatriation of the defectors. Scroll down for video "
    "‘We are very worried about what happens to them next,’ said one activist. "
    "China treats defectors as illegal economic migrants rather than refugees. "
    "Many defectors who are returned face prison camps in North Korea. "
    "The weather in Yanji was cold. Officials in Beijing did not reply to requests for comment."
)


def test_summary_is_verbatim_ordered_and_bounded() -> None:
    s = summarise(STORY)
    assert isinstance(s, Summary)
    assert 1 <= len(s.sentences) <= 3
    positions = [STORY.index(x) for x in s.sentences]
    assert positions == sorted(positions)
    assert len(set(s.sentences)) == len(s.sentences)
    assert s.text == " ".join(s.sentences)


def test_noise_is_never_quoted() -> None:
    s = summarise(STORY, max_sentences=5)
    joined = " ".join(s.sentences)
    for junk in ("View Original", "(Image: KCNA)", "Scroll down", "Crossing Borders", "plenary"):
        assert junk not in joined
    assert s.sentences[0].startswith("Chinese border guards arrested 40")


def test_deterministic() -> None:
    first = summarise(STORY, title="Defectors arrested")
    for _ in range(3):
        assert summarise(STORY, title="Defectors arrested") == first


def test_title_steers_choice() -> None:
    text = (
        "The council met on Tuesday to discuss the budget for next year. "
        "Members argued about road repairs for two hours. "
        "A new refugee support centre will open in the town in May. "
        "Parking charges will rise slightly. The meeting ended late."
    )
    with_title = summarise(text, title="Refugee support centre to open", max_sentences=1)
    assert with_title.sentences == ["A new refugee support centre will open in the town in May."]


def test_max_sentences_respected() -> None:
    assert len(summarise(STORY, max_sentences=1).sentences) == 1
    assert len(summarise(STORY, max_sentences=10).sentences) <= 10


def test_blurb_respects_word_budget() -> None:
    b = blurb(STORY, max_sentences=3, max_words=40)
    assert b.sentences
    assert sum(len(x.split()) for x in b.sentences) <= 40 or len(b.sentences) == 1
    long_first = "word " * 90 + "end. Short second sentence here for you."
    assert len(blurb(long_first, max_words=30).sentences) >= 1


def test_keyphrases_present() -> None:
    s = summarise(STORY)
    assert "Yanji" in s.keyphrases
    assert "North Korea" in s.keyphrases or "North Korean" in s.keyphrases


@pytest.mark.parametrize("text", ["", "   \n\n ", "Scroll down for video"])
def test_empty_or_furniture_only(text: str) -> None:
    assert summarise(text).sentences == []


def test_one_sentence_and_no_punctuation() -> None:
    assert summarise("Only one sentence here about aid.").sentences == ["Only one sentence here about aid."]
    text = "families crossed the river at night and reached the city by morning"
    assert summarise(text).sentences == [text]


def test_html_is_stripped() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>var x = 1;</script></head><body>"
        "<h1>Aid arrives</h1><p>Food aid reached 300 families in the border town on Monday.</p>"
        "<p>Volunteers said more help is needed before winter &amp; the cold.</p></body></html>"
    )
    s = summarise(html)
    assert s.sentences
    for sentence in s.sentences:
        assert "<" not in sentence and ">" not in sentence and "var x" not in sentence
    assert "Food aid reached 300 families in the border town on Monday." in s.sentences


def test_mixed_korean_and_english() -> None:
    text = (
        "탈북민 지원 단체가 새 센터를 열었다. The centre opened in Seoul on Monday. 많은 탈북민이 방문했다."
    )
    s = summarise(text, max_sentences=2)
    assert s.sentences and all(x in text for x in s.sentences)
    ko = summarise(
        "북한 주민들이 식량난을 겪고 있다. 북한 당국은 국경을 닫았다. 북한 주민들은 배고프다.", language="ko"
    )
    assert "북한" in ko.keyphrases


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": None},
        {"text": b"bytes"},
        {"text": "ok.", "max_sentences": 0},
        {"text": "ok.", "max_sentences": True},
        {"text": "ok.", "language": "fr"},
        {"text": "ok.", "title": 5},
    ],
)
def test_bad_arguments_raise_project_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(SummariseError) as info:
        summarise(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, DigestError) and isinstance(info.value, ValueError)


def test_blurb_bad_max_words() -> None:
    with pytest.raises(SummariseError):
        blurb("Some text here.", max_words=0)


def test_huge_article_is_linear_and_fast() -> None:
    para = (
        "Refugee number {i} reached Seoul after a long journey through China and Laos. "
        "Aid workers said the route is dangerous and expensive for families. "
    )
    text = " ".join(para.format(i=i) for i in range(4200))  # about 100,000 words
    assert len(text.split()) >= 100_000
    t0 = time.process_time()  # CPU seconds: a loaded machine's waiting does not count
    s = summarise(text)
    elapsed = time.process_time() - t0
    assert 1 <= len(s.sentences) <= 3 and all(x in text for x in s.sentences)
    assert elapsed < 3.0  # goal is < 1 s on one core; slack for a loaded CI machine


def test_pathological_inputs_do_not_hang() -> None:
    for text in ("." * 50_000, "a" * 200_000, "A " * 50_000, "<" * 10_000 + ">" * 10_000, "‘" * 20_000):
        t0 = time.process_time()
        s = summarise(text)
        assert time.process_time() - t0 < 3.0
        assert all(x in text for x in s.sentences)


sentence_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(".!?\n '\"‘’“”"),
    max_size=400,
)


@settings(max_examples=200, deadline=None)
@given(text=sentence_text, k=st.integers(min_value=1, max_value=5))
def test_property_sentences_are_verbatim_substrings(text: str, k: int) -> None:
    s = summarise(text, max_sentences=k)
    assert len(s.sentences) <= k
    for sentence in s.sentences:
        assert sentence and sentence in text
    assert summarise(text, max_sentences=k) == s


words_st = st.lists(
    st.sampled_from(["Kim", "aid", "the", "Seoul", "refugees", "crossed", "river", "3.5", "U.S.", "Dr."]),
    min_size=1,
    max_size=15,
)


@settings(max_examples=150, deadline=None)
@given(
    sentences=st.lists(words_st, min_size=1, max_size=12), ends=st.sampled_from([". ", "! ", "? ", "\n\n"])
)
def test_property_prose_like_text(sentences: list[list[str]], ends: str) -> None:
    text = ends.join(" ".join(w) for w in sentences)
    s = blurb(text, max_sentences=3, max_words=40)
    assert all(x in text for x in s.sentences)
    # In article order: each sentence occurs after the previous one (a repeated
    # sentence may also occur earlier, inside another, so search from there).
    pos = 0
    for x in s.sentences:
        pos = text.index(x, pos) + len(x)


def test_repeated_sentence_text_keeps_article_order() -> None:
    text = "Dr. the Kim Kim Dr.? Kim Kim Kim U.S. Dr. the Kim Kim Dr."
    assert blurb(text, max_sentences=3, max_words=40).sentences == ["Kim Kim Kim U.S.", "Dr. the Kim Kim Dr."]
