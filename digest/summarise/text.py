"""Text helpers shared by the summariser: HTML clean-up, language guess, word tokens.

Everything here is rule-based and data-free so the summariser runs offline.
"""

from __future__ import annotations

import html
import re
from itertools import repeat
from operator import methodcaller

from digest.language import text_language

_TAG_HINT = re.compile(r"<(?:[a-zA-Z][\w:-]*|/[a-zA-Z][\w:-]*|!--)[^<>]*>")
_DROP_BLOCKS = re.compile(r"(?is)<(script|style|noscript|template|svg|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->")
_BLOCK_TAGS = re.compile(
    r"(?i)</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|"
    r"blockquote|figure|figcaption|pre|hr)\b[^>]*>"
)
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")
_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*")

_WORD = re.compile(r"[^\W_]+(?:[’'.-][^\W_]+)*")
_HANGUL = re.compile(r"[가-힣]")


def word_set(spec: str) -> frozenset[str]:
    """A frozen set of the white-space separated words in ``spec`` (for word lists)."""
    return frozenset(spec.split())


# Common English function words: they say nothing about what an article is about.
STOPWORDS = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours out over own same she should so some such than that the
    their theirs them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours said says say told also one two new like just get got us year years mr mrs ms
    would could may might must shall us 's s t"""
)
# Korean particles and endings stripped from the end of a word so that 북한은/북한이/
# 북한의 all count as 북한.  Longest first so 에서 wins over 서.
_KO_SUFFIXES = tuple(
    sorted(
        word_set(
            "은 는 이 가 을 를 의 에 에서 에게 께서 으로 로 와 과 도 만 까지 부터 이다 였다 했다 "
            "하는 하고 한 이며 이라고 라고 에는 에서는 으로는 과의 와의 들 들은 들이 들을"
        ),
        key=len,
        reverse=True,
    )
)


def looks_like_html(text: str) -> bool:
    """True when ``text`` contains markup tags that should not reach a reader."""
    return _TAG_HINT.search(text) is not None


def strip_html(text: str) -> str:
    """Turn an HTML fragment into plain text, keeping block structure as blank lines."""
    text = _DROP_BLOCKS.sub(" ", text)
    text = _BLOCK_TAGS.sub("\n\n", text)
    text = _ANY_TAG.sub(" ", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def detect_language(text: str) -> str:
    """"ko" or "en", by the one rule of :func:`digest.language.text_language`."""
    return text_language(text, "en")


def words(text: str) -> list[str]:
    """Word tokens with their original case (letters and digits, inner ' . - kept)."""
    return _WORD.findall(text)


def normalise(word: str) -> str:
    """Lower-case a word and fold simple inflections so counts line up."""
    w = word.lower().replace("’", "'")
    if _HANGUL.match(w):
        return strip_korean_suffix(w)
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def strip_korean_suffix(word: str) -> str:
    """Drop one trailing particle from a Korean word, keeping at least two syllables."""
    for suffix in _KO_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """Normalised tokens minus stop words: the vocabulary the scorer compares."""
    terms = (normalise(w) for w in words(text))
    return [t for t in terms if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def term_sets(sentences: list[str]) -> list[tuple[frozenset[str], int]]:
    """(distinct content terms, word count) of each sentence, as :func:`content_terms` sees it.

    Hot path, kept to a few C-level operations per sentence: tokens are white-space
    separated words stripped of edge punctuation (so "U.S." is "u.s", "3,000" one
    token), and the few words that fold (plurals, possessives, Korean particles)
    are normalised once for the whole document.
    """
    token_lists: list[list[str]] = []
    for sentence in sentences:
        # White-space split and one strip of edge punctuation per token, both in C;
        # a token that was only punctuation becomes "" and is not a word.  A closing
        # bracket also ends a word: "(CNN)Blues" is "cnn" and "blues".
        raw = sentence.lower().replace("’", "'").replace(")", ") ").split()
        token_lists.append(list(map(str.strip, raw, repeat(_EDGE_PUNCT, len(raw)))))
    vocab = set().union(*token_lists)
    vocab -= _DROP  # stop words go before folding ("does" must not become "doe")
    get = _folds(vocab).get
    return [
        (frozenset(map(get, tokens, tokens)) - _DROP, len(tokens) - tokens.count(""))
        for tokens in token_lists
    ]


_EDGE_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~‘“”«»—–…·•©®™°§¶†‡′″‹›„‚"
_DROP = STOPWORDS | frozenset("abcdefghijklmnopqrstuvwxyz") | {""}
_ENDS_S = methodcaller("endswith", "s")


def _folds(vocab: set[str]) -> dict[str, str]:
    """``{word: normalised}`` for the words :func:`normalise` may change.

    Only words ending in "s" (plurals, possessives) or with non-ASCII letters
    (Korean particles, accents) can change; plain plurals are folded inline, the
    rest go through :func:`normalise`.  Words it drops map to "".
    """
    fold = {
        w: _content(w)
        if "'" in w
        else w[:-3] + "y"
        if len(w) > 4 and w[-3:] == "ies"
        else w[:-1]
        if len(w) > 3 and w[-2] not in "sui"
        else w
        for w in filter(_ENDS_S, vocab)
    }
    if not "".join(vocab).isascii():
        fold.update((w, _content(w)) for w in vocab if not w.isascii())
    return fold


def _content(word: str) -> str:
    """The normalised term for a lower-case word, or "" when it is not a content term."""
    t = normalise(word)
    if t in STOPWORDS or (len(t) < 2 and not t.isdigit()):
        return ""
    return t
