"""Counting: twitter-text v3 conformance cases, an oracle cross-check, graphemes, bytes, little text.

The conformance expectations below are the weighted lengths published in twitter-text's
conformance/validate.yml (WeightedTweetsWithDiscountedEmojiCounterTest and
UnicodeDirectionalMarkerCounterTest), with each input rebuilt in code.
"""

from __future__ import annotations

import emoji
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.social.measure import escape_little_text, graphemes, weighted_length
from digest.social.platforms.registry import limits, measure
from tests.social import x_oracle

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
CJK160 = "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。" * 5
KANA = "あいうえおかきくけこ"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
PUNCT = "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b"

CONFORMANCE = [
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),
    ("xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),
    ("https://www.twitter.com/aloha " * 10, 240),
    (CJK160, 320),
    ("\U0001f637" * 160, 320),
    ("the" + CJK160, 323),
    ("282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxx\u00c1x", 281),
    ("H\U0001f431\u263a" + FAMILY, 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    (
        "This is a tweet with general punctuation characters: "
        + PUNCT
        + " ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷",
        110,
    ),
    ("randomurl" * 7 + "s.com", 68),
    (KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),
    (KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
    (FAMILY * 140, 280),
    ("Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; " + ENGLAND, 34),
    ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("ABC\u202a\uffffABC\ufffe", 12),
    ("\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
    ("Test https://test.com test https://test.com test.com test", 86),
    ("A\u0301B", 2),  # NFC first
]


@pytest.mark.parametrize(("text", "expected"), CONFORMANCE)
def test_x_conformance(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_conformance_cases_agree_with_the_oracle() -> None:
    assert [x_oracle.weighted_length(t) for t, _e in CONFORMANCE] == [e for _t, e in CONFORMANCE]


def test_every_emoji_sequence_matches_the_oracle() -> None:
    wrong = [s for s in emoji.EMOJI_DATA if weighted_length(s) != x_oracle.weighted_length(s)]
    assert wrong == []


WORDS = [
    "North",
    "Korea",
    "refugees",
    "탈북민",
    "아이들",
    "故人",
    "😀",
    "👨‍👩‍👧",
    "🇰🇷",
    "naïve",
    "(note)",
    "https://example.org/news/a-long-article-slug?utm_source=x&utm_medium=social",
    "example.org",
    "1️⃣",
    "—",
    "“quoted”",
    "e.g.",
    "U.S.",
    "#tag",
    "@someone",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from([" ", "\n", ", "]))
def test_realistic_snippets_match_the_oracle(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert weighted_length(text) == x_oracle.weighted_length(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        (FAMILY, 1),  # ZWJ sequence
        ("\U0001f1f0\U0001f1f7\U0001f1fa\U0001f1f8", 2),  # two flags
        ("한국어", 3),  # precomposed Hangul
        ("\u1112\u1161\u11ab\u1100\u1173\u11af", 2),  # conjoining jamo: 한글
        ("e\u0301a\u0308", 2),  # combining marks
        ("क्षि", 1),  # Indic conjunct (Unicode 15.1)
        ("👍🏽", 1),  # skin tone
        ("1️⃣", 1),  # keycap
        (ENGLAND, 1),  # tag sequence
    ],
)
def test_graphemes(text: str, count: int) -> None:
    assert graphemes(text) == count
    assert measure("bluesky", text).used == count


def test_bluesky_counts_bytes_too() -> None:
    text = "가" * 300
    m = measure("bluesky", text)
    assert (m.used, m.bytes_used, m.fits) == (300, 900, True)
    assert not measure("bluesky", "👨‍👩‍👧‍👦" * 120 + "가" * 180).fits  # 300 graphemes, 3,540 bytes


def test_mastodon_links_are_23_and_mentions_lose_their_domain() -> None:
    url = "https://example.org/" + "a" * 100
    assert measure("mastodon", f"Read {url} now").used == 5 + 23 + 4
    assert measure("mastodon", "hi @org@mastodon.social").used == len("hi @org")
    assert measure("mastodon", "example.org").used == 11  # no protocol, no link
    assert measure("mastodon", "x" * 600, limit=1000).fits


def test_threads_counts_utf8_bytes() -> None:
    assert measure("threads", "가" * 166).used == 498
    assert not measure("threads", "가" * 167).fits
    assert measure("threads", "“quoted”").used == 12  # curly quotes are 3 bytes each


def test_linkedin_little_text_escaping() -> None:
    text = "Coats (for kids) | 100% *done* https://example.org/a_(b) #NorthKorea @home"
    escaped = escape_little_text(text)
    assert escaped == r"Coats \(for kids\) \| 100% \*done\* https://example.org/a_(b) #NorthKorea \@home"
    assert measure("linkedin", text).used == len(escaped)


def test_limits_table() -> None:
    assert {p: (lim.size, lim.unit) for p, lim in limits().items()} == {
        "x": (280, "weighted characters"),
        "bluesky": (300, "graphemes"),
        "mastodon": (500, "characters"),
        "threads": (500, "bytes"),
        "linkedin": (3000, "characters"),
        "facebook": (5000, "characters"),
    }


def test_x_rejects_bidi_overrides_and_noncharacters() -> None:
    for char in "\u202a\u202b\u202c\u202d\u202e\ufeff\ufffe\uffff":
        m = measure("x", f"Coats for children{char} in Seoul")
        assert not m.fits and m.rejected == f"U+{ord(char):04X}"
    assert measure("x", "Coats for children in Seoul").fits
