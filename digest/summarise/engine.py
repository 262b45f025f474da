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
from itertools import chain
from typing import NamedTuple

from digest.summarise.noise import qualities
from digest.summarise.text import term_sets


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
    window: int = 20  # only the first sentences compete; the rest only count as context


class Candidate(NamedTuple):
    """One sentence with everything the scorer needs (a tuple: cheap to build)."""

    at: int  # position in the article
    text: str
    terms: frozenset[str]
    n_words: int
    quality: float


@dataclass(frozen=True)
class Article:
    """The competing lead sentences plus document frequencies over the whole text."""

    candidates: list[Candidate]
    df: Counter[str]


def build_candidates(sentences: list[str], window: int = 20) -> Article:
    """Tokenise every sentence once; attach furniture/caption quality to the first ``window``.

    The lead prior halves every few sentences, so a sentence far down the article
    cannot win: it only contributes to the vocabulary counts (centrality).
    """
    bags = term_sets(sentences)
    df = Counter(chain.from_iterable(terms for terms, _ in bags))
    head = sentences[: window + 1]  # one more: an image credit marks the caption before it
    quals = qualities(head, [n for _, n in bags[: len(head)]])
    cands = [
        Candidate(i, s, terms, n, q)
        for i, (s, (terms, n), q) in enumerate(zip(head[:window], bags, quals, strict=False))
    ]
    return Article(cands, df)


def score(article: Article, title_terms: frozenset[str], w: Weights) -> list[float]:
    """Score every candidate (see module docstring); linear in the number of sentences."""
    cands, df = article.candidates, article.df
    # log1p(df - 1) ignores the sentence's own occurrence: words repeated elsewhere count.
    top_df = max(df.values(), default=0)
    logs = _LOG_REPEATS if top_df < len(_LOG_REPEATS) else _log_table(top_df)
    cent = [
        sum(map(logs.__getitem__, map(df.__getitem__, c.terms))) / math.sqrt(len(c.terms) + 4) for c in cands
    ]
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


def _log_table(top: int) -> tuple[float, ...]:
    """``log1p(n - 1)`` for document frequencies ``n = 0..top`` (index 0 is never used)."""
    return (0.0, *(math.log1p(n - 1) for n in range(1, top + 1)))


_LOG_REPEATS = _log_table(511)


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
    for i in order:
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
    return sorted(chosen, key=lambda c: c.at)


def keep_purpose(
    cands: list[Candidate], scores: list[float], chosen: list[Candidate], carrying: list[bool], k: int,
    max_words: int | None,
) -> list[Candidate]:
    """``chosen`` with the best candidate that ``carrying`` marks (the date of an invitation, the
    thanks of a thank-you, the ask of an appeal) when none of it is chosen: added if there is
    room, else in place of the weakest pick after the first (which a blurb always keeps)."""
    if not any(carrying) or any(carrying[c.at] for c in chosen):
        return chosen
    fits = (i for i, c in enumerate(cands) if carrying[c.at] and scores[i] > 0)
    best = max(fits, key=scores.__getitem__, default=None)
    if best is None:
        return chosen
    extra = cands[best]
    used = sum(c.n_words for c in chosen)
    if len(chosen) < k and (max_words is None or used + extra.n_words <= max_words):
        return sorted([*chosen, extra], key=lambda c: c.at)
    if len(chosen) < 2:
        return chosen  # the one pick is the blurb's first sentence, which is always kept
    at = {c.at: i for i, c in enumerate(cands)}
    weakest = min(chosen[1:], key=lambda c: scores[at[c.at]])
    return sorted([c for c in chosen if c is not weakest] + [extra], key=lambda c: c.at)
