"""The seam between compose and the summariser: an article in, a blurb out."""

from __future__ import annotations

from dataclasses import dataclass

from digest.summarise import summarise
from digest.types import Article, EditionItem


@dataclass(frozen=True)
class BlurbOptions:
    max_sentences: int = 3
    max_words: int = 70
    language: str | None = None


def make_item(article: Article, options: BlurbOptions) -> EditionItem:
    """Summarise ``article`` into a blurb of whole sentences within the word budget."""
    summary = summarise(
        article.text,
        title=article.title,
        max_sentences=options.max_sentences,
        language=options.language,
    )
    kept: list[str] = []
    words = 0
    for sentence in summary.sentences:
        count = len(sentence.split())
        if kept and words + count > options.max_words:
            break
        kept.append(sentence)
        words += count
    return EditionItem(article=article, blurb=" ".join(kept), keyphrases=tuple(summary.keyphrases))
