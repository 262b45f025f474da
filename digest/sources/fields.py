"""Reading one field of an article: a value that cannot be used is dropped with a warning.

Feeds, pages and front matter carry addresses and dates written by other
programs (``http://[object Object]/story``, MySQL's ``0000-00-00 00:00:00``,
year 10000). Every such field goes through :class:`FieldReader`, which never
raises: the article goes on without the field and says what was dropped.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from digest.links import url_problem
from digest.types import calendar_day

# Dates outside these years are typing or export errors, not publication dates.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
_SHOWN = 80
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")  # BCP 47, as far as is needed


@dataclass
class FieldReader:
    """Collects the warnings of one article while its fields are read."""

    warnings: list[str] = field(default_factory=list)

    def url(self, value: Any, what: str) -> str:
        """``value`` as an http(s) address, or "" (with a warning) when it is not usable."""
        text = str(value or "").strip()
        if not text:
            return ""
        problem = url_problem(text)
        if problem:
            self.warnings.append(f"{what} {_short(text)} dropped: {problem}")
            return ""
        return text

    def date(self, value: Any, what: str) -> datetime | None:
        """A timezone-aware date, or None (with a warning) when ``value`` is not a real date."""
        if value in (None, ""):
            return None
        try:
            result = parse_date(value)
        except (ValueError, TypeError, OverflowError):
            result = None
        if result is None or not EARLIEST_YEAR <= result.year <= LATEST_YEAR:
            self.warnings.append(f"{what} {_short(str(value))} dropped: not a usable date")
            return None
        return result

    def struct_date(self, parsed: time.struct_time | None, raw: str, what: str) -> datetime | None:
        """A date feedparser parsed, checked against the text it came from.

        feedparser turns ``0000-00-00`` into year -1 and year 10000 into 2010; its
        reading is used only when our own parse fails and the year it found is
        written in the raw text.
        """
        if raw:
            try:
                return self.date(parse_date(raw), what)
            except (ValueError, TypeError, OverflowError):
                pass
        value = None
        if parsed is not None and (not raw or _as_written(parsed, raw)):
            try:
                value = datetime(*parsed[:6], tzinfo=UTC)
            except (ValueError, TypeError, OverflowError):
                value = None
        if value is not None and raw and not _TIME_OF_DAY.search(raw):
            value = calendar_day(value.date())  # "Sat, 05 Dec 2026": a day, not midnight UTC
        if value is None:
            self.warnings.append(f"{what} {_short(raw or str(parsed))} dropped: not a usable date")
            return None
        return self.date(value, what)

    def text(self, value: Any, what: str) -> str:
        """``value`` when it is text, or "" (with a warning) when it is a number, a list or an object."""
        if value is None or isinstance(value, str):
            return value or ""
        self.warnings.append(f"{what} {_short(str(value))} dropped: not text")
        return ""

    def language(self, value: Any, what: str) -> str:
        """A language tag such as ``ko`` or ``en-US``, or "" (with a warning) when ``value`` is none."""
        text = self.text(value, what).strip()
        if text and not _LANGUAGE_TAG.fullmatch(text):
            self.warnings.append(f"{what} {_short(text)} dropped: not a language tag such as en or ko")
            return ""
        return text

    def html(self, html: str) -> str:
        """The article's HTML without images or links whose http(s) address cannot be used.

        An image goes (with a warning); a link keeps its words and loses its address.
        Relative and non-web addresses are left to the renderer, which never links them.
        HTML with nothing to drop is returned unchanged, byte for byte.
        """
        if "://" not in html:
            return html
        import lxml.html
        from lxml import etree

        try:
            root = lxml.html.fragment_fromstring(html, create_parent="div")
        except (etree.ParserError, ValueError):
            return html
        changed = False
        for el, attr in [(e, "src") for e in root.iter("img")] + [(e, "href") for e in root.iter("a")]:
            value = (el.get(attr) or "").strip()
            if not value.lower().startswith(("http://", "https://", "//")) or not url_problem(
                value if "://" in value else "https:" + value
            ):
                continue
            changed = True
            if el.tag == "img":
                self.url(value, "image in the text")
                el.drop_tree()
            else:
                self.url(value, "link in the text")
                el.drop_tag()
        if not changed:
            return html
        whole = etree.tostring(root, encoding="unicode", method="html")
        return whole.removeprefix("<div>").removesuffix("</div>")


def parse_date(value: Any) -> datetime:
    """ISO 8601 or RFC 822 text, a date or a datetime; naive values are taken as UTC. A date
    without a time of day (``2026-12-05``, ``2026/12/05``, ``2026.12.05``, a YAML date) stays a
    calendar day (:func:`digest.types.calendar_day`), the same day in every time zone.

    Raises ValueError for text that is neither.
    """
    result: datetime | None
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = calendar_day(value)
    else:
        text = str(value).strip()
        result = _day(text) or _iso(text) or _rfc822(text)
        if result is not None and not _year_as_written(result, text):
            result = None
        elif result is not None and result.tzinfo is None and not _TIME_OF_DAY.search(text):
            result = calendar_day(result.date())  # ISO's 20261205
    if result is None:
        raise ValueError(f"not a date: {str(value)[:_SHOWN]!r}")
    return result if result.tzinfo else result.replace(tzinfo=UTC)


# A time of day in a date as written: 10:30, or ISO's T10 (2026-12-05T10).
_TIME_OF_DAY = re.compile(r"\d:\d\d|\dT\d", re.IGNORECASE)
_DAY = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\.?")


def _day(text: str) -> datetime | None:
    """A date written as year, month and day and nothing else (ISO's dashes, slashes, or the dots
    Korean sites write), as a calendar day."""
    found = _DAY.fullmatch(text)
    if not found:
        return None
    try:
        return calendar_day(date(int(found[1]), int(found[3]), int(found[4])))
    except ValueError:
        return None


def _as_written(parsed: time.struct_time, raw: str) -> bool:
    """False when feedparser's reading is not the date written: it reads year 0000 as -1, year
    10000 as 2010 and ``2026/12/05`` as December 1. Its year and day must be numbers of ``raw``."""
    numbers = {int(n) for n in re.findall(r"\d+", raw)}
    return parsed.tm_year in numbers and parsed.tm_mday in numbers


def _year_as_written(result: datetime, text: str) -> bool:
    """False when the parser changed the year (RFC 822 parsing reads year ``0000`` as 2000)."""
    if not re.search(r"\d{3,}", text):
        return True  # a two-digit year: the parser's reading is all there is
    return f"{result.year:04d}" in text


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def _short(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")
