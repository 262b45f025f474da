"""`digest run --once` says each result once: on stdout; stderr only carries warnings.

A volunteer's cron mail (or terminal) showed every result twice: once as a log line on stderr
and once as the summary on stdout. The log file keeps every line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.cli import main
from tests.scheduler.conftest import write_feed

MONDAY = datetime(2026, 6, 1, 10, tzinfo=UTC)  # an hour after the 09:00 Berlin slot (CEST)


def test_each_result_is_said_once_and_the_log_file_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=1))])
    env = tmp_path / "digest.env"
    env.write_text(
        f"DIGEST_DATA_DIR={tmp_path / 'var'}\nDIGEST_SOURCES={feed}\n"
        "DIGEST_SCHEDULE=0 9 * * 1\nDIGEST_TIMEZONE=Europe/Berlin\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DIGEST_TEST_NOW", MONDAY.isoformat())
    assert main(["--env-file", str(env), "run", "--once"]) == 0
    said = capsys.readouterr()
    both = said.out + said.err
    assert said.out.splitlines() == ["weekly:2026-W23: sent"], both
    assert both.count("weekly:2026-W23: sent") == 1, both
    assert "catch-up" in said.err  # a warning still reaches the terminal
    log = (tmp_path / "var" / "logs" / "digest.log").read_text(encoding="utf-8")
    assert "once check: weekly:2026-W23: sent" in log and "catch-up" in log
