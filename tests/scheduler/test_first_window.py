"""Issue 19, "The first edition keeps what came before it". Set up midweek, `digest sources`
promised the week's articles to the edition whose Monday slot had already passed; at the first
Monday slot the scheduled edition said "nothing new" and they were lost for good.

Now the first scheduled edition takes what was published within DIGEST_LOOKBACK_DAYS before the
first time digest read the sources on this data folder, and `digest sources` (and the preview)
name the edition that will carry them, with when it goes out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest import clock
from digest.cli import main
from tests.scheduler.conftest import write_feed

# A Wednesday, 51 hours after Monday 09:00 (the default slot), over the default DIGEST_MAX_LATENESS
SET_UP = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
FIRST_SLOT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_feed(tmp_path / "news.xml", [
        ("Too old", SET_UP - timedelta(days=9)),  # before the look-back from the first run
        ("Last Wednesday", SET_UP - timedelta(days=6)),
        ("Last Saturday", SET_UP - timedelta(days=3)),
        ("This Wednesday", SET_UP - timedelta(hours=2)),
    ])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_SOURCES", "news.xml")
    return tmp_path


def at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setenv(clock.ENV, when.isoformat())


def test_set_up_midweek_the_first_monday_edition_carries_the_weeks_articles(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    at(monkeypatch, SET_UP)
    assert main(["sources", "--json"]) == 0
    promised = json.loads(capsys.readouterr().out)
    assert promised["edition"] == "weekly:2026-W50", "not W49, whose slot passed before set-up"
    assert promised["goes_out"] == FIRST_SLOT.isoformat()
    assert "weekly:2026-W49" in promised["note"] and "DIGEST_MAX_LATENESS" in promised["note"]
    titles = [a["title"] for a in promised["articles"]]
    assert titles == ["This Wednesday", "Last Saturday", "Last Wednesday"]
    assert main(["sources"]) == 0
    said = capsys.readouterr().out
    assert "Edition weekly:2026-W50 (goes out 2026-12-07 09:00 UTC): 3 article(s)" in said

    at(monkeypatch, FIRST_SLOT + timedelta(minutes=3))  # the scheduler's first slot
    assert main(["run", "--once"]) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    sent = {e["key"]: e for e in status["editions"]}
    assert sent["weekly:2026-W50"]["status"] == "sent", sent
    assert "weekly:2026-W49" not in sent
    sent_files = (home / "var" / "outbox").rglob("*.eml")
    body = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sent_files)
    for title in titles:
        assert title in body
    assert "Too old" not in body


def test_the_preview_of_the_next_edition_is_dated_as_it_will_go_out(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    at(monkeypatch, SET_UP)
    assert main(["preview", "--out", "pv"]) == 0, capsys.readouterr()
    report = json.loads((home / "pv" / "report.json").read_text(encoding="utf-8"))
    assert report["edition"] == "weekly:2026-W50" and report["articles"] == 3
    assert report["subject"].endswith("news digest, December 7, 2026"), report["subject"]
    html = (home / "pv" / "email.html").read_text(encoding="utf-8")
    assert 'datetime="2026-12-07"' in html and 'datetime="2026-12-02"' in html  # the edition's, an article's
