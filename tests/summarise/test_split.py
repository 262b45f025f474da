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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The word before a full stop is found past brackets and quotes.
        (
            "He joined the (U.S. Army in 1990. Then he left.",
            ["He joined the (U.S. Army in 1990.", "Then he left."],
        ),
        (
            "He met Gen. Smith and Lt. Col. Jones. They talked.",
            ["He met Gen. Smith and Lt. Col. Jones.", "They talked."],
        ),
        ("It cost $5.5m. Experts said so.", ["It cost $5.5m.", "Experts said so."]),
        ("Visit www.example.com. Then call.", ["Visit www.example.com.", "Then call."]),
        # Next word behind an opening quote or bracket, or several spaces.
        ("It ended. “Never again,” she said.", ["It ended.", "“Never again,” she said."]),
        ("It ended.   (Police) Officers left.", ["It ended.", "(Police) Officers left."]),
        ("Wait… Then it came. Good?! Yes.", ["Wait…", "Then it came.", "Good?!", "Yes."]),
        ("Rain fell. 3 people fled.", ["Rain fell.", "3 people fled."]),
        ("Room No. 9 opened. No. It did not.", ["Room No. 9 opened.", "No.", "It did not."]),
        ("东京下雨了。明天晴。", ["东京下雨了。", "明天晴。"]),
        (
            "He was held by U.S. Immigration and Customs Enforcement. A judge ruled.",
            ["He was held by U.S. Immigration and Customs Enforcement.", "A judge ruled."],
        ),
    ],
)
def test_more_english_and_cjk(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Widget phrases are cut even when lower-casing changes the text length (İ).
        (
            "İstanbul scroll down for video Officials said the bridge was closed.",
            ["İstanbul", "scroll down for video", "Officials said the bridge was closed."],
        ),
        # A caption label may follow a bracket ("(see chart) Flying high: ...").
        (
            "Savers can expect 13% more (see chart) Flying high: The kite rose over the town.",
            ["Savers can expect 13% more (see chart)", "Flying high: The kite rose over the town."],
        ),
        # A restart after a number or a percentage sign.
        ("Prices rose 5% The cost of food is high.", ["Prices rose 5%", "The cost of food is high."]),
        # A function word before the capital: no cut.
        ("He spoke of The Times and the BBC.", ["He spoke of The Times and the BBC."]),
        # A short quotation glued to a word stays (a title or nickname, not speech).
        ("They call him “The Boss” at work.", ["They call him “The Boss” at work."]),
    ],
)
def test_glue_cuts(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_spans_and_sentences_agree() -> None:
    text = "  Mr. Kim left.\n\nShe said: ‘We will go there again next year.’ Done!\nLast line "
    spans = split_spans(text)
    assert [s.of(text) for s in spans] == split_sentences(text)
    assert all(text[s.start].strip() and text[s.end - 1].strip() for s in spans)


def test_splitter_is_linear_on_a_long_line() -> None:
    import time

    text = "Aid reached Mr. Kim in the U.S. on Monday. " * 20_000  # ~180,000 words, one line
    t0 = time.process_time()  # CPU seconds: a loaded machine's waiting does not count
    got = split_sentences(text)
    assert time.process_time() - t0 < 5.0
    assert len(got) == 20_000 and got[0] == "Aid reached Mr. Kim in the U.S. on Monday."
