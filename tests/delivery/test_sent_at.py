"""An edition's ``sent_at`` is the run's time (the caller's ``now``), never the wall clock, so a
send under a fixed clock records that time, as `digest status` and the archive show it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.delivery.conftest import add_subscribers

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)  # a Wednesday, years from the day the suite runs


def test_a_sent_edition_is_stamped_with_the_runs_time(world) -> None:  # type: ignore[no-untyped-def]
    w = world()
    add_subscribers(w.engine, 3)
    w.now = NOW
    report = w.send()
    edition = w.ledger.edition(report.key)
    assert report.status == "sent" and edition is not None
    assert edition.sent_at == NOW


def test_a_skipped_edition_is_stamped_with_the_runs_time(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.xml"
    empty.write_text('<rss version="2.0"><channel><title>Quiet</title></channel></rss>', encoding="utf-8")
    w = world(DIGEST_SOURCES=str(empty))
    add_subscribers(w.engine, 1)
    w.now = NOW
    report = w.send()
    edition = w.ledger.edition(report.key)
    assert report.status == "skipped" and edition is not None
    assert edition.sent_at == NOW
