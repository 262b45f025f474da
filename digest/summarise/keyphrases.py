"""Key phrases for hashtags: proper-noun phrases (English) or frequent nouns (Korean).

English: runs of capitalised words ("North Korea", "Kim Jong-un") joined by the odd
connector ("Workers' Party of Korea").  A single capitalised word that opens a
sentence is ambiguous ("Despite the..."), so it only counts if it also appears
mid-sentence or more than once, and never if the text also uses it in lower case.
Phrases are ranked by frequency, then by first appearance; a phrase contained in
a more frequent longer one is dropped ("Korea" under "North Korea" when it never
stands alone).

Korean has no capitals, so the frequent Hangul words (particles stripped) stand in.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from operator import methodcaller

from digest.summarise.text import STOPWORDS, strip_korean_suffix, word_set

# One capital first, so ``re`` can skip ahead in C to the next capital letter.
_CAP_WORD = r"[A-Z](?:(?:\.[A-Z])+\.?|[\w’'.-]*\w|)"
_PHRASE = re.compile(rf"{_CAP_WORD}(?:(?: (?:of|the|de|von|van|al|bin)){{0,2}} {_CAP_WORD})*")
# Positions that act like a sentence start: the very beginning, or after a colon,
# dash or opening quote.
_START = re.compile(r"(?m)(?:^|[.:;!?—–-]\s|[\"'‘“(])\W*\Z")
_HANGUL_WORD = re.compile(r"[가-힣]{2,}")
# Capitalised words that are not names even mid-sentence.
_NOT_NAMES = word_set(
    "i i'm i've i'd i'll mr mrs ms dr monday tuesday wednesday thursday friday saturday "
    "sunday january february march april may june july august september october november "
    "december the a an it he she they we this that however although though ever despite "
    "meanwhile yet still even yes no oh ok so"
)
_GROUP = methodcaller("group")
_KO_STOP = word_set("그리고 그러나 하지만 또한 이번 지난 대한 위해 통해 있는 없는 것으로 했다")


@dataclass
class _Seen:
    count: int
    first: int
    mid_sentence: bool


def keyphrases(sentences: list[str], language: str, limit: int = 10) -> list[str]:
    """Up to ``limit`` key phrases, best first, each copied from the text (English).

    Deterministic: ties break on first appearance.
    """
    if language == "ko":
        return _korean(sentences, limit)
    joined = "\n".join(sentences)
    seen = _collect(joined)
    ranked = [p for p, s in seen.items() if s.mid_sentence or s.count > 1 or " " in p]
    ranked.sort(key=lambda p: (-seen[p].count, seen[p].first))
    kept: list[str] = []
    for phrase in ranked:
        if not _common_word(phrase, joined):
            kept.append(phrase)
            # Only the leaders can make the list; bounding them keeps the
            # containment check (pairwise) cheap even for a book-length text.
            if len(kept) == 4 * limit + 10:
                break
    return _drop_contained(kept, seen)[:limit]


def recurring(body: list[str], title: str, language: str, limit: int = 10) -> list[str]:
    """Key phrases for hashtags: phrases of the ``body`` sentences (never of the title or
    of a headline-like line) that recur: twice or more in the body, or once in the body and
    again in the title. Ranked like :func:`keyphrases`."""
    prose = [s for s in body if not _headline_like(s)]
    joined = "\n".join(prose)
    if language == "ko":
        words = [w for w in _korean(prose, 4 * limit + 10) if not _part_of_a_word(w, joined)]
        return [w for w in words if joined.count(w) > 1 or w in title][:limit]
    seen = _collect(joined)
    found = [p for p in keyphrases(prose, language, 4 * limit + 10) if " " in p or _inside(p, prose)]
    found = [p for p in found if not _describes(p, joined)]
    padded_title = f" {_words_only(title)} "
    return [p for p in found if seen[p].count > 1 or f" {_words_only(p)} " in padded_title][:limit]


# "Korean", "Chinese", "British", "German": words for where people are from (not "Busan").
_DEMONYM = re.compile(r"(?:ean|ian|ese|ish)$|(?:^| )(?:German|Afghan|Thai|French|Dutch|Swiss|Greek|Iraqi)$")


def _describes(phrase: str, text: str) -> bool:
    """A phrase that ends in a word for where people are from and always comes before a word in
    lower case ("North Korean refugees") describes them: it is no name, so no hashtag."""
    if not _DEMONYM.search(phrase):
        return False
    after = [m.group(1) for m in re.finditer(rf"{re.escape(phrase)}(?:[’']s)?\s+(\S)", text)]
    return bool(after) and all(c.islower() for c in after)


def _part_of_a_word(word: str, text: str) -> bool:
    """A Korean stem that only occurs inside one longer word ("이탈주민" of "북한이탈주민") is half a name."""
    longer = {m.group(0) for m in re.finditer(rf"[가-힣]*{re.escape(word)}[가-힣]*", text)}
    return all(w != word and not _only_particles(w, word) for w in longer)


def _only_particles(found: str, word: str) -> bool:
    """Whether ``found`` is ``word`` with a particle or ending after it (북한이탈주민을)."""
    return found.startswith(word) and strip_korean_suffix(found) == word


def _inside(word: str, sentences: list[str]) -> bool:
    """A lone capitalised word used inside a sentence, not only as its first word
    ("Volunteers packed..." twice makes no name)."""
    pattern = re.compile(rf"\s{re.escape(word)}(?![\w’'-])")
    return any(pattern.search(s) for s in sentences)


def _words_only(text: str) -> str:
    return " ".join(re.findall(r"[\w’'.-]+", text.replace("’s", "").replace("'s", "")))


def _headline_like(sentence: str) -> bool:
    """A subheading or headline run: no closing punctuation, and in capitals or Title Case."""
    text = sentence.strip()
    if not text or text[-1] in ".!?…。！？\"'”’)":
        return False
    words = [w for w in text.split() if w[:1].isalpha()]
    if not words:
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return text.isupper() or (len(words) >= 3 and capitals / len(words) >= 0.6)


def _collect(text: str) -> dict[str, _Seen]:
    """Count the phrases of ``text`` (sentences joined by line breaks), in one scan.

    Counting is done in C (``Counter`` over the matched strings); Python work is per
    distinct phrase.  Whether a phrase occurs mid-sentence only matters for a lone
    word seen once, so only those are looked at (``mid_sentence`` is False otherwise).
    """
    matches = list(_PHRASE.finditer(text))
    raws = list(map(_GROUP, matches))
    tally = Counter(raws)  # keys in order of first appearance
    seen: dict[str, _Seen] = {}
    lone: dict[str, str] = {}  # phrase -> the raw match it came from
    for raw, n in tally.items():
        phrase = _clean(raw)
        if not phrase:
            continue
        old = seen.get(phrase)
        if old is None:
            seen[phrase] = _Seen(n, len(seen), False)
            lone[phrase] = raw
        else:
            old.count += n
    for phrase, found in seen.items():
        if found.count == 1 and " " not in phrase:
            at = matches[raws.index(lone[phrase])].start()
            # A short look-back window is enough to see a sentence start.
            found.mid_sentence = (
                at > 0 and text[at - 1] != "\n" and not _START.search(text, max(0, at - 12), at)
            )
    return seen


def _common_word(phrase: str, text: str) -> bool:
    """A lone capitalised word also used in lower case ("However", "People") is no name."""
    if " " in phrase or phrase.isupper():
        return False
    word = phrase.lower()
    pos = text.find(word)
    while pos >= 0:
        end = pos + len(word)
        if (pos == 0 or not _in_word(text[pos - 1])) and (end == len(text) or not _in_word(text[end])):
            return True
        pos = text.find(word, pos + 1)
    return False


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_’'-"


def _clean(phrase: str) -> str:
    """Trim possessives and leading/trailing connectors; reject non-names."""
    if " " not in phrase and phrase[-1] != "." and "'" not in phrase and "’" not in phrase:
        lower = phrase.lower()  # the common case: one plain capitalised word
        return "" if len(phrase) < 2 or lower in STOPWORDS or lower in _NOT_NAMES else phrase
    words = phrase.replace("’s", "").replace("'s", "").split()
    if words and words[-1].endswith(".") and words[-1].count(".") == 1:
        words[-1] = words[-1][:-1]  # sentence-final full stop, but keep "U.S."
    while words and (_first_person(words[0]) or words[0].lower() in STOPWORDS):
        words = words[1:]
    while words and words[-1] in ("of", "the", "de", "von", "van", "al", "bin"):
        words = words[:-1]
    if not words or (len(words) == 1 and len(words[0]) < 2):
        return ""
    return " ".join(words)


def _first_person(word: str) -> bool:
    return word.lower() in _NOT_NAMES or word.startswith(("I’", "I'"))


def _drop_contained(ranked: list[str], seen: dict[str, _Seen]) -> list[str]:
    """Drop a phrase that only ever occurs inside a longer kept phrase."""
    # Only multi-word phrases can contain another phrase.
    multi = [(f" {p} ", seen[p].count) for p in ranked if " " in p]
    haystack = "\n".join(padded for padded, _ in multi)
    out: list[str] = []
    for phrase in ranked:
        needle = f" {phrase} "
        inside = 0
        if needle in haystack:  # one C search rules most phrases out
            inside = sum(n for padded, n in multi if needle in padded and padded != needle)
        if inside < seen[phrase].count:
            out.append(phrase)
    return out


def _korean(sentences: list[str], limit: int) -> list[str]:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for sentence in sentences:
        for m in _HANGUL_WORD.finditer(sentence):
            word = strip_korean_suffix(m.group(0))
            if len(word) >= 2 and word not in _KO_STOP:
                counts[word] += 1
                first.setdefault(word, len(first))
    ranked = sorted(counts, key=lambda w: (-counts[w], first[w]))
    frequent = [w for w in ranked if counts[w] > 1]
    return (frequent or ranked)[:limit]
