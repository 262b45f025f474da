"""Golden files: the rendered email (HTML and text, English and Korean) compared with checked-in copies.

Dates are normalised so a change in Babel's locale data does not fail the test, and
the comparison is exact otherwise. Regenerate after a deliberate template change with
UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/render/test_golden.py, then review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from digest.render.email import render_email

GOLDEN = Path(__file__).parent / "golden"
DATES = [
    re.compile(
        r"\b(January|February|March|April|May|June|July|August|September|October|November|December) "
        r"\d{1,2}, \d{4}"
    ),
    re.compile(r"\d{4}년 \d{1,2}월 \d{1,2}일"),
]


def normalise(text: str) -> str:
    for pattern in DATES:
        text = pattern.sub("<DATE>", text)
    return text


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("part", ["html", "txt"])
def test_matches_golden_file(make_settings, edition, lang: str, part: str) -> None:
    settings = make_settings(
        DIGEST_INTRO="Thank you for standing with us.",
        DIGEST_INTRO_KO="함께해 주셔서 고맙습니다.",
        DIGEST_LOGO_URL="https://example.org/logo.png",
        DIGEST_TIMEZONE="Asia/Seoul",
    )
    rendered = render_email(edition, settings, language=lang)
    got = normalise(rendered.html if part == "html" else rendered.text)
    path = GOLDEN / f"digest.{lang}.{part}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing: run with UPDATE_GOLDEN=1 once and review it"
    assert got == path.read_text(encoding="utf-8")
    assert "<DATE>" in got  # the dates were there, and were localised into a known form
