"""Summariser seam: text in, verbatim sentences and key phrases out.

First version: the article's first sentences. The summariser issue replaces the
engine behind this same interface.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Summary:
    sentences: list[str]
    keyphrases: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


_SPLIT = re.compile(r"(?<=[.!?。])\s+")


def summarise(
    text: str, title: str | None = None, max_sentences: int = 3, language: str | None = None
) -> Summary:
    """Return the first ``max_sentences`` sentences of ``text``, copied verbatim."""
    sentences = [s.strip() for s in _SPLIT.split(text.strip()) if s.strip()]
    return Summary(sentences=sentences[:max_sentences])
