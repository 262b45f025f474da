"""An unexpected exception in a scheduled job is an alert, not only a log line.

It is emailed to DIGEST_ALERT_EMAIL (once a day per distinct error), `digest status`
shows it and fails, and `digest run --once` exits non-zero.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import Settings
from digest.jobs.runner import Runner
from digest.providers import Provider
from digest.store import open_store
from digest.store.ledger import Ledger
from tests.scheduler.conftest import write_feed

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)


def _broken_provider(settings: Settings) -> Provider:
    raise RuntimeError("provider plugin crashed")


def _env_file(tmp_path: Path, feed: Path, **extra: str) -> Path:
    values = {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(feed),
        "DIGEST_SCHEDULE": "0 9 * * 1",
        "DIGEST_TIMEZONE": "Europe/Berlin",
        "DIGEST_ALERT_EMAIL": "Office <office@example.org>",
        **extra,
    }
    env = tmp_path / "digest.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return env


def _alert_mails(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "outbox").glob("unexpected*/office@example.org.eml"))


def test_a_crashing_check_is_emailed_once_and_shown_by_status(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_settings, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=2))])
    settings = make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="0 9 * * 1", DIGEST_TIMEZONE="Europe/Berlin",
        DIGEST_ALERT_EMAIL="Office <office@example.org>",
    )
    engine = open_store(settings.db_url)
    clock = [MONDAY + timedelta(minutes=1)]
    runner = Runner(settings, engine, mode="once", clock=lambda: clock[0], provider_factory=_broken_provider)

    result = runner.check("watchdog")
    assert result is not None and result.outcome == "error" and result.trouble
    assert "RuntimeError: provider plugin crashed" in result.message
    assert runner.failures == [result.message]
    mails = _alert_mails(settings.data_dir)
    assert len(mails) == 1
    mail = message_from_bytes(mails[0].read_bytes())
    assert mail["Subject"].startswith("[digest alert] the watchdog check failed unexpectedly")
    assert "provider plugin crashed" in mail.get_payload(0).get_payload(decode=True).decode()

    # The watchdog retries every 15 minutes; the same error is not mailed again that day.
    for quarter in (1, 2, 3):
        clock[0] = MONDAY + timedelta(minutes=1 + 15 * quarter)
        assert runner.check("watchdog").outcome == "error"  # type: ignore[union-attr]
    assert len(_alert_mails(settings.data_dir)) == 1
    errors = [e for e in Ledger(engine).recent_events(20) if e["kind"] == "unexpected"]
    assert len(errors) == 1 and errors[0]["level"] == "error"

    env = _env_file(tmp_path, feed, DIGEST_DATA_DIR=str(settings.data_dir))
    capsys.readouterr()
    assert main(["--env-file", str(env), "status", "--json"]) == 1
    status = json.loads(capsys.readouterr().out)
    assert status["ok"] is False
    assert any("failed unexpectedly" in a["message"] for a in status["alerts"])


def test_run_once_exits_non_zero_when_a_job_raises(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug in the social job (any exception, not a DigestError) under `digest run --once`."""
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", datetime.now(UTC) - timedelta(days=1))])
    env = _env_file(tmp_path, feed)

    def buggy(*_args: object) -> str:
        raise KeyError("platform")

    monkeypatch.setattr("digest.jobs.runner.publish_social", buggy)
    assert main(["--env-file", str(env), "run", "--once"]) == 1
    out = capsys.readouterr().out
    assert "alert: the social posts job failed unexpectedly (KeyError: 'platform')" in out
    assert len(_alert_mails(tmp_path / "var")) == 1

    # Fixed: the next run is clean again (the alert stays listed by status).
    monkeypatch.setattr("digest.jobs.runner.publish_social", lambda *_a: "no social posts due")
    assert main(["--env-file", str(env), "run", "--once"]) == 0
