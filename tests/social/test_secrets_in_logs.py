"""No secret in any logged URL or error line (issue 13): the Threads token travels in the query string."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digest.social import queue_edition
from digest.store.ledger import Ledger
from tests.paths import SAMPLE
from tests.social.conftest import KEY, frozen_edition

REPO = Path(__file__).resolve().parents[2]


def test_debug_log_and_errors_never_show_the_threads_token(  # type: ignore[no-untyped-def]
    make_settings, make_engine, social_env, fakes, tmp_path: Path
) -> None:
    env = {**social_env, "DIGEST_SOCIAL_PLATFORMS": "threads", "DIGEST_SOCIAL_APPROVAL": "false",
           "DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE)}
    settings = make_settings(**env)
    engine = make_engine(settings)
    frozen_edition(engine)
    assert queue_edition(settings, engine, KEY).queued == 2
    fakes["threads"].fail_next("threads_publish", 500)  # an error line too, besides the debug lines
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")} | env
    result = subprocess.run(
        [sys.executable, "-m", "digest", "-v", "social", "publish"],
        cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert "access_token=[redacted]" in output, output  # the request lines were logged, redacted
    assert "ttoken" not in output
    stored = [row.last_error for row in Ledger(engine).deliveries(KEY)] + [
        e["message"] for e in Ledger(engine).recent_events()
    ]
    assert stored and not any("ttoken" in text for text in stored)
    assert len(fakes["threads"].posts) >= 1  # it did publish: the redaction hid only the token
