"""One story, one entry (issue 23): whether two articles tell the same story.

Two feeds often carry one story: our own article and a partner's short RSS item in other
words, or a wire story syndicated twice. Each article becomes the set of its content terms
(:func:`digest.summarise.text.content_terms`: folded words without stop words, numbers kept)
of its title and its first :data:`LEAD_WORDS` words, where a news story says what it is about.
Two articles tell the same story when the smaller set shares at least :data:`THRESHOLD` of its
terms with the other (the overlap coefficient), and at least :data:`MIN_SHARED` terms: a short
item in other words is scored against the long article by its own few terms, which a plain
cosine or Jaccard dilutes. Two things the text cannot outvote: titles numbered differently
("Week 2", "Part 3") are instalments, and a text shared word for word under unlike titles is a
feed's boilerplate ("Read the full story on our website"), not one story.

The threshold was measured on a labelled set built from the summariser's evaluation data
(benchmarks/same_story.py; figures in docs/sources.md): every story against a short retelling
of it (its reference highlights, a different writer's words) and against every other story's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from digest.summarise.text import content_terms, looks_like_html, strip_html, words

THRESHOLD = 0.475
LEAD_WORDS = 300
# Fewer shared terms say too little to call two stories one: short items of one feed share
# their boilerplate ("... happened this week. More people came than expected.").
MIN_SHARED = 8
ALIKE = 0.5  # texts sharing this much word for word are one text: copied, or boilerplate
TITLES_ALIKE = 0.75  # the headline of a copy: nearly all the words of both titles are shared
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve"]
    )
}


@dataclass(frozen=True)
class Story:
    """What two articles are compared by: the content terms of the title, of the lead, and both."""

    title: frozenset[str]
    lead: frozenset[str]
    numbers: frozenset[str] = frozenset()  # of the title, "one" as "1"
    runs: frozenset[int] = frozenset()  # hashes of the lead's runs of 4 words, as written

    @property
    def terms(self) -> frozenset[str]:
        return self.title | self.lead


def story_terms(title: str, text: str) -> Story:
    """The content terms of ``title`` and of the first :data:`LEAD_WORDS` words of ``text``."""
    plain = strip_html(text) if looks_like_html(text) else text
    lead = " ".join(plain.split()[:LEAD_WORDS])
    numbers = frozenset(
        _NUMBER_WORDS.get(w, w) for w in words(title.lower()) if w.isdigit() or w in _NUMBER_WORDS
    )
    tokens = words(lead.lower())
    runs = frozenset(hash(tuple(tokens[i : i + 4])) for i in range(len(tokens) - 3))
    return Story(frozenset(content_terms(title)), frozenset(content_terms(lead)), numbers, runs)


def similarity(a: Story, b: Story) -> float:
    """The share of the smaller term set the other has (0 when they share too few terms)."""
    return _overlap(a.terms, b.terms, MIN_SHARED)


def score(a: Story, b: Story) -> float:
    """:func:`similarity`, or 0 for instalments and for one boilerplate text under unlike titles."""
    if _instalments(a, b):
        return 0.0
    # The same text word for word under unlike titles is a feed's boilerplate, not one story: a
    # passage under titles that share no word, or most of both texts under titles that differ (a
    # partner retelling our story uses its own words; a copy keeps its headline; "The past
    # gathering" and "The future gathering", "Last Wednesday" and "This Wednesday" are two events).
    if _overlap(a.runs, b.runs) >= ALIKE and _unrelated_titles(a, b) or (
        _jaccard(a.runs, b.runs) >= ALIKE and _jaccard(a.title, b.title) < TITLES_ALIKE
    ):
        return 0.0
    return similarity(a, b)


def same_story(a: Story, b: Story, threshold: float = THRESHOLD) -> bool:
    return score(a, b) >= threshold


def _overlap(a: frozenset[Any], b: frozenset[Any], least: int = 1) -> float:
    shared = len(a & b)
    return shared / min(len(a), len(b)) if shared >= least else 0.0


def _jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _unrelated_titles(a: Story, b: Story) -> bool:
    """No word of either title is in the other article's title or lead."""
    return not a.title & b.terms and not b.title & a.terms


def _instalments(a: Story, b: Story) -> bool:
    """Titles alike but for their numbers, which differ ("Week 2" and "Week one", "Part 3")."""
    if not a.numbers or not b.numbers or a.numbers & b.numbers:
        return False
    words_a = frozenset(t for t in a.title if not t.isdigit())
    words_b = frozenset(t for t in b.title if not t.isdigit())
    return not (words_a or words_b) or _overlap(words_a, words_b) >= 0.5


def groups(stories: Sequence[Story], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indexes of ``stories`` grouped by story, each group in index order, groups in the order of
    their first member. A story joins the group whose first member it is most like (never a chain:
    A like B and B like C does not make A and C one story)."""
    found: list[list[int]] = []
    for i, story in enumerate(stories):
        scores = [score(stories[g[0]], story) for g in found]
        best = max(range(len(found)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= threshold:
            found[best].append(i)
        else:
            found.append([i])
    return found
