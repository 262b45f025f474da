"""Summariser: text in, verbatim sentences and key phrases out.

An offline, deterministic extractive engine.  It never writes prose of its own:
every sentence in a :class:`Summary` is copied from the article, so it cannot
invent facts about the people the newsletter reports on.  See docs/summariser.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from digest.summarise.engine import Weights, build_candidates, score, select
from digest.summarise.errors import SummariseError
from digest.summarise.hashtags import hashtags
from digest.summarise.keyphrases import keyphrases as extract_keyphrases
from digest.summarise.split import split_sentences
from digest.summarise.text import content_terms, detect_language, looks_like_html, strip_html

__all__ = ["Summary", "SummariseError", "blurb", "hashtags", "summarise"]

_LANGUAGES = ("en", "ko")
_MAX_CHARS = 5_000_000  # about a million words: far beyond any article, still bounded


@dataclass(frozen=True)
class Summary:
    """The result: ``sentences`` quoted verbatim in article order, and key phrases.

    ``source`` is "extractive" for the built-in engine; "llm" only for a checked
    model answer from :mod:`digest.summarise.llm` (whose sentences are not quotes).
    """

    sentences: list[str]
    keyphrases: list[str] = field(default_factory=list)
    source: str = "extractive"

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def summarise(
    text: str, title: str | None = None, max_sentences: int = 3, language: str | None = None
) -> Summary:
    """Pick up to ``max_sentences`` sentences that best summarise ``text``.

    Contract: the returned sentences are substrings of the article (of its plain-text
    form when ``text`` is HTML), in article order, with no duplicates; the result
    depends only on the arguments.  ``language`` is "en", "ko" or None (detect).
    Empty or furniture-only text gives an empty summary.  Raises
    :class:`SummariseError` (a ``ValueError``) for bad arguments.
    """
    return _run(text, title, max_sentences, None, language)


def blurb(
    text: str,
    title: str | None = None,
    max_sentences: int = 3,
    max_words: int = 70,
    language: str | None = None,
) -> Summary:
    """A digest blurb: like :func:`summarise` but also within about ``max_words`` words.

    The app passes ``DIGEST_SUMMARY_SENTENCES`` / ``DIGEST_SUMMARY_MAX_WORDS`` here.
    The first chosen sentence is always kept, even when it alone is longer than
    ``max_words``, so a blurb is never empty for an article with content.
    """
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
        raise SummariseError(f"max_words must be a positive integer, got {max_words!r}")
    return _run(text, title, max_sentences, max_words, language)


def _run(text: str, title: str | None, k: int, max_words: int | None, language: str | None) -> Summary:
    text, lang = _check(text, title, k, language)
    if looks_like_html(text):
        text = strip_html(text)
    sentences = split_sentences(text)
    if not sentences:
        return Summary(sentences=[])
    weights = Weights()
    cands = build_candidates(sentences)
    title_text = title if title else _headline(text)
    scores = score(cands, frozenset(content_terms(title_text)), weights)
    chosen = select(cands, scores, k, max_words, weights)
    return Summary(
        sentences=[c.text for c in chosen],
        keyphrases=extract_keyphrases(sentences, lang),
    )


def _check(text: object, title: object, k: object, language: object) -> tuple[str, str]:
    if not isinstance(text, str):
        raise SummariseError(f"text must be a str, got {type(text).__name__}")
    if title is not None and not isinstance(title, str):
        raise SummariseError(f"title must be a str or None, got {type(title).__name__}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise SummariseError(f"max_sentences must be a positive integer, got {k!r}")
    if language is not None and language not in _LANGUAGES:
        raise SummariseError(f"language must be one of {_LANGUAGES} or None, got {language!r}")
    if len(text) > _MAX_CHARS:
        raise SummariseError(f"text is too long to summarise ({len(text)} > {_MAX_CHARS} chars)")
    return text, language if isinstance(language, str) else detect_language(text)


def _headline(text: str) -> str:
    """Without a title, use short unpunctuated lines at the top (a pasted headline).

    Only whole lines count: a caption glued into prose is not a headline.
    """
    lines = [line.strip() for line in text.lstrip()[:2000].split("\n")[:8]]
    return " ".join(line for line in lines if 3 <= len(line.split()) <= 20 and line[-1:].isalnum())
