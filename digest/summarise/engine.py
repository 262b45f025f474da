"""Extractive scoring and selection: which article sentences to quote.

Score of sentence *i* = quality(i) x length(i) x (lead(i) + centrality(i) + title(i)):

* **lead**: news puts the story first, so early sentences get a prior that decays
  with their rank among *reporting* sentences (captions and furniture don't push
  the real text down).
* **centrality**: how much of the article's recurring vocabulary the sentence
  covers (cosine-like overlap with the article's term profile, computed in one pass,
  so it is linear in the article length rather than pairwise).
* **title**: overlap with the headline (given, or a short unpunctuated top line).
* **quality** (:mod:`noise`) zeroes page furniture and damps captions.
* **length** prefers informative, digestible sentences over fragments and run-ons.

Selection is greedy by score with a redundancy check (a sentence mostly covered by
those already chosen is skipped), then the chosen sentences go back in article order.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from digest.summarise.noise import qualities
from digest.summarise.text import term_set


@dataclass(frozen=True)
class Weights:
    """Tuning knobs; the defaults are the shipped engine."""

    lead: float = 1.0
    lead_halflife: float = 3.0  # rank (among reporting sentences) where the prior halves
    centrality: float = 0.4
    title: float = 0.5
    short_words: int = 8  # below this a sentence is probably a fragment
    long_words: int = 35  # above this a sentence is too much to quote
    redundancy: float = 0.7  # skip a sentence whose terms are this much covered already
    max_candidates: int = 400  # long documents: only the best-placed sentences compete


@dataclass(frozen=True)
class Candidate:
    """One sentence with everything the scorer needs."""

    index: int
    text: str
    terms: frozenset[str]
    n_words: int
    quality: float


def build_candidates(sentences: list[str]) -> list[Candidate]:
    """Tokenise each sentence once and attach its furniture/caption quality."""
    memo: dict[str, str] = {}
    bags = [term_set(s, memo) for s in sentences]
    quals = qualities(sentences, [n for _, n in bags])
    return [
        Candidate(i, s, terms, n, q)
        for i, (s, (terms, n), q) in enumerate(zip(sentences, bags, quals, strict=True))
    ]


def score(cands: list[Candidate], title_terms: frozenset[str], w: Weights) -> list[float]:
    """Score every candidate (see module docstring); linear in the number of sentences."""
    df = Counter(t for c in cands for t in c.terms)
    cent = [_centrality(c.terms, df) for c in cands]
    top = max(cent, default=0.0) or 1.0
    out: list[float] = []
    rank = 0
    for c, cen in zip(cands, cent, strict=True):
        lead = 0.5 ** (rank / w.lead_halflife)
        if c.quality >= 0.5:
            rank += 1
        overlap = len(c.terms & title_terms) / math.sqrt(len(title_terms) + 1) if title_terms else 0.0
        base = w.lead * lead + w.centrality * cen / top + w.title * min(overlap, 1.0)
        out.append(c.quality * _length_factor(c.n_words, w) * base)
    return out


def _centrality(terms: frozenset[str], df: Counter[str]) -> float:
    if not terms:
        return 0.0
    # df - 1 ignores the sentence's own occurrence: words repeated elsewhere count.
    mass = sum(math.log1p(df[t] - 1) for t in terms)
    return mass / math.sqrt(len(terms) + 4)


def _length_factor(n_words: int, w: Weights) -> float:
    if n_words < w.short_words:
        return max(0.2, n_words / w.short_words)
    if n_words > w.long_words:
        return max(0.3, math.sqrt(w.long_words / n_words))
    return 1.0


def select(
    cands: list[Candidate], scores: list[float], k: int, max_words: int | None, w: Weights
) -> list[Candidate]:
    """Greedy pick of up to ``k`` sentences (and ``max_words`` words), in article order."""
    order = sorted(range(len(cands)), key=lambda i: (-scores[i], i))
    chosen: list[Candidate] = []
    covered: set[str] = set()
    used = 0
    for i in order[: max(w.max_candidates, k)]:
        c = cands[i]
        if len(chosen) >= k or scores[i] <= 0:
            break
        if max_words is not None and chosen and used + c.n_words > max_words:
            continue
        if c.terms and len(c.terms & covered) / len(c.terms) >= w.redundancy:
            continue
        chosen.append(c)
        covered |= c.terms
        used += c.n_words
    return sorted(chosen, key=lambda c: c.index)
