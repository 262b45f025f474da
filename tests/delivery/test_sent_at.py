"""An edition's ``sent_at`` is the run's time (the caller's ``now``), never the wall clock, so a
send under a fixed clock records that time, as `digest status` and the archive show it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.delivery.conftest import add_subscribers

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)  # a Wednesday, months from the day the suite runs
QUIET = '<rss version="2.0"><channel><title>Quiet</title></channel></rss>'


@pytest.mark.parametrize("status", ["sent", "skipped"])
def test_a_done_edition_is_stamped_with_the_runs_time(world, tmp_path: Path, status: str) -> None:  # type: ignore[no-untyped-def]
    values = {}
    if status == "skipped":  # nothing new: the freeze stamps it
        (tmp_path / "quiet.xml").write_text(QUIET, encoding="utf-8")
        values["DIGEST_SOURCES"] = str(tmp_path / "quiet.xml")
    w = world(**values)
    add_subscribers(w.engine, 2)
    w.now = NOW
    report = w.send()
    edition = w.ledger.edition(report.key)
    assert report.status == status and edition is not None
    assert edition.sent_at == NOW
