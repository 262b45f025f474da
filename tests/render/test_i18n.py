"""The email's catalogs and long dates, read without Babel (digest/render/i18n.py), give Babel's answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from babel.support import Translations

from digest.render.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, long_date, translations


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_dates_are_babels(language: str) -> None:
    days = [date(2019, 12, 25) + timedelta(days=n) for n in range(3 * 366)]
    days += [date(1, 1, 1), date(999, 9, 9), date(2100, 2, 28), date(9999, 12, 31)]
    assert [long_date(d, language) for d in days] == [format_date(d, "long", locale=language) for d in days]


def test_the_korean_catalog_is_babels() -> None:
    ours, babels = translations("ko"), Translations.load(str(LOCALE_DIR), ["ko"], DOMAIN)
    assert isinstance(babels, Translations)
    catalog = babels._catalog  # type: ignore[attr-defined]
    assert len(catalog) > 10
    for key in catalog:
        if isinstance(key, str) and key:
            assert ours.gettext(key) == babels.gettext(key)
    assert [ours.ngettext("a", "b", n) for n in range(4)] == [babels.ngettext("a", "b", n) for n in range(4)]
    assert translations("en").gettext("Read more") == "Read more"
