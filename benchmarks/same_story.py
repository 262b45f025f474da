"""Measure near-duplicate detection ("one story, one entry", issue 23) on a labelled set.

    python benchmarks/same_story.py --data ../shared/eval/news-dev.jsonl

The labelled set is built by rule at run time from the JSONL file (nothing is copied):
- *our article*: a story's text, titled with its first sentence's first 14 words;
- *a partner's item in other words*: the same story's reference highlights, the first as its
  title and the rest as its body (a different writer, far shorter: the hard case);
- *a re-post*: the title and digest's own 3-sentence blurb of the story (what the ledger keeps
  of a story sent last week).
Pairs of the same story are positives; every pair of different stories is a negative, except
pairs labelled by hand as one story told twice (:data:`SAME_STORY`, checked by reading them).
The threshold is chosen (best F1 on partner pairs) on the stories of even position and the
figures are reported on the odd ones (held out), then on all.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.summarise import blurb  # noqa: E402
from digest.summarise.same_story import THRESHOLD, Story, score, story_terms  # noqa: E402
from digest.summarise.split import split_sentences  # noqa: E402

# The same golf story from two desks of one paper (read and labelled by hand).
SAME_STORY = {
    frozenset(
        {
            "cnndm-test-07d6ceff2988640eaa91355d6612f15e0e03eb2d",
            "cnndm-test-d3a85ca1228b8da6482f9a1bdeb8e409ede7ad1c",
        }
    ),
}
Terms = Story


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(rows: list[dict[str, str]]) -> tuple[list[Terms], list[Terms], list[Terms]]:
    ours, partners, reposts = [], [], []
    for r in rows:
        first = split_sentences(r["article"])[:1]
        title = " ".join(first[0].split()[:14]) if first else ""
        ours.append(story_terms(title, r["article"]))
        lines = [line.strip() for line in r["reference"].splitlines() if line.strip()]
        partners.append(story_terms(lines[0], " ".join(lines[1:])))
        reposts.append(story_terms(title, blurb(r["article"], title).text))
    return ours, partners, reposts


def pairs(
    ids: list[str], left: list[Terms], right: list[Terms], picked: list[int], symmetric: bool
) -> tuple[list[float], list[float]]:
    """(positive scores, negative scores) over the stories at ``picked``."""
    pos, neg = [], []
    for a in picked:
        for b in picked:
            if symmetric and b <= a:
                continue
            same = a == b or frozenset({ids[a], ids[b]}) in SAME_STORY
            (pos if same else neg).append(score(left[a], right[b]))
    return pos, neg


def prf(pos: list[float], neg: list[float], threshold: float) -> tuple[float, float, int, int]:
    tp = sum(s >= threshold for s in pos)
    fp = sum(s >= threshold for s in neg)
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / len(pos) if pos else 1.0, tp, fp


def best_threshold(pos: list[float], neg: list[float]) -> float:
    def f1(t: float) -> float:
        p, r, _, _ = prf(pos, neg, t)
        return 2 * p * r / (p + r) if p + r else 0.0

    return max(sorted({round(s, 3) for s in pos}), key=f1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="JSONL with article/reference")
    args = ap.parse_args()
    rows = load(args.data)
    started = time.perf_counter()
    ids = [r["id"] for r in rows]
    ours, partners, reposts = build(rows)
    even, odd, every = list(range(0, len(rows), 2)), list(range(1, len(rows), 2)), list(range(len(rows)))
    kinds: dict[str, Callable[[list[int]], tuple[list[float], list[float]]]] = {
        "article vs partner's item in other words": lambda p: pairs(ids, ours, partners, p, False),
        "article vs re-post (title + blurb)": lambda p: pairs(ids, ours, reposts, p, False),
        "article vs article": lambda p: pairs(ids, ours, ours, p, True),
    }
    tuned = best_threshold(*kinds["article vs partner's item in other words"](even))
    print(f"{len(rows)} stories; threshold tuned on the even half: {tuned:.3f} (shipped: {THRESHOLD})\n")
    print("| pairs | stories | positives | negatives | precision | recall | false pos. |")
    print("|---|---|---|---|---|---|---|")
    for name, make in kinds.items():
        for label, picked in (("held-out half", odd), ("all", every)):
            pos, neg = make(picked)
            if not pos:
                continue
            p, r, _tp, fp = prf(pos, neg, THRESHOLD)
            counts = f"{len(pos)} | {len(neg):,}"
            print(f"| {name} | {label} ({len(picked)}) | {counts} | {p:.3f} | {r:.3f} | {fp} |")
    print(f"\n{time.perf_counter() - started:.1f} s in all")


if __name__ == "__main__":
    main()
