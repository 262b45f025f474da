"""`.env.example` copied into a folder without ./content works: the default sources fall back to the
shipped sample (outbox only), as when DIGEST_SOURCES is unset."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_copied_example_works_outside_the_repository(tmp_path: Path) -> None:
    shutil.copy(REPO / ".env.example", tmp_path / ".env")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    done = subprocess.run([sys.executable, "-m", "digest", "sources"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "does not exist" not in done.stderr and "example.org/news" in done.stdout
