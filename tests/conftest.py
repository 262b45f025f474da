"""Shared fixtures. Fakes of HTTP and SMTP services live in tests/fakes/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config import Settings
from digest.plugins import load_settings
from tests.ci_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401 (hooks)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No DIGEST_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("DIGEST_") and not key.startswith("DIGEST_TEST_"):
            monkeypatch.delenv(key, raising=False)
    yield


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build Settings from a dict of DIGEST_* values, with the data folder in tmp_path."""

    def make(**values: str) -> Settings:
        env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(REPO / "content")}
        env.update(values)
        return load_settings(environ=env, read_dotenv=False)

    return make
