"""Build articles and editions for rendering tests."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.types import Article, Edition, EditionItem

ISSUED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def article(n: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "id": f"a{n}",
        "title": f"Story {n}",
        "url": f"https://example.org/news/{n}",
        "text": "text",
        "source": "test",
        "published": datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def make_edition(items: list[EditionItem], more: list[EditionItem] | None = None) -> Edition:
    return Edition(
        key="weekly:2026-W48", slot=ISSUED, issued=ISSUED, items=tuple(items), more=tuple(more or ())
    )
