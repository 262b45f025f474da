"""Sentence splitter: English and Korean edge cases; spans are verbatim."""

from __future__ import annotations

import pytest

from digest.summarise.split import split_sentences, split_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        (
            "George W. Bush and J. K. Rowling met. It was brief.",
            ["George W. Bush and J. K. Rowling met.", "It was brief."],
        ),
        ("Prices rose 3.5 per cent. Then they fell.", ["Prices rose 3.5 per cent.", "Then they fell."]),
        ("See www.example.org/a.html for more. Thanks.", ["See www.example.org/a.html for more.", "Thanks."]),
        ("He waited... and waited. Nothing.", ["He waited... and waited.", "Nothing."]),
        ("He said, “Stop.” Then he left!", ["He said, “Stop.”", "Then he left!"]),
        ("Why? Because. Really!", ["Why?", "Because.", "Really!"]),
        ("It was 9 a.m. on Friday. Rain fell.", ["It was 9 a.m. on Friday.", "Rain fell."]),
        ("It took e.g. three days. Done.", ["It took e.g. three days.", "Done."]),
        ("The U.S. Army said no. Kim smiled.", ["The U.S. Army said no.", "Kim smiled."]),
        ("Talks with the U.S. Kim left early.", ["Talks with the U.S.", "Kim left early."]),
        ("Room No. 5 is shut. Go.", ["Room No. 5 is shut.", "Go."]),
        ("no punctuation at all", ["no punctuation at all"]),
    ],
)
def test_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("북한은 경고했다. 김정은은 연설했다.", ["북한은 경고했다.", "김정은은 연설했다."]),
        ("정말요? 네! 그렇습니다。좋아요.", ["정말요?", "네!", "그렇습니다。", "좋아요."]),
        ("탈북민이 늘었다.그러나 지원은 줄었다.", ["탈북민이 늘었다.", "그러나 지원은 줄었다."]),
        ("UN 보고서가 나왔다. The U.N. said so.", ["UN 보고서가 나왔다.", "The U.N. said so."]),
    ],
)
def test_korean_and_mixed(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_lines_and_paragraphs() -> None:
    text = (
        "A Headline Without A Stop\n\nFirst paragraph sentence one that wraps onto the\n"
        "next line here. Second.\nShort line\nAnother line."
    )
    assert split_sentences(text) == [
        "A Headline Without A Stop",
        "First paragraph sentence one that wraps onto the\nnext line here.",
        "Second.",
        "Short line",
        "Another line.",
    ]


def test_glued_captions_are_cut() -> None:
    text = (
        "Savers can expect 13% more than a colleague The cost of divorce is high. "
        "Scroll down for video Flying high: The kite rose over the town Skilful: It took three "
        "flyers. He won on Friday ‘I’d be over the moon to get the job,’ said Locke."
    )
    got = split_sentences(text)
    assert "The cost of divorce is high." in got
    assert "Scroll down for video" in got
    assert "Flying high: The kite rose over the town" in got
    assert "‘I’d be over the moon to get the job,’ said Locke." in got


def test_speech_and_titles_are_not_cut() -> None:
    text = "He told Reuters: ‘We will not stop this fight now.’ She read The Guardian every day."
    assert split_sentences(text) == [
        "He told Reuters: ‘We will not stop this fight now.’",
        "She read The Guardian every day.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "...", "?!"])
def test_degenerate(text: str) -> None:
    spans = split_spans(text)
    assert all(text[s.start : s.end].strip() for s in spans)
    assert "".join(s.of(text) for s in spans) == "".join(text.split())


def test_spans_are_ordered_trimmed_substrings() -> None:
    text = "  One. Two?  Three!\n\nFour  "
    spans = split_spans(text)
    assert [s.of(text) for s in spans] == ["One.", "Two?", "Three!", "Four"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
