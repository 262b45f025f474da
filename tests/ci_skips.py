"""Under CI=true a skipped test is a failure (pytest hooks, loaded by tests/conftest.py).

Real-part tests (PostgreSQL, maildev, Chromium, TLS) skip when their tool is missing,
which is right on a laptop and wrong in CI: a green run must mean they ran. Two kinds
of skip stay skips: tests marked ``live`` (they talk to real providers and need
credentials, so they are opt-in) and skips whose reason starts with
``not applicable here:`` (the machine lacks the situation the test checks, e.g. a
non-loopback network interface; no install could fix it).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

STILL_A_SKIP = "not applicable here:"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _fail(report: pytest.TestReport | pytest.CollectReport) -> None:
    reason = _reason(report)
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI=true: {reason}\n"
        "CI must run every real-part test: install the tool (bash scripts/test.sh does), "
        "or mark the test `live` if it needs provider credentials."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    if item.get_closest_marker("live") or _reason(report).startswith(STILL_A_SKIP):
        return
    _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """A whole module skipped at import (``allow_module_level``) fails the same way."""
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.skipped and in_ci() and not _reason(report).startswith(STILL_A_SKIP):
        _fail(report)
