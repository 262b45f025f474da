"""Issue 19, "Dates mean the calendar day", in the archive: an edition is listed on the day it went
out where the organisation is (DIGEST_TIMEZONE), not on its day in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from digest.store import schema
from digest.store.ledger import Ledger
from tests.serve.helpers import app_client

# Monday 19:00 in Los Angeles and Tuesday 03:00 in UTC; Tuesday 12:00 in Seoul.
SENT = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)


ZONES_AND_DAYS = [("America/Los_Angeles", "2026-12-07"), ("Asia/Seoul", "2026-12-08")]


@pytest.mark.parametrize(("zone", "day"), ZONES_AND_DAYS)
def test_the_archive_lists_an_edition_on_its_local_day(tmp_path: Path, zone: str, day: str) -> None:
    client, engine = app_client(tmp_path, DIGEST_TIMEZONE=zone)
    try:
        ledger = Ledger(engine)
        ledger.ensure_edition("weekly:2026-W50", datetime(2026, 12, 7, 17, 0, tzinfo=UTC))
        ledger.freeze_edition("weekly:2026-W50", "Our news", "<p>Winter coats.</p>", "Winter coats", [])
        with engine.begin() as conn:  # sent at a moment whose day differs between the zone and UTC
            e = schema.editions
            conn.execute(update(e).where(e.c.key == "weekly:2026-W50").values(status="sent", sent_at=SENT))
        page = client.get("/archive").get_data(as_text=True)
        assert f'<time datetime="{day}">{day}</time>' in page, page
    finally:
        engine.dispose()
