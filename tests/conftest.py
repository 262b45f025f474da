"""Shared fixtures. Fakes of HTTP and SMTP services live in tests/fakes/.

Every test runs in an empty folder of its own with no DIGEST_* variable of the developer's
shell, so nothing of the checkout (its `.env`, `content/`, `var/`) reaches it, in this process
or in the `digest` commands it starts. Articles come from ``SAMPLE``, the tests' own fixed copy
of the sample articles, never from ``content/`` (the volunteer's own articles may be there);
tests/isolation.py fails a test that opens the checkout's `.env`, `content/` or `var/`.

Hypothesis runs with the ``ci`` profile under CI=true: derandomised (the same examples on
every run, so CI never passes or fails by chance) and without the example database; on a
laptop the default profile draws new examples each run and remembers failures in
``.hypothesis/``. A failure found that way becomes an ``@example`` of its test.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from digest import clock
from digest.config import Settings
from digest.plugins import load_settings
from tests.ci_skips import in_ci, pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401 (hooks)
from tests.isolation import pytest_configure, pytest_runtest_call, pytest_runtest_setup  # noqa: F401 (hooks)
from tests.paths import SAMPLE


def _import_the_whole_package() -> None:
    """Hypothesis also draws constants it finds in the project's loaded modules; with every module
    of the package loaded up front that pool, and so a derandomised run, no longer depends on which
    tests ran before in the same worker. (Tests that drop a plugin module in write it under a
    folder named ``tests``, which Hypothesis does not read.)"""
    import digest
    import digest.jobs

    for package in (digest, digest.jobs):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not found.name.endswith(".__main__"):
                importlib.import_module(found.name)


hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if in_ci():
    hypothesis_settings.load_profile("ci")
    _import_the_whole_package()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No DIGEST_* variable of the developer's shell leaks into a test, and the test (with every
    command it starts without a folder of its own) runs in an empty folder, not the checkout."""
    for key in list(os.environ):  # DIGEST_TEST_* hold live-test credentials; the fixed clock goes too
        if key.startswith("DIGEST_") and (key == clock.ENV or not key.startswith("DIGEST_TEST_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    yield


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build Settings from a dict of DIGEST_* values, with the data folder in tmp_path."""

    def make(**values: str) -> Settings:
        env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE)}
        env.update(values)
        return load_settings(environ=env, read_dotenv=False)

    return make


@pytest.fixture(autouse=True)
def _no_stale_log_handler() -> Iterator[None]:
    """A `digest` command run in-process hands the root logger a handler on the sys.stderr of the
    moment (capsys's, closed when the test ends), and logging.basicConfig keeps the first one: a
    later test's warnings would go to a closed file ("Logging error"). Each test's handlers go."""
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
