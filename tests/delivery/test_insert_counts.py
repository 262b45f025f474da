"""Rows-inserted counts are true on both dialects: an import says how many addresses it added,
and an address already on the list is not counted again (insert_ignore's rowcount on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.store import open_store
from digest.store.subscribers import insert_new
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)


def _rows(*addresses: str) -> list[dict[str, str]]:
    return [{"email": a, "name": "", "language": ""} for a in addresses]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'digest.db'}"
    return str(request.getfixturevalue("pg_url"))


def test_added_counts_only_new_addresses(db_url: str) -> None:
    engine = open_store(db_url)
    try:
        assert insert_new(engine, _rows("a@example.org", "b@example.org", "c@example.org")) == 3
        assert insert_new(engine, _rows("b@example.org", "d@example.org")) == 1
        assert insert_new(engine, _rows("a@example.org")) == 0
        assert insert_new(engine, _rows("e@example.org")) == 1
    finally:
        engine.dispose()
