"""Protected terms in every script we publish in, as properties over categories of disguise (issue 20).

A strategy takes a protected term (romanised, Hangul, or mixed) and disguises it by category:
look-alike letters and compatibility forms (full width, mathematical, circled, half-width
jamo), Korean spelled letter by letter (compatibility or conjoining jamo, paired finals and
vowels split or not), Hanja for a Korean syllable, either spelling of an initial ㄹ/ㄴ,
separators of every kind between letters and syllables, and bidi tricks (an override around
the reversed letters, isolates, embedded marks), alone and combined. The result is put in
random text; each must be caught. The counterpart: ordinary text in English, Korean and
Chinese, reversed under an override so that it *shows* ordinary, and near misses (one letter
or syllable of a term changed, then disguised the same ways) must not be.
"""

from __future__ import annotations

import unicodedata

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from digest.hangul import LEADS, VOWELS, initial_variants, is_syllable, letters_of, syllable_class
from digest.protect import ProtectedTerms
from digest.textfold import fold
from tests.render.test_protect_unicode import look_alikes

LATIN = ["Kim Chul-su", "Ri Song-hwa", "Pak Yong-nam"]
KOREAN = ["김철수", "리설주", "박영남", "꿇닭왜"]  # the last: paired finals, a paired vowel, a double lead
MIXED = ["Ri 설주"]
TERMS = ProtectedTerms(LATIN + KOREAN + MIXED)
LOOK_ALIKES = look_alikes("".join(LATIN + MIXED))

SEPARATORS = [
    " ", "\u00a0", "\u3000", "\u2009", "\u00b7", "\u30fb", "\u318d", "\uff65", "\u2027", "-", "\u2010",
    "\u2011", "\u2013", "\u2014", "\u2212", "\uff0d", ".", "\u200b", "\u200c", "\u200d", "\u2060",
    "\ufeff", "\u00ad", "\u034f", "\ufe00", "\ufe0f", "\U000e0100", "\u180e",
]
MARKS = ["\u200e", "\u200f", "\u061c"]  # LRM, RLM, ALM
# Paired finals spelled as their two letters, from the letters' Unicode names (RIEUL-KIYEOK is ㄹ+ㄱ).
SPLIT_TAILS = {
    chr(c): "".join(unicodedata.lookup(f"HANGUL LETTER {p}") for p in name.split("-"))
    for c in range(0x3131, 0x314F) if "-" in (name := unicodedata.name(chr(c)).removeprefix("HANGUL LETTER "))
}
SPLIT_VOWELS = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
}
# Letters and digits in every compatibility form NFKC turns into them, by the letter they read as.
COMPAT: dict[str, list[str]] = {}
for _code in range(0x80, 0x110000):
    _normal = unicodedata.normalize("NFKC", chr(_code))
    if len(_normal) == 1 and _normal.isascii() and _normal.isalnum():
        COMPAT.setdefault(_normal.lower(), []).append(chr(_code))
# Half-width jamo (U+FFA1 block): NFKC reads them as compatibility jamo.
HALF_WIDTH = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFFA1, 0xFFDD)}
ENCLOSED = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0x326E, 0x327C)}  # ㉮ is 가
TEXT_AROUND = st.text(
    st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA),  # Hebrew
        st.characters(min_codepoint=0x0627, max_codepoint=0x064A),  # Arabic
    ),
    max_size=30,
)


def _jamo(char: str, conjoining: bool, split: bool) -> list[str]:
    """A syllable spelled as letters: compatibility jamo (or the conjoining ones, finals written
    as initials as a careless typist would), with paired finals and vowels split or not."""
    lead, vowel, tail = letters_of(char)[0], letters_of(char)[1], letters_of(char)[2:]
    spelled = [lead, *(SPLIT_VOWELS.get(vowel, vowel) if split else vowel), *(
        SPLIT_TAILS.get(tail, tail) if split else tail)]
    if not conjoining:
        return spelled
    return [chr(0x1100 + LEADS.index(c)) if c in LEADS else chr(0x1161 + VOWELS.index(c)) if c in VOWELS
            else c for c in spelled]


@st.composite
def letters(draw: st.DrawFn, term: str, disguises: tuple[str, ...]) -> list[str]:
    """The term as a list of pieces (a letter, a syllable, or a syllable's jamo), each disguised."""
    pieces: list[str] = []
    first = True
    for char in term:
        how = draw(st.sampled_from(disguises))
        if is_syllable(char):
            pieces += draw(_korean(char, first, how))
            first = False
        elif char.isalpha() or char.isdigit():
            pieces.append(draw(_latin(char, how)))
        else:
            pieces.append(char)
            first = first or char == " "
    return pieces


@st.composite
def _korean(draw: st.DrawFn, char: str, first: bool, how: str) -> list[str]:
    if how == "jamo":
        spelled = _jamo(char, draw(st.booleans()), draw(st.booleans()))
        if draw(st.booleans()):
            spelled = [HALF_WIDTH.get(c, c) for c in spelled]
        return spelled
    if how == "hanja":
        readings = sorted(syllable_class(char, first) - {char})
        readings = [c for c in readings if not is_syllable(c)]
        return [draw(st.sampled_from(readings))] if readings else [char]
    if how == "spelling":
        return [draw(st.sampled_from(sorted(initial_variants(char) if first else {char})))]
    if how == "compat":
        return [ENCLOSED.get(char, char)]
    return [char]


@st.composite
def _latin(draw: st.DrawFn, char: str, how: str) -> str:
    if how == "compat":
        return draw(st.sampled_from([char, *COMPAT.get(char.lower(), [])]))
    if how == "look-alike":
        return draw(st.sampled_from([char, *LOOK_ALIKES.get(char, [])]))
    return char


@st.composite
def separated(draw: st.DrawFn, pieces: list[str], every: bool) -> str:
    """The pieces joined by separators of every kind (at every joint, or some)."""
    out = pieces[0]
    for piece in pieces[1:]:
        if every or draw(st.booleans()):
            out += "".join(draw(st.lists(st.sampled_from(SEPARATORS + MARKS), min_size=1, max_size=3)))
        out += piece
    return out


ISOLATES = ["\u2066", "\u2067", "\u2068"]  # LRI, RLI, FSI (closed by PDI)


@st.composite
def bidi(draw: st.DrawFn, text: str, how: str) -> str:
    """``text`` stored so that a reader sees it as it is (each trick shows the same letters)."""
    rlo, pdf, pdi = "\u202e", "\u202c", "\u2069"
    if how == "override":
        return rlo + text[::-1] + pdf
    if how == "override to the end of the line":
        return rlo + text[::-1]
    if how == "override in an isolate":
        return draw(st.sampled_from(ISOLATES)) + rlo + text[::-1] + pdf + pdi
    if how == "left-to-right override":
        return "\u202d" + text + pdf
    cut = draw(st.integers(0, len(text)))
    if how == "override in part":  # the mark keeps digits that follow from joining the reversed run
        return text[:cut] + rlo + text[cut:][::-1] + pdf + "\u200e"
    if how == "isolates":
        return text[:cut] + draw(st.sampled_from(ISOLATES)) + text[cut:] + pdi
    return text


@st.composite
def disguised(
    draw: st.DrawFn, terms: list[str], disguises: tuple[str, ...], tricks: tuple[str, ...]
) -> tuple[str, str]:
    term = draw(st.sampled_from(terms))
    pieces = draw(letters(term, disguises))
    spaced = draw(separated(pieces, every=draw(st.booleans())))
    shown = draw(bidi(spaced, draw(st.sampled_from(tricks))))
    return term, f"{draw(TEXT_AROUND)} {shown} {draw(TEXT_AROUND)}"


def _caught(text: str, term: str) -> bool:
    return term in {h.term for h in TERMS.find(text, where="test")}


ALL_TRICKS = ("plain", "override", "override to the end of the line", "override in part",
              "override in an isolate", "isolates", "left-to-right override")


@given(disguised(LATIN + KOREAN + MIXED, ("plain",), ALL_TRICKS))
@settings(max_examples=300, deadline=None)
@example(("Kim Chul-su", "News: \u202eus-luhC miK\u202c arrived"))
@example(("김철수", "\u202e수철김\u202c 씨가 왔다"))
def test_a_name_shown_by_a_bidi_trick_is_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(text, term)


@given(disguised(KOREAN + MIXED, ("jamo", "plain"), ("plain",)))
@settings(max_examples=300, deadline=None)
@example(("김철수", "ㄱ ㅣ ㅁ ㅊ ㅓ ㄹ ㅅ ㅜ"))
@example(("김철수", "ㄱㅣㅁㅊㅓㄹㅅㅜ ㅋㅋ"))  # a laugh after the name is not its final
@example(("김철수", "\u1100\u1175\u1106\u110e\u1165\u1105\u1109\u116e"))  # conjoining, finals as initials
def test_a_korean_name_typed_letter_by_letter_is_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(text, term)


@given(disguised(KOREAN + MIXED, ("hanja", "spelling", "plain", "compat"), ("plain",)))
@settings(max_examples=300, deadline=None)
@example(("김철수", "金哲洙"))
@example(("리설주", "이설주"))
@example(("리설주", "李雪主"))
def test_a_korean_name_in_hanja_or_the_other_spelling_is_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(text, term)


@given(disguised(LATIN + KOREAN + MIXED, ("plain",), ("plain",)))
@settings(max_examples=200, deadline=None)
@example(("김철수", "김\u318d철\u318d수"))
@example(("Kim Chul-su", "K\u00b7i\u00b7m C\u30fbh\u30fbu\u30fbl s\u034fu"))
def test_separators_of_every_kind_between_letters_are_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(text, term)


EVERYTHING = ("plain", "jamo", "hanja", "spelling", "compat", "look-alike")


@given(disguised(LATIN + KOREAN + MIXED, EVERYTHING, ALL_TRICKS))
@settings(max_examples=400, deadline=None)
@example(("Ri Song-hwa", "Ri Song-hwa\U0001d7f6"))  # found by issue 18's test: NFKC makes it a digit
@example(("리설주", "\u202e주 ㄹ ㅓ ㅅ 李\u202c"))
def test_every_disguise_combined_is_caught(case: tuple[str, str]) -> None:
    term, text = case
    assert _caught(text, term)


# Ordinary text: none of it may raise an alarm, shown plainly or through a bidi trick.
ORDINARY = [
    "Kimchi and songs: the community kitchen served 40 bowls of kimchi stew on Saturday.",
    "Riverside volunteers sang Hwasong folk songs; Park rangers and young nannies came.",
    "The choir's song had a chorus; Chuls and Sue kept the score for Pakistan.",
    "김치를 담그는 날, 철새가 날아왔다. 수요일에 다시 만나요.",
    "리본을 달고 송년회를 열었습니다. 화요일에 봐요. 설날에는 주민 센터에서 박람회가 열립니다.",
    "ㄱ. 사과 ㄴ. 배 ㄷ. 감 ㅋㅋ 정말 ㅠㅠ 영어 공부를 하는 남학생",
    "我们在学校学习汉语。今天天气很好，大家都很高兴。",
    "志愿者们在周末为孩子们准备了午饭和书本。",
]
WORDS = " ".join(ORDINARY).split()


@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(("plain", "override", "isolates"))),
                min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_ordinary_text_is_not_caught_shown_plainly_or_by_a_bidi_trick(words: list[tuple[str, str]]) -> None:
    shown = {"plain": lambda w: w, "override": lambda w: "\u202e" + w[::-1] + "\u202c",
             "isolates": lambda w: "\u2067" + w + "\u2069"}
    text = " ".join(shown[how](word) for word, how in words)
    assert TERMS.find(text) == [], text


@st.composite
def near_miss(draw: st.DrawFn) -> tuple[str, str]:
    """A term with one letter or syllable changed for one that reads differently."""
    term = draw(st.sampled_from(LATIN + KOREAN))
    spots = [i for i, c in enumerate(term) if c.isalpha()]
    at = draw(st.sampled_from(spots))
    old = term[at]
    if is_syllable(old):  # nothing that reads as the old one, in Hangul or in Hanja
        first = at == 0
        new = draw(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3).filter(
            lambda c: not syllable_class(c, first) & syllable_class(old, first)))
    else:
        new = draw(st.sampled_from("bdfgjpqtvxz").filter(lambda c: fold(c) != fold(old)))
    return term, term[:at] + new + term[at + 1:]


@given(near_miss(), st.sampled_from(("plain", "jamo", "hanja")), st.sampled_from(ALL_TRICKS), st.data())
@settings(max_examples=300, deadline=None)
def test_a_near_miss_is_not_caught_however_it_is_written(
    case: tuple[str, str], how: str, trick: str, data: st.DataObject
) -> None:
    term, missed = case
    pieces = data.draw(letters(missed, (how,)))
    text = data.draw(bidi(data.draw(separated(pieces, every=False)), trick))
    assert not _caught(f"Words before. {text}. Words after.", term), text


@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=200))
@settings(max_examples=200, deadline=None)
def test_chinese_text_that_does_not_read_as_a_name_is_not_caught(text: str) -> None:
    for term in KOREAN:
        classes = [syllable_class(c, i == 0) for i, c in enumerate(term)]
        size = len(classes)
        windows = range(len(text) - size + 1)
        assume(not any(all(text[i + k] in classes[k] for k in range(size)) for i in windows))
    assert TERMS.find(text) == [], text
