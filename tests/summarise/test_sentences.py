"""Whole sentences, by kind of boundary, in English, German and Korean (issue 19).

Every case here is written for this file (the public golden-rule sets are measured by
benchmarks/segmentation.py, not copied). A blurb that starts in the middle of a sentence
goes to supporters, so each kind of trap gets its own cases: colons before names,
abbreviations and titles, initials, numbers and ordinals, lists, ellipses, quotations.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.language import prose_language
from digest.summarise.split import split_sentences, split_spans

COLONS_EN = [
    # The class: a colon, then a name that runs on across capitals.
    (
        "Some states see people from the North differently: South Korea gives them a passport.",
        ["Some states see people from the North differently: South Korea gives them a passport."],
    ),
    (
        "The answer was plain: North Korea will not allow the visit. Aid stays in China.",
        ["The answer was plain: North Korea will not allow the visit.", "Aid stays in China."],
    ),
    (
        "Volunteers from Doctors Without Borders arrived: Red Cross staff came later.",
        ["Volunteers from Doctors Without Borders arrived: Red Cross staff came later."],
    ),
    (
        "Asked about the camp, Mr Lee said: United Nations staff may visit in spring.",
        ["Asked about the camp, Mr Lee said: United Nations staff may visit in spring."],
    ),
    # A caption label glued to prose is still cut.
    (
        "The shelter opened in March a neighbour Warm welcome: The first family moved in.",
        ["The shelter opened in March a neighbour", "Warm welcome: The first family moved in."],
    ),
]

ABBREVIATIONS_EN = [
    (
        "Gen. Park met Sen. Moon and Prof. Han. They spoke.",
        ["Gen. Park met Sen. Moon and Prof. Han.", "They spoke."],
    ),
    (
        "The fund, Hope Co. Ltd., paid. Staff were told.",
        ["The fund, Hope Co. Ltd., paid.", "Staff were told."],
    ),
    (
        "Flights resume on Jan. 9 from St. Louis. Tickets sold out.",
        ["Flights resume on Jan. 9 from St. Louis.", "Tickets sold out."],
    ),
    ("They arrived at 6 a.m. The camp was quiet.", ["They arrived at 6 a.m.", "The camp was quiet."]),
    ("It opened in May. Families came at once.", ["It opened in May.", "Families came at once."]),
    ("He said no. Nobody asked again.", ["He said no.", "Nobody asked again."]),
    (
        "She met the U.N. Security Council in Geneva. It listened.",
        ["She met the U.N. Security Council in Geneva.", "It listened."],
    ),
    (
        "Aid came back to the U.S. North Korea said nothing.",
        ["Aid came back to the U.S.", "North Korea said nothing."],
    ),
    ("He lives at No. 12 with his aunt. She cooks.", ["He lives at No. 12 with his aunt.", "She cooks."]),
    ("Bring food, blankets, etc. The list is long.", ["Bring food, blankets, etc.", "The list is long."]),
]

INITIALS_EN = [
    ("The singer J.D. Park came. So did T. S. Lim.", ["The singer J.D. Park came.", "So did T. S. Lim."]),
    (
        "A letter from Harry S. Truman hangs there. It is framed.",
        ["A letter from Harry S. Truman hangs there.", "It is framed."],
    ),
    ("(AP)The aid worker A.B. Choi spoke first.", ["(AP)The aid worker A.B. Choi spoke first."]),
]

NUMBERS_EN = [
    ("Costs rose 4.5 per cent. Rent rose too.", ["Costs rose 4.5 per cent.", "Rent rose too."]),
    (
        "Write to help@hope.example. We answer in a day.",
        ["Write to help@hope.example.", "We answer in a day."],
    ),
    (
        "See hope.example/news/1.2.html today. It explains.",
        ["See hope.example/news/1.2.html today.", "It explains."],
    ),
    ("The vote was 12 to 3. 40 people left.", ["The vote was 12 to 3.", "40 people left."]),
]

LISTS = [
    (
        "What to bring:\n1. Warm coats\n2. Boots\n3. Gloves",
        ["What to bring:", "1. Warm coats", "2. Boots", "3. Gloves"],
    ),
    (
        "Steps: 1. Sign up 2. Pick a date 3. Come along",
        ["Steps: 1. Sign up", "2. Pick a date", "3. Come along"],
    ),
    ("a) Food b) Clothes c) Books", ["a) Food", "b) Clothes", "c) Books"]),
    ("• 1. Tea • 2. Rice", ["• 1. Tea", "• 2. Rice"]),
    ("He finished 3. Then he rested.", ["He finished 3.", "Then he rested."]),
]

ELLIPSES = [
    ("She waited… Then the bus came.", ["She waited…", "Then the bus came."]),
    ("She waited... then the bus came.", ["She waited... then the bus came."]),
    (
        "He said the plan was . . . unclear. Nobody laughed.",
        ["He said the plan was . . . unclear.", "Nobody laughed."],
    ),
    (
        "The note read “we tried [...] and failed” (page 4).",
        ["The note read “we tried [...] and failed” (page 4)."],
    ),
]

QUOTES_EN = [
    ("“We are safe.” Then she cried.", ["“We are safe.”", "Then she cried."]),
    ("He asked, “Can I stay?” His host nodded.", ["He asked, “Can I stay?”", "His host nodded."]),
    # A quotation of several sentences: each one is cut, as the blurb needs whole sentences.
    (
        "“I crossed in winter. I was twelve. Nobody helped,” she said. Now she studies law.",
        ["“I crossed in winter.", "I was twelve.", "Nobody helped,” she said.", "Now she studies law."],
    ),
    ("They call it “Plan B” at the office. It works.", ["They call it “Plan B” at the office.", "It works."]),
]

GERMAN = [
    ("Am 3. Oktober kam die Familie an. Sie blieb.", ["Am 3. Oktober kam die Familie an.", "Sie blieb."]),
    (
        "Er feierte seinen 25. Geburtstag im Heim. Alle kamen.",
        ["Er feierte seinen 25. Geburtstag im Heim.", "Alle kamen."],
    ),
    (
        "Das war im 19. Jahrhundert. Heute ist es anders.",
        ["Das war im 19. Jahrhundert.", "Heute ist es anders."],
    ),
    ("Sie kam im Jahr 2019. Heute arbeitet sie hier.", ["Sie kam im Jahr 2019.", "Heute arbeitet sie hier."]),
    (
        "Es fehlen z. B. Decken und Schuhe. Bitte helfen Sie.",
        ["Es fehlen z. B. Decken und Schuhe.", "Bitte helfen Sie."],
    ),
    (
        "Gekommen sind u. a. Lehrer und Ärzte. Das freut uns.",
        ["Gekommen sind u. a. Lehrer und Ärzte.", "Das freut uns."],
    ),
    (
        "Es kostet ca. 3 Mio. Euro im Jahr. Das ist viel.",
        ["Es kostet ca. 3 Mio. Euro im Jahr.", "Das ist viel."],
    ),
    (
        "Prof. Dr. Weber leitet das Haus. Er ist streng.",
        ["Prof. Dr. Weber leitet das Haus.", "Er ist streng."],
    ),
    (
        "Das Problem ist klar: Die Regierung muss handeln. Sofort.",
        ["Das Problem ist klar: Die Regierung muss handeln.", "Sofort."],
    ),
    ("Sie fragte: „Darf ich bleiben?“ Er nickte.", ["Sie fragte: „Darf ich bleiben?“", "Er nickte."]),
    ("Er rief »Wir schaffen das!« Dann ging er.", ["Er rief »Wir schaffen das!«", "Dann ging er."]),
]

KOREAN = [
    ("탈북민 지원이 늘었다. 그러나 예산은 줄었다.", ["탈북민 지원이 늘었다.", "그러나 예산은 줄었다."]),
    ("모임은 토요일입니다.오세요!", ["모임은 토요일입니다.", "오세요!"]),
    ("정말 괜찮을까요? 네, 괜찮습니다.", ["정말 괜찮을까요?", "네, 괜찮습니다."]),
    (
        "그는 “다시 가고 싶다.”라고 말했다. 모두 울었다.",
        ["그는 “다시 가고 싶다.”라고 말했다.", "모두 울었다."],
    ),
    (
        "센터는 2026. 12. 5. 문을 연다. 누구나 올 수 있다.",
        ["센터는 2026. 12. 5. 문을 연다.", "누구나 올 수 있다."],
    ),
    ("지원금은 1.5배 늘었다. 좋은 소식이다.", ["지원금은 1.5배 늘었다.", "좋은 소식이다."]),
    ("U.S. 국무부가 발표했다. 한국도 환영했다.", ["U.S. 국무부가 발표했다.", "한국도 환영했다."]),
    ("준비물:\n1. 겨울 옷\n2. 신발", ["준비물:", "1. 겨울 옷", "2. 신발"]),
]

ALL = {
    "colons": COLONS_EN,
    "abbreviations": ABBREVIATIONS_EN,
    "initials": INITIALS_EN,
    "numbers": NUMBERS_EN,
    "lists": LISTS,
    "ellipses": ELLIPSES,
    "quotes": QUOTES_EN,
    "german": GERMAN,
    "korean": KOREAN,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(t, e, id=f"{kind}-{i}") for kind, cases in ALL.items() for i, (t, e) in enumerate(cases)],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Familie kam am Abend an. Sie war müde und hatte nichts mit.", "de"),
        ("The family arrived in the evening. They were tired and had nothing with them.", "en"),
        ("가족은 저녁에 도착했다. 그들은 지쳐 있었다.", "ko"),
        ("Kim Jong-un", "en"),  # too short to tell: English rules
    ],
)
def test_each_text_gets_its_own_rules(text: str, language: str) -> None:
    assert prose_language(text) == language


def test_a_given_language_wins_over_the_guess() -> None:
    # German rules keep "am 3. Oktober" whole even in a sentence too short to detect.
    assert split_sentences("Am 3. Oktober.", "de") == ["Am 3. Oktober."]
    assert split_sentences("Er kam am 3. Oktober zurück. Gut.", "de") == [
        "Er kam am 3. Oktober zurück.",
        "Gut.",
    ]


WORDS = st.sampled_from(
    [
        "Kim",
        "said",
        "the",
        "U.S.",
        "Dr.",
        "3.",
        "1.5",
        "z. B.",
        "탈북민이",
        "왔다.",
        "“We",
        "go.”",
        "…",
        "...",
        ". . .",
        "May.",
        "no.",
        "(AP)",
        "a)",
        "•",
        "2.",
        "hope.kr",
        "Geburtstag",
        "am",
        "!",
        "?",
        ":",
        "South",
        "Korea",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(WORDS, max_size=40),
    st.sampled_from([" ", "  ", "\n", "\n\n", " \t"]),
    st.sampled_from([None, "en", "de", "ko"]),
)
def test_spans_are_verbatim_trimmed_ordered_and_cover_the_text(
    words: list[str], sep: str, lang: str | None
) -> None:
    text = sep.join(words)
    spans = split_spans(text, lang)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    pieces = [s.of(text) for s in spans]
    assert all(p and p == p.strip() for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
    assert split_sentences(text, lang) == pieces
