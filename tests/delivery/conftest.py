"""Shared helpers of the delivery tests: settings, a database with subscribers, one send."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from digest.config import Settings
from digest.deliver.send import SendReport, send_current
from digest.providers import make_provider
from digest.store import open_store, schema
from digest.store.ledger import Ledger, insert_ignore, now_utc
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)


@pytest.fixture(params=["sqlite", "postgres"])
def either_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty store on SQLite, then on a real PostgreSQL."""
    url = (
        f"sqlite:///{tmp_path / 'digest.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    store = open_store(url)
    yield store
    store.dispose()


def add_subscribers(engine: Engine, n: int, domain: str = "example.net", language: str = "") -> list[str]:
    emails = [f"reader{i:06d}@{domain}" for i in range(n)]
    rows = [
        {"email": e, "name": f"Reader {i}", "language": language, "status": "active", "created_at": now_utc()}
        for i, e in enumerate(emails)
    ]
    with engine.begin() as conn:
        for start in range(0, len(rows), 1000):
            insert_ignore(conn, schema.subscribers, rows[start : start + 1000])
    return emails


class World:
    """Settings + database of one test; ``send()`` runs one `digest send`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = open_store(settings.db_url)
        self.ledger = Ledger(self.engine)
        self.now = datetime.now(UTC)

    def send(self) -> SendReport:
        return send_current(self.settings, self.engine, make_provider(self.settings), now=self.now)

    def rows(self) -> list:  # type: ignore[type-arg]
        edition = self.ledger.editions(1)[0]
        return self.ledger.deliveries(edition.key)


@pytest.fixture
def world(make_settings):  # type: ignore[no-untyped-def]
    worlds: list[World] = []

    def make(**values: str) -> World:
        values.setdefault("DIGEST_SEND_MAX_WAIT", "5")
        w = World(make_settings(**values))
        worlds.append(w)
        return w

    yield make
    for w in worlds:
        w.engine.dispose()


def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"
