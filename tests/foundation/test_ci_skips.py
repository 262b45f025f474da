"""Under CI=true a skipped real-part test fails the run; elsewhere it stays a skip.

Runs pytest in a subprocess on small sample test files with the hooks of
tests/ci_skips.py loaded as a plugin, with and without CI=true.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SAMPLES = {
    "test_tool.py": """
import pytest

def test_needs_a_tool():
    pytest.skip("PostgreSQL is not installed")

def test_runs():
    assert True
""",
    "test_live.py": """
import pytest

@pytest.mark.live
def test_provider():
    pytest.skip("no DIGEST_TEST_ credentials")
""",
    "test_situation.py": """
import pytest

def test_outward_address():
    pytest.skip("not applicable here: no non-loopback interface")
""",
    "test_module.py": """
import pytest

pytest.skip("chromium is not installed", allow_module_level=True)

def test_browser():
    assert True
""",
    "test_xfail.py": """
import pytest

@pytest.mark.xfail(reason="known")
def test_known():
    assert False
""",
}


def _run(folder: Path, ci: str | None, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.ci_skips", "-q", "-rA", "-p", "no:cacheprovider",
         "-o", "markers=live: opt-in", *files],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )


def _samples(tmp_path: Path) -> Path:
    for name, text in SAMPLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_missing_tool_fails_under_ci(tmp_path: Path) -> None:
    done = _run(_samples(tmp_path), "true", "test_tool.py")
    assert done.returncode == 1, done.stdout
    assert "skipped under CI=true: PostgreSQL is not installed" in done.stdout
    assert "1 failed, 1 passed" in done.stdout


def test_a_module_level_skip_fails_under_ci(tmp_path: Path) -> None:
    done = _run(_samples(tmp_path), "true", "test_module.py")
    assert done.returncode != 0, done.stdout
    assert "skipped under CI=true: chromium is not installed" in done.stdout


def test_live_and_not_applicable_skips_and_xfail_stay_as_they_are_under_ci(tmp_path: Path) -> None:
    done = _run(_samples(tmp_path), "true", "test_live.py", "test_situation.py", "test_xfail.py")
    assert done.returncode == 0, done.stdout
    assert "2 skipped, 1 xfailed" in done.stdout


def test_outside_ci_a_missing_tool_is_a_skip(tmp_path: Path) -> None:
    for ci in (None, "false", ""):
        done = _run(_samples(tmp_path), ci, "test_tool.py", "test_module.py")
        assert done.returncode == 0, done.stdout
        assert "2 skipped, 1 passed" in done.stdout or "1 passed, 2 skipped" in done.stdout
