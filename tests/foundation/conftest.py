"""Fixtures of the foundation tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.config import example_env
from digest.plugins import plugins
from tests.paths import SAMPLE


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder like the README's: the sample articles, .env copied from the generated example."""
    shutil.copytree(SAMPLE, tmp_path / "content")
    (tmp_path / ".env").write_text(example_env(plugins(), first_hour=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path
