"""Languages of the email: catalogs for template strings, localised dates.

Catalogs live in ``digest/locale/<lang>/LC_MESSAGES/digest.po`` and are compiled
to ``.mo`` (committed, so a fresh install needs no build step; a test checks the
``.mo`` matches its ``.po``). English is the source language and has no catalog.

Babel maintains the catalogs (``pybabel``), but rendering reads them with the standard library's
:mod:`gettext` and writes the two languages' long dates itself: loading Babel and its locale data
cost every command that renders (`digest sources` included) more than the rest of the render
(issue 24). A test holds both to Babel's answers.
"""

from __future__ import annotations

from datetime import date
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

LANGUAGES = ("en", "ko")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "digest"

# Korean needs its own fonts first and must not break words mid-syllable-group:
# without keep-all, browsers wrap "봉사자" between any two syllables.
# keep-all changes nothing for Latin text, and an English digest can carry a Korean story, so both
# languages use it; the English stack lists Korean fonts after the Latin ones for the same reason.
_KOREAN_FONTS = (
    "'Apple SD Gothic Neo','Malgun Gothic','Nanum Gothic',NanumGothic,'Noto Sans KR','Noto Sans CJK KR'"
)
FONT_STACKS = {
    "en": f"-apple-system,'Segoe UI',Roboto,Helvetica,Arial,{_KOREAN_FONTS},sans-serif",
    "ko": f"{_KOREAN_FONTS},-apple-system,'Segoe UI',Roboto,sans-serif",
}
WORD_BREAK = {"en": "keep-all", "ko": "keep-all"}


def N_(message: str) -> str:
    """Mark a string for the catalog where it is defined; it is translated where it is used."""
    return message


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of: {', '.join(LANGUAGES)}")
    return language


def translations(language: str) -> NullTranslations:
    """The catalog for ``language``; English (the source language) translates nothing."""
    check_language(language)
    if language == "en":
        return NullTranslations()
    catalog = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not catalog.is_file():
        raise FileNotFoundError(f"no compiled catalog {catalog}")
    with catalog.open("rb") as handle:
        return GNUTranslations(handle)


# CLDR's long date of each language (Babel's format_date(value, "long")): "MMMM d, y" in English,
# "y년 MMMM d일" in Korean, whose month names are "1월" to "12월".
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip


def long_date(value: date, language: str) -> str:
    """'November 30, 2026' / '2026년 11월 30일'."""
    if check_language(language) == "ko":
        return f"{value.year}년 {value.month}월 {value.day}일"
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"
