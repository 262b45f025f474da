"""A provider module dropped into a folder on digest/providers' path, where pip or a maintainer
would put one: the registry finds it with no other file edited."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import digest.providers
from digest.providers import providers


@contextmanager
def provider_module(folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> Iterator[Path]:
    """``folder`` holding only ``<name>.py`` (``source``), on the package's path while in use.

    It is put under a folder named ``tests``, which Hypothesis does not read for constants (see
    _import_the_whole_package in tests/conftest.py)."""
    folder = folder.parent / "tests" / folder.name
    folder.mkdir(parents=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.setattr(digest.providers, "__path__", [*digest.providers.__path__, str(folder)])
    providers.cache_clear()
    try:
        yield folder
    finally:
        sys.modules.pop(f"digest.providers.{name}", None)
        providers.cache_clear()
