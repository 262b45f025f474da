"""The fast paths: C-level term sets, the candidate window, the lazy Summary."""

from __future__ import annotations

import pytest

from digest.summarise import Summary, summarise
from digest.summarise.engine import build_candidates
from digest.summarise.keyphrases import keyphrases
from digest.summarise.split import split_sentences
from digest.summarise.text import content_terms, term_sets


@pytest.mark.parametrize(
    ("sentence", "terms", "n_words"),
    [
        ("(CNN)Blues legend B.B. King died.", {"cnn", "blue", "legend", "b.b", "king", "died"}, 6),
        ("The U.S. and Kim’s dogs -- and countries' cities.", {"u.s", "kim", "dog", "country", "city"}, 8),
        ("More than 10,000 have fled.", {"10,000", "fled"}, 5),
        ("Glasses, buses and viruses; analysis of ties.", {"glasse", "buse", "viruse", "analysis", "tie"}, 7),
        ("He said it was a “big” deal!", {"big", "deal"}, 7),
        ("북한은 경고했다.", {"북한", "경고"}, 2),
    ],
)
def test_term_sets(sentence: str, terms: set[str], n_words: int) -> None:
    assert term_sets([sentence]) == [(frozenset(terms), n_words)]


def test_term_sets_fold_like_content_terms() -> None:
    text = "Refugees crossed rivers. The refugee crossed a river. Kim’s envoys met envoys."
    got = term_sets(split_sentences(text))
    for (terms, _), sentence in zip(got, split_sentences(text), strict=True):
        assert terms == frozenset(content_terms(sentence))


def test_window_limits_candidates_but_not_vocabulary() -> None:
    lead = [f"Officials in town number {i} reported quiet streets today." for i in range(30)]
    late = "Refugees refugees refugees crossed the river near the border at night."
    article = build_candidates([*lead, late, late], window=20)
    assert len(article.candidates) == 20
    assert article.df["refugee"] == 2  # the sentences after the window still count


def test_late_sentence_never_beats_the_window() -> None:
    text = " ".join(f"Reporters in district {i} filed a long story today." for i in range(25))
    text += " Aid aid aid reached families families families in the district today."
    s = summarise(text, max_sentences=3)
    assert "Aid aid aid" not in s.text


def test_summary_value_semantics_and_lazy_keyphrases() -> None:
    text = "Kim Jong-un met envoys in Seoul. Kim Jong-un later left Seoul for Pyongyang."
    s = summarise(text)
    expected = keyphrases(split_sentences(text), "en")
    assert s.keyphrases == expected and "Seoul" in expected
    assert s == summarise(text)
    assert s == Summary(sentences=s.sentences, keyphrases=expected)
    assert s != Summary(sentences=s.sentences, keyphrases=[], source="llm")
    assert "keyphrases=" in repr(s) and s.text == " ".join(s.sentences)
    with pytest.raises(AttributeError):
        s.sentences = []  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(s)


def test_language_is_detected_when_key_phrases_are_read() -> None:
    text = "탈북민이 서울에 도착했다. 탈북민은 지원을 받았다. 서울의 단체가 도왔다."
    assert summarise(text).keyphrases[:2] == ["탈북민", "서울"]
    assert summarise(text, language="en").keyphrases == []  # no capitals in Korean
