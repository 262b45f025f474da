"""Benchmark the summariser against Lead-3 and sumy's LexRank on a JSONL news file.

    python benchmarks/summarise.py --data ../shared/eval/news-dev.jsonl

Prints, from one run: ROUGE-1/2/Lsum F1 of the engine and of Lead-3; throughput
(articles/s) and p95 latency of the engine (with and without reading its lazy key
phrases), Lead-3 and LexRank on the same articles, timed in alternating chunks on
one core, with ratios against LexRank measured in the same run; p95 for
1,000-word articles; peak traced memory; and the time for a 100,000-word article.
The data file is read at run time only and never copied.  Benchmark-only
dependencies: rouge-score, sumy (its LexRank runs on our sentence splitter, as
sumy's own tokenizer would download NLTK data).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.summarise import summarise  # noqa: E402
from digest.summarise.split import split_sentences  # noqa: E402
from digest.summarise.text import words  # noqa: E402

Summariser = Callable[[str], list[str]]


@dataclass(frozen=True)
class Timing:
    per_second: float
    p95_ms: float


def lead3(text: str) -> list[str]:
    return split_sentences(text)[:3]


def engine(text: str) -> list[str]:
    return summarise(text, max_sentences=3).sentences


def engine_with_keyphrases(text: str) -> list[str]:
    """The engine plus its key phrases (LexRank has no such output; shown for honesty)."""
    s = summarise(text, max_sentences=3)
    s.keyphrases  # noqa: B018 - computed on first access
    return s.sentences


def make_lexrank() -> Summariser:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class Tokenizer:  # sumy's interface; our splitter instead of NLTK punkt
        language = "english"

        def to_sentences(self, text: str) -> list[str]:
            return split_sentences(text)

        def to_words(self, text: str) -> list[str]:
            return words(text)

    tok = Tokenizer()
    lex = LexRankSummarizer(Stemmer("english"))
    lex.stop_words = get_stop_words("english")

    def run(text: str) -> list[str]:
        sents = [Sentence(s, tok) for s in tok.to_sentences(text)]
        doc = ObjectDocumentModel([Paragraph(sents)])
        return [str(s) for s in lex(doc, 3)]

    return run


def rouge(rows: list[dict[str, str]], fn: Summariser) -> tuple[float, float, float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals = [0.0, 0.0, 0.0]
    for row in rows:
        got = scorer.score(row["reference"], "\n".join(fn(row["article"])))
        for i, key in enumerate(("rouge1", "rouge2", "rougeLsum")):
            totals[i] += got[key].fmeasure
    r1, r2, rl = (100 * t / len(rows) for t in totals)
    return r1, r2, rl


def timing(texts: list[str], fn: Summariser, repeat: int = 1) -> Timing:
    """Throughput and p95 of one method on its own (used for the 1,000-word check)."""
    return timings(texts, {"one": fn}, repeat)["one"]


def timings(texts: list[str], fns: dict[str, Summariser], rounds: int, chunk: int = 8) -> dict[str, Timing]:
    """Time every method on every article, the same number of rounds each.

    The articles go in chunks of ``chunk``; each chunk is run by every method in
    turn (the order rotating from chunk to chunk), so a noisy neighbour on the
    machine slows all methods alike and the ratios stay fair, while each method
    still runs a few articles back to back with warm caches.
    """
    names = list(fns)
    for fn in fns.values():
        fn(texts[0])  # warm caches and lazy imports outside the measurement
    laps: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    turn = 0
    for _ in range(rounds):
        for at in range(0, len(texts), chunk):
            part = texts[at : at + chunk]
            turn += 1
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                fn, got = fns[name], laps[name]
                for text in part:
                    t0 = clock()
                    fn(text)
                    got.append(clock() - t0)
    return {name: Timing(len(got) / sum(got), 1000 * _p95(got)) for name, got in laps.items()}


def _p95(laps: list[float]) -> float:
    return statistics.quantiles(laps, n=20)[18] if len(laps) > 1 else laps[0]


def of_length(texts: list[str], n_words: int, count: int) -> list[str]:
    """Articles of about ``n_words`` words made by joining consecutive dev stories."""
    joined = "\n\n".join(texts).split(" ")
    step = max(1, (len(joined) - n_words) // count)
    return [" ".join(joined[i : i + n_words]) for i in range(0, step * count, step)]


def peak_mb(fn: Summariser, text: str) -> tuple[float, float]:
    """(peak traced MB, wall seconds) for one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    fn(text)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="JSONL with article/reference")
    ap.add_argument("--no-lexrank", action="store_true", help="skip sumy's LexRank")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    texts = [r["article"] for r in rows]
    report(rows, texts, None if args.no_lexrank else make_lexrank())
    return 0


def report(rows: list[dict[str, str]], texts: list[str], lexrank: Summariser | None) -> None:
    e, lead = rouge(rows, engine), rouge(rows, lead3)
    print(f"## ROUGE F1 x100 on {len(rows)} articles (3 sentences, stemmed)\n")
    print("| method | R-1 | R-2 | R-Lsum |\n|---|---|---|---|")
    print(f"| engine | {e[0]:.2f} | {e[1]:.2f} | {e[2]:.2f} |")
    print(f"| Lead-3 | {lead[0]:.2f} | {lead[1]:.2f} | {lead[2]:.2f} |")
    print(f"| engine - Lead-3 | {e[0] - lead[0]:+.2f} | {e[1] - lead[1]:+.2f} | {e[2] - lead[2]:+.2f} |")
    methods = {"engine": engine, "engine + key phrases": engine_with_keyphrases, "Lead-3": lead3}
    if lexrank is not None:
        methods["LexRank (sumy)"] = lexrank
    speed = timings(texts, methods, rounds=3)
    base = speed.get("LexRank (sumy)")
    print("\n## Speed on the same articles (one core, 3 alternating rounds each)\n")
    print("| method | articles/s | p95 ms | throughput vs LexRank |\n|---|---|---|---|")
    for name, t in speed.items():
        ratio = f"{t.per_second / base.per_second:.1f}x" if base else "n/a"
        print(f"| {name} | {t.per_second:.0f} | {t.p95_ms:.2f} | {ratio} |")
    if lexrank is not None:
        print(
            "\nLexRank is sumy's LexRankSummarizer (stemming, idf-modified cosine matrix, power"
            "\nmethod) on the same articles; it tokenises with our splitter and word regex because"
            "\nsumy's default NLTK punkt tokenizer needs a download that is not possible here."
        )
    thousand = timing(of_length(texts, 1000, 100), engine, 3)
    print(f"\n- engine p95 on 1,000-word articles: {thousand.p95_ms:.2f} ms (goal <= 10 ms)")
    big = " ".join(of_length(texts, 100_000, 1)[0].split(" ")[:100_000])
    mem_small, _ = peak_mb(engine, of_length(texts, 1000, 1)[0])
    mem_big, _ = peak_mb(engine, big)
    t0 = time.perf_counter()
    engine(big)
    big_s = time.perf_counter() - t0
    print(f"- engine on a 100,000-word article: {big_s:.3f} s (goal < 1 s)")
    print(f"- peak traced memory: {mem_small:.1f} MB (1,000 words), {mem_big:.1f} MB (100,000 words)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"- whole benchmark process peak RSS (with rouge-score and sumy loaded): {rss:.0f} MB")
    print(f"- linearity: 100,000 words took {big_s * thousand.per_second:.0f}x a 1,000-word article")


if __name__ == "__main__":
    raise SystemExit(main())
