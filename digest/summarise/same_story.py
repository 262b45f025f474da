"""One story, one entry (issue 23): whether two articles tell the same story.

Two feeds often carry one story: our own article and a partner's short RSS item in other
words, or a wire story syndicated twice. Each article becomes the set of its content terms
(:func:`digest.summarise.text.content_terms`: folded words without stop words, numbers kept)
of its title and its first :data:`LEAD_WORDS` words, where a news story says what it is about.
Two sets tell the same story when the smaller one shares at least :data:`THRESHOLD` of its
terms with the other (the overlap coefficient), and at least :data:`MIN_SHARED` terms: a
short item in other words is scored against the long article by its own few terms, which a
plain cosine or Jaccard dilutes.

The threshold was measured on a labelled set built from the summariser's evaluation data
(benchmarks/same_story.py; figures in docs/sources.md): every story against a short retelling
of it (its reference highlights, a different writer's words) and against every other story's.
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.summarise.text import content_terms, looks_like_html, strip_html

THRESHOLD = 0.475
LEAD_WORDS = 300
# Fewer shared terms say too little to call two stories one: short items of one feed share
# their boilerplate ("... happened this week. More people came than expected.").
MIN_SHARED = 8


def story_terms(title: str, text: str) -> frozenset[str]:
    """The content terms of ``title`` and the first :data:`LEAD_WORDS` words of ``text``."""
    plain = strip_html(text) if looks_like_html(text) else text
    lead = " ".join(plain.split()[:LEAD_WORDS])
    return frozenset(content_terms(f"{title}\n{lead}"))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the smaller set's terms the other has (0 when they share too few)."""
    shared = len(a & b)
    if shared < MIN_SHARED:
        return 0.0
    return shared / min(len(a), len(b))


def same_story(a: frozenset[str], b: frozenset[str], threshold: float = THRESHOLD) -> bool:
    return similarity(a, b) >= threshold


def groups(terms: Sequence[frozenset[str]], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indexes of ``terms`` grouped by story (a story told three ways is one group), each group
    in index order, groups in the order of their first member."""
    parent = list(range(len(terms)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            if root(i) != root(j) and same_story(terms[i], terms[j], threshold):
                parent[max(root(i), root(j))] = min(root(i), root(j))
    found: dict[int, list[int]] = {}
    for i in range(len(terms)):
        found.setdefault(root(i), []).append(i)
    return list(found.values())
