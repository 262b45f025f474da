"""Sentence boundaries: accuracy on golden-rule cases and speed on news text.

    python benchmarks/segmentation.py --cases golden.jsonl [--data ../shared/eval/news-dev.jsonl]

``--cases`` is a JSONL file of ``{"lang": "en"|"de"|"ko", "text": ..., "sentences": [...]}``
(for instance the English Golden Rules and the German cases of pySBD, converted; the file
is read at run time and never copied). Prints, per language: how many cases come out
exactly (white space normalised), and boundary precision, recall and F1 over all cases;
the same for sentencex alone, the library our splitter starts from; and the failing
cases with ``--show``. ``--data`` adds the speed on a news JSONL (field ``article``): ms
per article of our splitter and of sentencex alone, in alternating rounds on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.summarise.split import split_sentences  # noqa: E402

Splitter = Callable[[str, str], list[str]]


def ours(text: str, lang: str) -> list[str]:
    return split_sentences(text, lang)


def library(text: str, lang: str) -> list[str]:
    from sentencex import segment

    return [s.strip() for s in segment(lang, text) if s.strip()]


def _norm(sentences: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in sentences if s.strip()]


def _boundaries(sentences: list[str]) -> set[int]:
    """Cut positions in the text with all white space removed, so splitters agree on offsets."""
    out, pos = set(), 0
    for s in sentences[:-1]:
        pos += len("".join(s.split()))
        out.add(pos)
    return out


def accuracy(cases: list[dict], fn: Splitter, show: bool) -> dict[str, tuple[int, int, float]]:
    """{lang: (exact, total, boundary F1)}."""
    tally: dict[str, list[int]] = {}
    for case in cases:
        got, want = _norm(fn(case["text"], case["lang"])), _norm(case["sentences"])
        t = tally.setdefault(case["lang"], [0, 0, 0, 0, 0])  # exact, total, tp, fp, fn
        t[0] += got == want
        t[1] += 1
        b_got, b_want = _boundaries(got), _boundaries(want)
        t[2] += len(b_got & b_want)
        t[3] += len(b_got - b_want)
        t[4] += len(b_want - b_got)
        if show and got != want:
            print(f"  [{case['lang']}] {case['text'][:90]!r}\n      got  {got}\n      want {want}")
    out = {}
    for lang, (exact, total, tp, fp, fn_) in tally.items():
        f1 = 2 * tp / (2 * tp + fp + fn_) if tp else 0.0
        out[lang] = (exact, total, f1)
    return out


def speed(texts: list[str], rounds: int = 3) -> dict[str, float]:
    """Mean ms per article of each splitter, the two alternating article by article."""
    from sentencex import get_sentence_boundaries

    fns: dict[str, Callable[[str], object]] = {
        "our splitter": lambda t: split_sentences(t),
        "sentencex alone": lambda t: get_sentence_boundaries("en", t),
    }
    laps = {name: 0.0 for name in fns}
    for _ in range(rounds):
        for text in texts:
            for name, fn in fns.items():
                t0 = time.perf_counter()
                fn(text)
                laps[name] += time.perf_counter() - t0
    return {name: 1000 * total / (rounds * len(texts)) for name, total in laps.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, required=True, help="JSONL with lang/text/sentences")
    ap.add_argument("--data", type=Path, help="news JSONL (field article) for the speed figures")
    ap.add_argument("--show", action="store_true", help="print the cases our splitter gets wrong")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line]
    print("| splitter | language | exact | boundary F1 |\n|---|---|---|---|")
    for name, fn in (("ours", ours), ("sentencex alone", library)):
        for lang, (exact, total, f1) in sorted(accuracy(cases, fn, args.show and fn is ours).items()):
            print(f"| {name} | {lang} | {exact}/{total} | {f1:.2f} |")
    if args.data:
        rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
        ms = speed([r["article"] for r in rows])
        print("\n| splitter | ms per article |\n|---|---|")
        for name, value in ms.items():
            print(f"| {name} | {value:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
