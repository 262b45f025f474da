"""The plain-text part wraps by display width: Hangul, Han and kana count two columns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.render.env import template_env
from digest.render.wrap import display_width, wrap_width

KOREAN = ["탈북민", "아이들을", "위해", "겨울", "외투를", "모았습니다.", "서울에서", "봉사자들이", "(사진)"]
LATIN = ["North", "Korean", "refugees", "coats", "naïve", "e\u0301te\u0301", "U.S.", "2026"]
CJK = ["故人西辞黄鹤楼", "あいうえおかきくけこ", "烟花三月下扬州。"]
words = st.lists(st.sampled_from(KOREAN + LATIN + CJK), min_size=0, max_size=60)


@settings(max_examples=300, deadline=None)
@given(words, st.integers(min_value=12, max_value=80))
def test_no_line_is_wider_than_the_width(parts: list[str], width: int) -> None:
    text = " ".join(parts)
    wrapped = wrap_width(text, width, break_long_words=False)
    for line in wrapped.split("\n"):
        # Only a single unbreakable word (a Korean word) may stand alone over the width.
        assert display_width(line) <= width or " " not in line
    # Nothing is lost or reordered: only white space changes.
    assert "".join(wrapped.split()) == "".join(text.split())
    # Korean words are never split across lines.
    tokens = set(wrapped.split())
    assert all(k in tokens for k in KOREAN if k in parts)


def test_korean_fills_half_as_many_characters_as_english() -> None:
    text = "탈북민 아이들을 위해 겨울 외투를 모았습니다. " * 6
    lines = wrap_width(text, 72, break_long_words=False).split("\n")
    assert max(display_width(line) for line in lines) <= 72
    assert max(len(line) for line in lines) <= 40  # ~36 syllables of two columns each
    assert len(lines) > 3


def test_han_without_spaces_breaks_between_characters() -> None:
    text = "故人西辞黄鹤楼烟花三月下扬州孤帆远影碧空尽唯见长江天际流" * 3
    lines = wrap_width(text, 20, break_long_words=False).split("\n")
    assert all(display_width(line) <= 20 for line in lines) and "".join(lines) == text


def test_links_are_never_split() -> None:
    url = "https://example.org/" + "a" * 100
    assert url in wrap_width(f"Read {url} today", 30, break_long_words=True).split("\n")


def test_the_email_template_filter_is_width_aware() -> None:
    env = template_env()
    out = env.from_string("{{ t|wordwrap(20, break_long_words=False, break_on_hyphens=False) }}").render(
        t="봉사자들이 서울에서 겨울 외투를 모았습니다"
    )
    assert all(display_width(line) <= 20 for line in out.split("\n")), out
