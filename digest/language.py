"""Which language a piece of text is in: one rule for the summariser, the email's ``lang``
attributes, social posts and the web pages, so they never disagree.

Korean when at least a fifth of the letters are Hangul (syllables, jamo and
compatibility jamo); otherwise the default, unless the default is Korean: text
with too little Hangul is not Korean, whatever the deployment's language.
Only the first 20,000 characters are looked at.

:func:`prose_language` is narrower: which sentence rules fit the text (en, de or ko). It
starts from the same rule for Korean, then tells German from English by their commonest
short words; emails and pages do not use it.
"""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
SAMPLE = 20_000


def text_language(text: str, default: str = "en") -> str:
    sample = text[:SAMPLE]
    if _HANGUL.search(sample) is None:
        return default if default != "ko" else "en"  # the common case, decided with one scan
    letters = sum(1 for c in sample if c.isalpha())
    if letters and len(_HANGUL.findall(sample)) * 5 >= letters:
        return "ko"
    return default if default != "ko" else "en"


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# The commonest short words of German and English.
_DE_WORDS = _words(
    "der die und das ist nicht mit den ein eine sich auf im sie er es wir ich zu von für sind wird auch "
    "dem des bei nach aus"
)
_EN_WORDS = _words(
    "the and of to is in that was for with on a he she it we they at by are from his her this be has "
    "have not as"
)
PROSE_SAMPLE = 500  # about 80 words: plenty to tell the two apart


def prose_language(text: str) -> str:
    """"ko", "de" or "en": the sentence rules for ``text`` (see the module docstring)."""
    sample = text[:PROSE_SAMPLE]
    plain = sample.isascii()  # most English text: no Hangul, no umlaut to look for
    if not plain and _HANGUL.search(sample) is not None and text_language(sample) == "ko":
        return "ko"
    words = set(sample.lower().split())  # which function words occur, counted in C
    german = len(_DE_WORDS & words) + (0 if plain else sum(map(sample.count, "äöüß")))
    return "de" if german > len(_EN_WORDS & words) else "en"
