"""Which language a piece of text is in: one rule for the summariser, the email's ``lang``
attributes, social posts and the web pages, so they never disagree.

Korean when at least a fifth of the letters are Hangul (syllables, jamo and
compatibility jamo); otherwise the default, unless the default is Korean: text
with too little Hangul is not Korean, whatever the deployment's language.
Only the first 20,000 characters are looked at.
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
