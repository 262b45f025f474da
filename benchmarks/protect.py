"""Protected terms: false alarms on real news and the time the guard takes per edition (figures go
in docs/protected-terms.md).

1. False alarms: every article body of the summariser's evaluation set (English news that names
   none of the people below) checked against a realistic terms file of invented North Korean
   names (romanised and in Hangul, one in Hanja) and places. Every hit is a false alarm.
2. Speed: editions of eight articles (subject, text part and HTML, plus each article's fields
   on their own, as the edition check does) through digest.guard.check, against a naive
   baseline measured in the same run (case-folded substring search of each term).

Run: .venv/bin/python benchmarks/protect.py [--corpus ../shared/eval/news-dev.jsonl] [--repeat 5]
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TERMS = [
    "Kim Chul-su", "Ri Song-hwa", "Pak Yong-nam", "Choe Hye-ryon", "Jang Mi-ok", "Han Song-il",
    "O Kwang-chol", "Kang Un-ha", "Ryu Jin-a", "Yun Hae-won", "Jo Myong-hui", "Hong Il-nam",
    "Paek Sun-hui", "Hyesan", "Musan", "Onsong", "Hoeryong",
    "김철수", "리송화", "박영남", "최혜련", "장미옥", "한성일", "오광철", "강은하", "류진아", "윤해원",
    "조명희", "홍일남", "백순희", "혜산", "무산", "온성", "회령", "朴永南",
]
# Given names on their own, as a volunteer might add them: shorter, so more often met by chance.
GIVEN_NAMES = ["Chul-su", "Song-hwa", "Yong-nam", "Mi-ok", "Un-ha", "Jin-a", "Il-nam", "Sun-hui", "Hae-won"]
ARTICLES_PER_EDITION = 8


def false_alarms(bodies: list[str], names: list[str]) -> dict[str, object]:
    from digest.protect import ProtectedTerms

    terms = ProtectedTerms(names)
    flagged, hits = 0, []
    for body in bodies:
        found = terms.find(body)
        flagged += bool(found)
        hits += [f"{h.term}: {h.excerpt}" for h in found]
    return {"articles": len(bodies), "flagged": flagged, "rate": flagged / len(bodies), "hits": hits}


def editions(bodies: list[str]) -> list[list[tuple[str, str, str]]]:
    """Surfaces of editions of eight articles: each article's title and blurb, then the whole."""
    out = []
    for start in range(0, len(bodies) - ARTICLES_PER_EDITION + 1, ARTICLES_PER_EDITION):
        chunk = bodies[start : start + ARTICLES_PER_EDITION]
        blurbs = [" ".join(b.split()[:120]) for b in chunk]
        titles = [" ".join(b.split()[:9]) for b in chunk]
        pairs = list(enumerate(zip(titles, blurbs, strict=True)))
        text = "\n\n".join(f"{t}\n{b}\nhttps://example.org/news/{i}" for i, (t, b) in pairs)
        markup = "".join(
            f'<h2><a href="https://example.org/news/{i}">{html.escape(t)}</a></h2><p>{html.escape(b)}</p>'
            f'<img src="https://example.org/{i}.jpg" alt="{html.escape(t)}">'
            for i, (t, b) in pairs
        )
        surfaces = [(f"article {i}", "text", f"{t}\n{b}") for i, (t, b) in pairs]
        surfaces += [("the subject", "text", titles[0]), ("the email's text part", "text", text),
                     ("the email's HTML", "html", f"<html><body>{markup}</body></html>")]
        out.append(surfaces)
    return out


def naive(terms: list[str], surfaces: list[tuple[str, str, str]]) -> int:
    lowered = [t.casefold() for t in terms]
    values = [value.casefold() for _label, _kind, value in surfaces]
    return sum(term in value for value in values for term in lowered)


def speed(all_surfaces: list[list[tuple[str, str, str]]], repeat: int) -> dict[str, float]:
    from digest.guard import check
    from digest.protect import ProtectedTerms

    terms = ProtectedTerms(TERMS)
    guard_runs, naive_runs = [], []
    for _ in range(repeat):  # interleaved, so a busy machine slows both alike
        start = time.perf_counter()
        for surfaces in all_surfaces:
            check(terms, surfaces)
        guard_runs.append((time.perf_counter() - start) / len(all_surfaces))
        start = time.perf_counter()
        for surfaces in all_surfaces:
            naive(TERMS, surfaces)
        naive_runs.append((time.perf_counter() - start) / len(all_surfaces))
    size = statistics.mean(sum(len(v) for _l, _k, v in s) for s in all_surfaces)
    guard_ms, naive_ms = statistics.median(guard_runs) * 1000, statistics.median(naive_runs) * 1000
    return {"editions": len(all_surfaces), "characters_per_edition": round(size),
            "guard_ms_per_edition": round(guard_ms, 1), "naive_ms_per_edition": round(naive_ms, 2),
            "ratio": round(guard_ms / naive_ms, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "news-dev.jsonl")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bodies = [json.loads(line)["article"] for line in args.corpus.read_text(encoding="utf-8").splitlines()]
    for title, names in (("full names and places", TERMS), ("given names alone", GIVEN_NAMES)):
        alarms = false_alarms(bodies, names)
        print(f"false alarms, {title}: {alarms['flagged']} of {alarms['articles']} articles "
              f"({alarms['rate']:.1%})")
        for hit in alarms["hits"]:  # type: ignore[attr-defined]
            print(f"  {hit}")
    figures = speed(editions(bodies), args.repeat)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
