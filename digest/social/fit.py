"""Make a post fit its platform by trimming its text, never its link.

Order: drop whole sentences from the end (keeping one), then hashtags, then
whole words (with an ellipsis), and only for text without spaces (Chinese,
Japanese) single graphemes. Sentences are the summariser's own (abbreviations
such as "U.S." or "Dr.", decimals and initials do not end one), so a post never
stops at a full stop that is not the end of a sentence. A link is one word, so it is never cut. When even
an empty text does not fit (a very long title, say), the result says so: the
post is an error in the preview, never silently cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.social.measure import Measure, split_graphemes
from digest.social.urls import find_links
from digest.summarise.split import split_sentences as summariser_split

ELLIPSIS = "…"
Render = Callable[[str, list[str]], str]  # (text, hashtags) -> whole post
Measurer = Callable[[str], Measure]

@dataclass(frozen=True)
class Fitted:
    text: str
    measure: Measure
    trimmed: bool
    error: str = ""


def split_sentences(text: str) -> list[str]:
    """The blurb's sentences, split exactly as the summariser splits an article."""
    return summariser_split(text.strip())


def fit(render: Render, measure: Measurer, text: str, hashtags: list[str]) -> Fitted:
    """The longest version of the post that fits; see the module docstring for the order."""
    sentences = split_sentences(text)
    for n in range(len(sentences), 0, -1):
        post = render(" ".join(sentences[:n]), hashtags)
        if measure(post).fits:
            return Fitted(post, measure(post), n < len(sentences))
    first = sentences[0] if sentences else ""
    for keep in range(len(hashtags) - 1, -1, -1):
        post = render(first, hashtags[:keep])
        if measure(post).fits:
            return Fitted(post, measure(post), True)
    return _trim_words(render, measure, first)


def _trim_words(render: Render, measure: Measurer, sentence: str) -> Fitted:
    words = sentence.split()
    best = _longest(len(words), lambda k: render(_cut(words[:k]), []), measure)
    if best is not None and best > 0:
        post = render(_cut(words[:best]), [])
        return Fitted(post, measure(post), True)
    # No whole word fits: for spaceless scripts try graphemes of the first word.
    if words and not find_links(words[0], bare_domains=True):
        chars = split_graphemes(words[0])
        best = _longest(len(chars) - 1, lambda k: render("".join(chars[:k]) + ELLIPSIS, []), measure)
        if best:
            post = render("".join(chars[:best]) + ELLIPSIS, [])
            return Fitted(post, measure(post), True)
    bare = render("", [])
    m = measure(bare)
    if m.fits:
        return Fitted(bare, m, True)
    return Fitted(bare, m, True, f"does not fit even without its text ({_over(m)}): shorten the title")


def _cut(words: list[str]) -> str:
    if not words:
        return ""
    # Always mark the cut, even after "U.S." or "3.": a cut never passes for a sentence end.
    return " ".join(words).rstrip(",;:—–-") + ELLIPSIS


def _longest(n: int, build: Callable[[int], str], measure: Measurer) -> int | None:
    """Largest k in 1..n whose post fits (binary search; lengths grow with k), or None."""
    lo, hi, best = 1, n, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if measure(build(mid)).fits:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best


def _over(m: Measure) -> str:
    if m.bytes_limit and m.bytes_used > m.bytes_limit:
        return f"{m.bytes_used}/{m.bytes_limit} bytes"
    return f"{m.used}/{m.limit} {m.unit}"
