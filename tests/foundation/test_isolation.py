"""The suite cannot read the checkout's `.env`, `content/` or `var/` (tests/isolation.py, conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.isolation import GUARD, checkout_file
from tests.paths import REPO, SAMPLE


def test_the_checkout_files_a_volunteer_owns_are_named() -> None:
    owned_files = (REPO / ".env", REPO / "content", REPO / "content" / "my-story.md", REPO / "var" / "x.db")
    for owned in owned_files:
        assert checkout_file(owned) == str(owned)
        assert checkout_file(os.fsencode(owned)) == str(owned)
    for ours in (REPO / ".env.example", REPO / "contents.md", REPO / "content" / "__init__.py",
                 SAMPLE / "news.xml", REPO / "tests" / "var", REPO / "README.md", 3):
        assert checkout_file(ours) == "", ours


def test_opening_the_checkouts_env_during_a_test_is_seen() -> None:
    assert GUARD.active
    try:
        (REPO / ".env").read_text(encoding="utf-8")  # absent or not, the open is seen
    except OSError:
        pass
    seen, GUARD.seen = GUARD.seen, []  # cleared, or this test would fail for it
    assert seen == [f"open {REPO / '.env'}"]
    list((REPO / "content").glob("*.md"))
    seen, GUARD.seen = GUARD.seen, []
    assert seen and all(s.endswith(str(REPO / "content")) for s in seen), seen


def test_a_test_and_the_commands_it_starts_run_outside_the_checkout(tmp_path: Path) -> None:
    assert not Path.cwd().resolve().is_relative_to(REPO)
    assert list(Path.cwd().iterdir()) == []
    assert not [key for key in os.environ if key.startswith("DIGEST_") and not key.startswith("DIGEST_TEST_")]
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getcwd())"],
                           capture_output=True, text=True, check=True, timeout=60)
    assert not Path(child.stdout.strip()).resolve().is_relative_to(REPO)
