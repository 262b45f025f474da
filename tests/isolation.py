"""No test reads the checkout's `.env`, `content/` or `var/` (pytest hooks, loaded by tests/conftest.py).

A volunteer's checkout holds their own `.env` (a real SMTP host, say), their own articles in
`content/` and their data in `var/`; a test that read any of them would pass or fail by what
the volunteer did. An audit hook (``sys.addaudithook``) sees every file a test opens or lists
in this process, and the test fails when one is there. Commands a test starts run in its own
empty folder (tests/conftest.py), with their articles from tests/sample/.

Tests of the shipped sample itself (the wheel's contents, the fall-back to it) carry the
marker ``shipped_sample``: they may read `content/`, and must not depend on what it holds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from typing import Any

import pytest

from tests.paths import REPO

_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def checkout_file(path: object) -> str:
    """The checkout's `.env`, or a file or folder under its `content/` or `var/`, else ""."""
    if not isinstance(path, str | bytes | os.PathLike):
        return ""
    text = os.path.abspath(os.fsdecode(path))
    root = str(REPO)
    if text == os.path.join(root, ".env"):
        return text
    for folder in ("content", "var"):
        base = os.path.join(root, folder)
        if (text == base or text.startswith(base + os.sep)) and "__pycache__" not in text \
                and not text.endswith(".py"):  # importing digest.sample is not reading articles
            return text
    return ""


class Guard:
    """Collects the checkout's files opened while a test runs."""

    def __init__(self) -> None:
        self.active = False
        self.seen: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and event in _EVENTS and args:
            found = checkout_file(args[0])
            if found:
                self.seen.append(f"{event} {found}")


GUARD = Guard()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "shipped_sample: checks the sample articles shipped in content/")
    if not getattr(sys, "_digest_isolation_hook", False):  # an audit hook cannot be removed: add it once
        sys.addaudithook(GUARD)
        sys._digest_isolation_hook = True  # type: ignore[attr-defined]


def _guarded(item: pytest.Item) -> Generator[None, None, None]:
    GUARD.active, GUARD.seen = not item.get_closest_marker("shipped_sample"), []
    try:
        yield
    finally:
        GUARD.active = False
    if GUARD.seen:
        shown = "\n  ".join(dict.fromkeys(GUARD.seen))
        pytest.fail(f"the test read the checkout's .env, content/ or var/:\n  {shown}\n"
                    "use tests/sample/ (tests.paths.SAMPLE) and the test's own folder", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    result = yield from _guarded(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield from _guarded(item)
    return result
