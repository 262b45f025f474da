"""Whether a generated summary says only what the article says: every content word must be in it.

A language model can add a plausible word that changes the story ("arrested",
"deported", a place) without any capital letter or number for the name and number
checks to catch. So each sentence of the answer is checked word by word: every
word that is not a function word must occur in the article, compared by a crude
stem (``opened``/``opens``/``open`` agree). Korean words may carry a particle the
article does not (``장학금을`` against ``장학금이``), so a Hangul word is supported when it
or the word without its last one or two syllables occurs in the article.
Conservative by design: an unsupported word only means the extractive blurb is used.
"""

from __future__ import annotations

import re

from digest.summarise.split import split_sentences

_WORD = re.compile(r"[^\W\d_]+")
_SUFFIXES = ("ing", "ed", "es", "s", "ly", "er")
# Function words carry no facts of their own; anything else must come from the article.
_FUNCTION_WORDS_TEXT = """a an the and or but nor of in on at to for from by with as into onto over under
    about after
    before since until during within without between among through across against per via is are was
    were be been being am has have had having do does did it its this that these those there here
    their they them he him his she her hers we us our you your i me my not no than then so such who
    whom whose which what when where while why how also very more most other others some any each every
    all both either neither can could will would may might must shall should just only own same too
    up down out off again once new s"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


def unsupported_word(answer: str, article: str) -> str | None:
    """The first content word of ``answer`` the article does not contain, or None."""
    stems = {_stem(w) for w in _WORD.findall(article.lower())}
    article_lower = article.lower()
    for sentence in split_sentences(answer):
        for word in _WORD.findall(sentence.lower()):
            if word in _FUNCTION_WORDS:
                continue
            if _is_hangul(word):
                if not _hangul_supported(word, article_lower):
                    return word
            elif _stem(word) not in stems:
                return word
    return None


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _is_hangul(word: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in word)


def _hangul_supported(word: str, article: str) -> bool:
    candidates = [word] + [word[:-n] for n in (1, 2) if len(word) - n >= 2]
    return any(c in article for c in candidates)
