"""Summariser: text in, verbatim sentences and key phrases out.

An offline, deterministic extractive engine.  It never writes prose of its own:
every sentence in a :class:`Summary` is copied from the article, so it cannot
invent facts about the people the newsletter reports on.  See docs/summariser.md.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from digest.summarise.errors import SummariseError
from digest.summarise.hashtags import hashtags

# The engine is imported where it runs: the summariser registry is read with every command's
# settings (its names), and loading the engine's patterns and word lists cost each of them
# a tenth of a second.
if TYPE_CHECKING:
    from digest.summarise.engine import Weights
    from digest.types import BlurbSentence

__all__ = ["Summary", "SummariseError", "blurb", "hashtags", "summarise"]

_LANGUAGES = ("en", "de", "ko")
_MAX_CHARS = 5_000_000  # about a million words: far beyond any article, still bounded


class Summary:
    """The result: ``sentences`` quoted verbatim in article order, and key phrases.

    ``source`` is "extractive" for the built-in engine; "llm" only for a checked
    model answer from :mod:`digest.summarise.llm` (whose sentences are not quotes).
    ``origins`` gives each sentence with the article paragraph it came from (issue 23).

    Immutable, compared by value like a frozen dataclass.  The engine's key phrases
    are worked out on first access (a summary that is only quoted never pays for
    them); the result does not depend on when they are read.
    """

    __slots__ = ("sentences", "source", "_keyphrases", "_pending", "_origins", "_text")
    sentences: list[str]
    source: str
    _keyphrases: list[str]
    _pending: tuple[list[str], str | None, str] | None
    _origins: tuple[BlurbSentence, ...] | None
    _text: str

    def __init__(
        self,
        sentences: list[str],
        keyphrases: list[str] | None = None,
        source: str = "extractive",
        origins: tuple[BlurbSentence, ...] | None = None,
    ) -> None:
        object.__setattr__(self, "sentences", sentences)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_keyphrases", list(keyphrases) if keyphrases is not None else [])
        object.__setattr__(self, "_pending", None)
        object.__setattr__(self, "_origins", origins)
        object.__setattr__(self, "_text", "")

    @classmethod
    def _deferred(
        cls, sentences: list[str], article: list[str], language: str | None, raw: str, text: str
    ) -> Summary:
        """A summary whose key phrases come from ``article`` sentences when first read, and
        whose origins from ``text`` (the article as plain text, which the sentences quote).

        ``language`` None means: detect it from ``raw`` (the text as given) then.
        """
        out = cls(sentences)
        object.__setattr__(out, "_pending", (article, language, raw))
        object.__setattr__(out, "_text", text)
        return out

    @property
    def origins(self) -> tuple[BlurbSentence, ...]:
        """Each sentence with the paragraph of the article it came from (worked out when read)."""
        if self._origins is None:
            from digest.summarise.origins import quoted

            object.__setattr__(self, "_origins", quoted(self.sentences, self._text))
        return self._origins  # type: ignore[return-value]  # set just above

    @property
    def keyphrases(self) -> list[str]:
        """Proper-noun phrases (Korean: frequent nouns), best first."""
        if self._pending is not None:
            from digest.summarise.keyphrases import keyphrases as extract_keyphrases
            from digest.summarise.text import detect_language

            article, language, raw = self._pending
            lang = language or detect_language(raw)
            object.__setattr__(self, "_keyphrases", extract_keyphrases(article, lang))
            object.__setattr__(self, "_pending", None)
        return self._keyphrases

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Summary is immutable (cannot set {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Summary):
            return NotImplemented
        return (self.sentences, self.keyphrases, self.source) == (
            other.sentences,
            other.keyphrases,
            other.source,
        )

    __hash__ = None  # type: ignore[assignment]  # holds lists, like the dataclass did

    def __repr__(self) -> str:
        return (
            f"Summary(sentences={self.sentences!r}, keyphrases={self.keyphrases!r}, source={self.source!r})"
        )


def summarise(
    text: str, title: str | None = None, max_sentences: int = 3, language: str | None = None
) -> Summary:
    """Pick up to ``max_sentences`` sentences that best summarise ``text``.

    Contract: the returned sentences are substrings of the article (of its plain-text
    form when ``text`` is HTML), in article order, with no duplicates; the result
    depends only on the arguments.  ``language`` is "en", "de", "ko" or None (detect from
    the text): it picks the sentence rules (German ordinals, Korean endings) and key phrases.
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
    from digest.summarise.engine import build_candidates, keep_purpose, score, select
    from digest.summarise.furniture import trim_fronts
    from digest.summarise.purpose import article_kind, carries
    from digest.summarise.split import split_sentences
    from digest.summarise.text import content_terms, looks_like_html, strip_html

    raw = _check(text, title, k, language)
    text = strip_html(raw) if looks_like_html(raw) else raw
    sentences = trim_fronts(split_sentences(text, language), title)
    if not sentences:
        return Summary(sentences=[])
    weights = _weights()
    article = build_candidates(sentences, max(weights.window, k))
    title_text = title if title else _headline(text)
    scores = score(article, frozenset(content_terms(title_text)), weights)
    chosen = select(article.candidates, scores, k, max_words, weights)
    kind = article_kind(title) if title else "news"  # the article's own headline, never a guess
    if kind != "news":  # an invitation keeps its date and place, a thank-you its thanks...
        carrying = [carries(s, kind) for s in sentences[: len(article.candidates)]]
        chosen = keep_purpose(article.candidates, scores, chosen, carrying, k, max_words)
    return Summary._deferred([c.text for c in chosen], sentences, language, raw, text)


@functools.cache
def _weights() -> Weights:
    """The shipped engine (immutable), made once."""
    from digest.summarise.engine import Weights

    return Weights()


def _check(text: object, title: object, k: object, language: object) -> str:
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
    return text


def _headline(text: str) -> str:
    """Without a title, use short unpunctuated lines at the top (a pasted headline).

    Only whole lines count: a caption glued into prose is not a headline.
    """
    lines = [line.strip() for line in text.lstrip()[:2000].split("\n")[:8]]
    return " ".join(
        line for line in lines if len(line) <= 300 and 3 <= len(line.split()) <= 20 and line[-1:].isalnum()
    )
