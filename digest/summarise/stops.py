"""Where a full stop that sentencex takes for an end does not end the sentence, where
quotation marks are (inside a quotation, :mod:`digest.summarise.split` cuts each sentence
itself) and where an inline list's items start.

sentencex reads numbers and abbreviations well but not: German ordinals ("am 3. Oktober",
"seinen 25. Geburtstag"), Korean dotted dates ("2024. 1. 5. 새 지원책"), a list marker
alone at the start of a line ("1. The first item"), and a Korean quotation closed right
before the verb ending (``“…싶다.”라고``). Each check only runs on the few ends it could
concern (a number or one letter before the full stop, or a closing quote).
"""

from __future__ import annotations

import re

_OPEN_QUOTE = re.compile('[“‘«„‚"]')
# A Korean dotted date: "2024. 1. 5." or "2024.1.5." (a stop after the year, month, day).
_DOTTED_DATE = re.compile(r"\d{4}\. ?\d{1,2}\.(?: ?\d{1,2}\.)?")
# Dotted initials ("J.D", the last full stop aside) and the places written the same way.
_INITIALS = re.compile(r"[A-Z](?:\.[A-Z]){1,2}")
_PLACES = frozenset(("u.s", "u.k", "u.n", "e.u", "d.c", "a.m", "p.m"))
# A list marker alone on its line: "1.", "a.", "iv.", "• 2.".
_MARKER = re.compile(r"(?:[-–•·*▪‣⁃]\s*)?(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})\.")


def keeps_going(text: str, end: int, lang: str) -> bool:
    """True when the sentence-final punctuation that ends at ``end`` does not end one."""
    if end < len(text) and not text[end].isspace():
        # "(U.S. Army", "싶다.”라고 말했다": an end is followed by white space (a Korean
        # stop with none after it is cut by split's own rule, which leaves "”라고" whole).
        return True
    last = text[end - 1]
    if last != ".":
        # "[...]" marks words left out of a quotation
        return last in "\"'”’»)]“«" and text[max(0, end - 6) : end].rstrip("\"'”’»)]“«").endswith("[...")
    # Only a short word before the full stop can be a number, an initial or a marker.
    line = text.rfind("\n", max(0, end - 8), end) + 1
    space = text.rfind(" ", max(line, end - 8), end - 1)
    if space < 0 and end - 8 > line:
        return False  # the common case: a longer word ends the sentence
    word = text[max(space + 1, line) : end - 1]
    if _INITIALS.fullmatch(word) and word.lower() not in _PLACES and _next_is_capital(text, end):
        return True  # "J.D. Park": initials before a name (but "the U.S. Kim said" ends)
    word = word.lstrip("-–")  # "vom 1. -3. Jahrhundert"
    if not word or len(word) > 4 or not (word.isdigit() or word.isalpha()):
        return False
    if max(space + 1, line) <= line + 3 and _MARKER.fullmatch(text, line, end) is not None:
        return True  # "1." alone at the start of a line is a list marker
    if not word.isdigit():
        return False
    if lang == "de" and len(word) <= 2 and _next_is_word(text, end):
        return True
    return _in_dotted_date(text, end - 1)


def quote_marks(text: str) -> list[int]:
    """Where quotation marks that may open a quotation are, in order (one scan in C)."""
    return [m.start() for m in _OPEN_QUOTE.finditer(text)]


def _next_is_capital(text: str, end: int) -> bool:
    nxt = text[end : end + 3].lstrip(" \"'“‘«(")
    return bool(nxt) and nxt[0].isupper()


def _next_is_word(text: str, end: int) -> bool:
    nxt = text[end : end + 2].lstrip()
    return bool(nxt) and nxt[0].isalpha()


def _in_dotted_date(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` belongs to a dotted date such as "2024. 1. 5."."""
    for m in _DOTTED_DATE.finditer(text, max(0, dot - 12), min(len(text), dot + 12)):
        if m.start() <= dot < m.end():
            return True
    return False


# A list marker: after white space (or at the start), an optional bullet, then 1-2 digits or
# one lower-case letter, then ".", ".)" or ")" and a space: "2. ", " b) ", "• 9. ", "⁃10. ".
_MARK = r"(?P<bullet>[•⁃·▪‣*–-] ?)?(?P<n>\d{1,2}|[a-z])(?P<end>\.\)?|\)) "
_LIST_MARKER = re.compile(r"[\s•⁃·▪‣*–-]" + _MARK)  # a class first: re skips ahead in C
_FIRST_MARKER = re.compile(_MARK)
_LIST_HINTS = tuple(
    f"{before}{n}{after} " for before in " \n" for n in "2b" for after in (".", ")", ".)")
) + tuple("•⁃▪‣")


def _maybe_list(text: str, start: int, end: int) -> bool:
    """A cheap test first (each a search in C): a list has a second item ("2. ", "b) ") after
    white space, or bullets."""
    return any(text.find(mark, start, end) >= 0 for mark in _LIST_HINTS)


def list_items(text: str, start: int, end: int) -> tuple[set[int], set[int]]:
    """Inline list items in ``text[start:end]`` ("1. First 2. Second", "a) x b) y", "• 9. x"):
    (where each item after the first starts, where each marker ends). Only markers that
    count on (1, 2, 3 or a, b, c) make a list, so "in 3. Then" stays prose."""
    starts: set[int] = set()
    ends: set[int] = set()
    run = None  # (ordinal, marker end) of the last marker of a list that may go on
    if not _maybe_list(text, start, end):
        return set(), set()
    first = _FIRST_MARKER.match(text, start, end)
    rest = _LIST_MARKER.finditer(text, first.end() if first else start, end)
    for m in ([first] if first else []) + list(rest):
        n = m.group("n")
        ordinal = int(n) if n.isdigit() else ord(n)
        at = m.start("bullet") if m.group("bullet") else m.start("n")
        goes_on = run is not None and ordinal == run[0] + 1
        if goes_on:
            starts.add(at)
            ends.update((run[1], m.end("end")))  # type: ignore[index]
        # A list starts at 1 or "a", after a bullet, or at the start of a line ("He won 3." does not).
        opens = ordinal in (1, 97) or m.group("bullet") or at == start or text[at - 1] == "\n"
        run = (ordinal, m.end("end")) if opens or goes_on else None
    return {s for s in starts if s > start}, ends
