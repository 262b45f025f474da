"""Where each blurb sentence came from (issue 23): the article's paragraph, as read, that holds it.

Readers of AI news digests catch invented facts; a volunteer approving a post should see, beside
each sentence, the paragraph it stands on. A quoted sentence (the extractive engine) is found in
the article text; a written one (an LLM blurb) gets the article sentences that support its words
most, and the faithfulness check's verdict on them.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from digest.summarise.split import paragraph_bounds, span_bounds
from digest.summarise.support import unsupported_word
from digest.summarise.text import content_terms
from digest.types import BlurbSentence, SentenceSource

SUPPORTED = "supported: every word is in these sentences"
SUPPORTED_BY_ARTICLE = "supported: every word is in the article, not all in these sentences"
_MOST_SUPPORTING = 3


class Paragraphs:
    """The article text's paragraphs, to find the one an offset falls in."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bounds = paragraph_bounds(text)
        self.starts = [s for s, _ in self.bounds]

    def at(self, start: int, end: int) -> tuple[int, int, int] | None:
        """(index, paragraph start, paragraph end) of the paragraph holding ``text[start:end]``."""
        i = bisect_right(self.starts, start) - 1
        if i < 0 or end > self.bounds[i][1]:
            return None
        return i, *self.bounds[i]


def quoted(sentences: list[str], text: str) -> tuple[BlurbSentence, ...]:
    """Each of ``sentences`` (verbatim, in article order) with its paragraph of ``text``."""
    paragraphs = Paragraphs(text)
    out, cursor = [], 0
    for sentence in sentences:
        at = text.find(sentence, cursor)
        if at < 0:
            at = text.find(sentence)
        found = paragraphs.at(at, at + len(sentence)) if at >= 0 and sentence else None
        if found is None:
            out.append(BlurbSentence(sentence))
            continue
        index, p_start, p_end = found
        offset = at - p_start
        source = SentenceSource(index, text[p_start:p_end], offset, offset + len(sentence))
        out.append(BlurbSentence(sentence, source))
        cursor = at + len(sentence)
    return tuple(out)


def written(sentences: list[str], text: str) -> tuple[BlurbSentence, ...]:
    """Each written sentence with the article sentences sharing most of its words (up to three,
    each adding words the others lack), the first one's paragraph, and the verdict."""
    paragraphs = Paragraphs(text)
    spans = span_bounds(text)
    terms = [set(content_terms(text[s:e])) for s, e in spans]
    out = []
    for sentence in sentences:
        picked = _cover(set(content_terms(sentence)), terms)
        if not picked:
            out.append(BlurbSentence(sentence))
            continue
        support = tuple(text[spans[i][0] : spans[i][1]] for i in sorted(picked))
        verdict = SUPPORTED if unsupported_word(sentence, " ".join(support)) is None else SUPPORTED_BY_ARTICLE
        found = paragraphs.at(*spans[picked[0]])
        index, p_start, p_end = found if found else (0, 0, 0)
        source = SentenceSource(index, text[p_start:p_end], 0, 0, support, verdict)
        out.append(BlurbSentence(sentence, source))
    return tuple(out)


def _cover(wanted: set[str], terms: list[set[str]]) -> list[int]:
    """Greedily, the article sentences (indexes, best first) that cover most of ``wanted``."""
    picked: list[int] = []
    left = set(wanted)
    while left and len(picked) < _MOST_SUPPORTING:
        best = max(range(len(terms)), key=lambda i: len(terms[i] & left), default=None)
        if best is None or not terms[best] & left:
            break
        picked.append(best)
        left -= terms[best]
    return picked


def as_json(sentence: BlurbSentence) -> dict[str, object]:
    """``{"text": ..., "source": {"paragraph": N, "text": ..., "start": .., "end": ..}}`` (a written
    sentence's source also has ``supporting`` and ``verdict``; ``source`` is None when not known)."""
    src = sentence.source
    if src is None:
        return {"text": sentence.text, "source": None}
    source: dict[str, object] = {
        "paragraph": src.paragraph,
        "text": src.text,
        "start": src.start,
        "end": src.end,
    }
    if src.supporting:
        source.update(supporting=list(src.supporting), verdict=src.verdict)
    return {"text": sentence.text, "source": source}


def to_json(sentences: tuple[BlurbSentence, ...], hide: Callable[[str], bool] | None = None) -> str:
    """``sentences`` as JSON for the ledger; a paragraph or supporting sentence ``hide`` flags (one
    naming a protected term) is kept as "" with ``"withheld": true``, never stored."""
    out = []
    for item in sentences:
        entry = as_json(item)
        source = entry["source"]
        if isinstance(source, dict) and hide is not None:
            if hide(str(source["text"])):
                source.update(text="", start=0, end=0, withheld=True)
            if "supporting" in source:
                source["supporting"] = ["" if hide(t) else t for t in source["supporting"]]  # type: ignore[union-attr]
        out.append(entry)
    return json.dumps(out, ensure_ascii=False)


def from_json(text: str) -> list[dict[str, Any]]:
    """What :func:`to_json` stored, as a list of ``{"text", "source"}`` (empty for anything else)."""
    try:
        data = json.loads(text) if text else []
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [d for d in data if isinstance(d, dict) and isinstance(d.get("text"), str)]
