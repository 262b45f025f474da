"""The one list of summarisers: an article in, a blurb out.

:data:`SUMMARISERS` is the one list of ways to write a blurb (``DIGEST_SUMMARISER``
picks one; :mod:`digest.plugins` passes the names to the settings). Each is a callable
``(article, options) -> Summary``; compose and `digest summarise` both go through
:func:`make_item`, so a blurb previewed for one article is the blurb that article gets
in an edition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.summarise import Summary, blurb
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
    llm: LlmOptions | None = None
    protected: Callable[[str], bool] | None = None
    summariser: str = "extractive"


def extractive(article: Article, options: BlurbOptions) -> Summary:
    """The offline engine: sentences quoted from the article, its language detected from the text
    (a Korean story in an English digest still gets a Korean blurb and Korean key phrases)."""
    return blurb(article.text, article.title, options.max_sentences, options.max_words)


def llm(article: Article, options: BlurbOptions) -> Summary:
    """A checked model answer (see :mod:`digest.summarise.llm`); the extractive blurb when the
    answer fails a check or no endpoint is configured."""
    if options.llm is None:
        return extractive(article, options)
    from digest.summarise.llm import llm_blurb

    return llm_blurb(
        base_url=options.llm.base_url, api_key=options.llm.api_key or None, model=options.llm.model,
        timeout=options.llm.timeout, text=article.text, title=article.title,
        max_words=options.max_words, max_sentences=options.max_sentences, protected=options.protected,
    )


Summariser = Callable[[Article, BlurbOptions], Summary]

SUMMARISERS: dict[str, Summariser] = {"extractive": extractive, "llm": llm}


def summariser_names() -> list[str]:
    return list(SUMMARISERS)


def make_item(article: Article, options: BlurbOptions) -> EditionItem:
    """Summarise ``article`` into a blurb of whole sentences within the word budget, with the
    summariser ``options.summariser`` names."""
    summary = SUMMARISERS[options.summariser](article, options)
    return EditionItem(
        article=article, blurb=summary.text, keyphrases=tuple(summary.keyphrases), sentences=summary.origins
    )
