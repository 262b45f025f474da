"""Protected terms against the Unicode tricks of issue 13, as properties over whole classes of input.

Each property takes a term from the list and disguises it with characters drawn from
a Unicode class (default-ignorables, format characters, look-alikes from the
confusables data, adjacent Hangul, Han or digits, letters and digits in a compatibility
form NFKC removes); every disguise must be caught. Ordinary English and Korean text must
not be, nor ordinary words written wholly in one such form.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.protect import ProtectedTerms
from digest.textfold import fold, is_ignorable

TERMS_LIST = ["Ri Song-hwa", "Kim Chul-su", "김철수", "리송화"]
TERMS = ProtectedTerms(TERMS_LIST)
LATIN_TERMS = TERMS_LIST[:2]

# The Default_Ignorable_Code_Point ranges, plus every format (Cf) character, from the Unicode data.
IGNORABLE = sorted(
    {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    | {chr(c) for c in (*range(0x2061, 0x2065), *range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    | {chr(c) for c in (0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x00AD, 0x180E, 0x061C)}
    | {chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0xE0000, 0xE0080))}
)
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
DIGITS = st.characters(categories=["Nd"])
# Every character NFKC turns into an ASCII letter or digit (mathematical alphanumerics, full
# width, superscripts and subscripts, circled and parenthesised letters, Roman numerals...).
COMPATIBLE = sorted(
    c for c in map(chr, range(0x80, 0x110000))
    if (n := unicodedata.normalize("NFKC", c)) != c and n.isascii() and n.isalnum()
)


def look_alikes(letters: str) -> dict[str, list[str]]:
    """For each ASCII letter of ``letters``, the single-character letters, digits, dashes and
    minus signs the confusables data lists as looking like it (in either case)."""
    from confusable_homoglyphs.confusables import confusables_data

    out: dict[str, list[str]] = {}
    for base in sorted(set(letters)):
        found = []
        for variant in {base, base.upper(), base.lower()}:
            for entry in confusables_data.get(variant, []):
                char = entry["c"]
                kind = unicodedata.category(char) if len(char) == 1 else ""
                if kind[:1] in ("L", "N") or kind in ("Pd", "Sm"):
                    found.append(char)
        out[base] = sorted(set(found))
    return out


LOOK_ALIKES = look_alikes("".join(LATIN_TERMS))


def _caught(text: str, term: str) -> bool:
    return term in {h.term for h in TERMS.find(text, where="test")}


@st.composite
def with_ignorables(draw: st.DrawFn) -> tuple[str, str]:
    term = draw(st.sampled_from(TERMS_LIST))
    out = []
    for char in term:
        out.append(char)
        out.extend(draw(st.lists(st.sampled_from(IGNORABLE), max_size=3)))
    return term, "".join(out)


@st.composite
def with_look_alikes(draw: st.DrawFn) -> tuple[str, str]:
    term = draw(st.sampled_from(LATIN_TERMS))
    out = []
    for char in term:
        choices = LOOK_ALIKES.get(char, [])
        swap = choices and draw(st.booleans())
        out.append(draw(st.sampled_from(choices)) if swap else char)
    return term, "".join(out)


@st.composite
def with_neighbours(draw: st.DrawFn) -> tuple[str, str]:
    term = draw(st.sampled_from(TERMS_LIST))
    side = st.text(st.one_of(HANGUL, HAN, DIGITS), min_size=0, max_size=3)
    return term, draw(side) + term + draw(side)


@given(with_ignorables())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_invisible_and_format_characters_inside_a_term_are_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(f"News: {text} arrived.", term)


@given(with_look_alikes())
@settings(max_examples=300, deadline=None)
def test_look_alike_letters_from_any_script_are_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(f"News: {text} arrived.", term)


@st.composite
def with_compatible_neighbours(draw: st.DrawFn) -> tuple[str, str]:
    term = draw(st.sampled_from(TERMS_LIST))
    side = st.text(st.sampled_from(COMPATIBLE), min_size=0, max_size=3)
    return term, draw(side) + term + draw(side)


@given(with_neighbours())
@settings(max_examples=300, deadline=None)
@example(("Ri Song-hwa", "Ri Song-hwa\U0001d7f6"))  # found by this test: MATHEMATICAL MONOSPACE DIGIT ZERO
def test_hangul_han_or_digits_next_to_a_term_do_not_hide_it(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(f"News: {text} arrived.", term)


@given(with_compatible_neighbours())
@settings(max_examples=300, deadline=None)
@example(("Ri Song-hwa", "Ri Song-hwa\U0001d7f6"))
@example(("Kim Chul-su", "\uff41Kim Chul-su"))  # FULLWIDTH LATIN SMALL LETTER A
@example(("Kim Chul-su", "Kim Chul-su\u00aa"))  # FEMININE ORDINAL INDICATOR (a superscript a)
@example(("Ri Song-hwa", "Ri Song-hwa\u24d0"))  # CIRCLED LATIN SMALL LETTER A
def test_compatibility_letters_and_digits_next_to_a_term_do_not_hide_it(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(f"News: {text} arrived.", term)


@given(with_look_alikes(), st.lists(st.sampled_from(IGNORABLE), max_size=2), st.data())
@settings(max_examples=200, deadline=None)
def test_every_disguise_at_once_is_caught(
    case: tuple[str, str], hidden: list[str], data: st.DataObject
) -> None:
    term, text = case
    where = data.draw(st.integers(min_value=0, max_value=len(text)))
    prefix = data.draw(st.sampled_from(["故", "2", "", "前"]))
    suffix = data.draw(st.sampled_from(["는", "2", "씨가", ""]))
    text = prefix + text[:where] + "".join(hidden) + text[where:] + suffix
    assert _caught(text, term)


def test_every_default_ignorable_is_removed_by_the_fold() -> None:
    for char in IGNORABLE:
        assert is_ignorable(char) or fold(char) == "", hex(ord(char))
        assert fold(f"a{char}b") == "ab", hex(ord(char))


def test_the_examples_of_the_issue_are_caught() -> None:
    cases = {
        "리송화는 말했다": "리송화",
        "故Ri Song-hwa": "Ri Song-hwa",
        "Ri Song-hwa2": "Ri Song-hwa",
        "RI, Song-hwa": "Ri Song-hwa",
        "Song-hwa Ri": "Ri Song-hwa",
        "Chul-su, KIM": "Kim Chul-su",
        "Ri\u2062Song\u2063hwa": "Ri Song-hwa",
        "\u2066Kim\u2069 Chul\u202esu": "Kim Chul-su",
        "Ri Song\U000e0020hwa": "Ri Song-hwa",
        "리\u3164송화": "리송화",
        "김\ufe0f철수": "김철수",
        "КІМ СНUL-SU": "Kim Chul-su",  # Cyrillic capitals
        "Rı Song-hwa": "Ri Song-hwa",  # dotless i
        "ʀɪ ꜱᴏɴɢ-ʜᴡᴀ": "Ri Song-hwa",  # small capitals
        "𝐑𝐢 𝐒𝐨𝐧𝐠−𝐡𝐰𝐚": "Ri Song-hwa",  # mathematical bold, minus sign
        "Κim Chul–su": "Kim Chul-su",  # Greek Kappa, en dash
        "Ri Sοng-hwa는": "Ri Song-hwa",  # Greek omicron, particle
    }
    for text, term in cases.items():
        assert _caught(text, term), text


ORDINARY = [
    "Kimchi and songs: the community kitchen served 40 bowls of kimchi stew on Saturday.",
    "Riverside volunteers sang Hwasong folk songs; Rio de Janeiro sent greetings.",
    "The choir's song had a chorus; Chuls and Sue kept the score.",
    "Kimberly Rios and Chulalongkorn University shared notes on scholarship 2026.",
    "Our English classes resume in March; 12 students passed the TOPIK test.",
    "김치를 담그는 날, 철새가 날아왔다. 수요일에 다시 만나요.",
    "리본을 달고 송년회를 열었습니다. 화요일에 봐요.",
    "The volunteers from Seoul and Busan welcomed three families this week.",
]


@given(st.lists(st.sampled_from(" ".join(ORDINARY).split()), min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_ordinary_text_does_not_raise_a_false_alarm(words: list[str]) -> None:
    text = " ".join(words)
    hits = TERMS.find(text)
    # A shuffle can put "Kim" next to "Chul..."-like words only if both are in the vocabulary;
    # they are not, so any hit is a false alarm.
    assert hits == [], (text, hits)


# Whole words in one compatibility form, as a styled heading would write them.
STYLES = {
    "full width": lambda c: chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c,
    "mathematical bold": lambda c: (
        chr(0x1D400 + ord(c) - ord("A")) if "A" <= c <= "Z"
        else chr(0x1D41A + ord(c) - ord("a")) if "a" <= c <= "z" else c
    ),
}


@given(st.lists(st.sampled_from(" ".join(ORDINARY).split()), min_size=1, max_size=40),
       st.sampled_from(sorted(STYLES)))
@settings(max_examples=200, deadline=None)
@example(["Kimchi", "Riverside", "Hwasong"], "full width")
def test_ordinary_words_in_one_style_do_not_raise_a_false_alarm(words: list[str], style: str) -> None:
    text = "".join(STYLES[style](c) for c in " ".join(words))
    assert unicodedata.normalize("NFKC", text) == " ".join(words)
    hits = TERMS.find(text)
    assert hits == [], (text, hits)


def test_ordinary_sentences_do_not_raise_a_false_alarm() -> None:
    for sentence in ORDINARY:
        assert TERMS.find(sentence) == [], sentence
