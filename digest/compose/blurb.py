"""The seam between compose and the summariser: an article in, a blurb out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.summarise import Summary, blurb
from digest.summarise.llm import llm_blurb
from digest.types import Article, EditionItem


@dataclass(frozen=True)
class LlmOptions:
    base_url: str
    api_key: str
    model: str
    timeout: float


@dataclass(frozen=True)
class BlurbOptions:
    max_sentences: int = 3
    max_words: int = 70
    language: str | None = None
    llm: LlmOptions | None = None
    protected: Callable[[str], bool] | None = None


def make_item(article: Article, options: BlurbOptions) -> EditionItem:
    """Summarise ``article`` into a blurb of whole sentences within the word budget.

    The article's own language is detected (a Korean story in an English digest
    still gets a Korean blurb). With an LLM configured, its answer is used only
    when it passes the checks in :mod:`digest.summarise.llm`.
    """
    summary = _summary(article, options)
    return EditionItem(article=article, blurb=summary.text, keyphrases=tuple(summary.keyphrases))


def _summary(article: Article, options: BlurbOptions) -> Summary:
    if options.llm is None:
        return blurb(article.text, article.title, options.max_sentences, options.max_words)
    return llm_blurb(
        base_url=options.llm.base_url, api_key=options.llm.api_key or None, model=options.llm.model,
        timeout=options.llm.timeout, text=article.text, title=article.title,
        max_words=options.max_words, max_sentences=options.max_sentences, protected=options.protected,
    )
