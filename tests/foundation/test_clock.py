"""digest/clock.py: the wall clock, or the fixed time DIGEST_TEST_NOW gives the commands."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest import clock
from digest.errors import ConfigError


def test_unset_it_is_the_wall_clock() -> None:
    assert clock.ENV not in os.environ  # tests/conftest.py clears it
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=60)
    assert clock.now().tzinfo is not None


def test_set_it_is_that_instant_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2027-01-04T11:10:00+09:00")
    assert clock.now() == datetime(2027, 1, 4, 2, 10, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", ["2027-01-04T02:10:00", "next monday", "2027-13-01T00:00:00Z"])
def test_a_time_without_a_zone_or_no_time_is_a_clear_error(monkeypatch, value: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(clock.ENV, value)
    with pytest.raises(ConfigError, match=clock.ENV):
        clock.now()


def test_the_commands_and_the_scheduler_read_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update({clock.ENV: "2031-06-30T23:00:00+00:00", "DIGEST_DATA_DIR": str(tmp_path / "var"),
                "DIGEST_SCHEDULE": "0 9 * * 1", "DIGEST_TIMEZONE": "Asia/Seoul"})
    done = subprocess.run([sys.executable, "-m", "digest", "schedule", "--next", "2"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "2031-07-07" in done.stdout and "2031-07-14" in done.stdout, done.stdout

    from digest.jobs.runner import Runner

    assert Runner.__init__.__kwdefaults__["clock"] is clock.now  # `digest run` checks at the same time
