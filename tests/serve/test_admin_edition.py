"""The dashboard's edition page (issue 21): the edition's receipt as it stands now, and every
source's health (last good fetch, newest item, the failure in progress)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.store.ledger import Ledger
from digest.store.source_health import SourceCheck, record_checks
from tests.paths import SAMPLE
from tests.serve.test_admin import PASSWORD, app_for, log_in

SLOT = datetime(2026, 6, 1, 7, tzinfo=UTC)
KEY = "weekly:2026-W23"
PARTNER = "https://partner.example.org/feed.xml"


def test_the_edition_page_shows_its_receipt_and_the_sources(tmp_path: Path) -> None:
    from digest.serve.site import site

    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD, DIGEST_SOURCES=f"{SAMPLE},{PARTNER}")
    engine = site(app).engine
    ledger = Ledger(engine)
    ledger.ensure_edition(KEY, SLOT)
    ledger.set_status(KEY, "sent")
    ledger.event("warning", "source skipped", f"{PARTNER}: the server answered HTTP 503", KEY)
    checks = [SourceCheck(str(SAMPLE), items=3, newest=SLOT), SourceCheck(PARTNER, "503", "HTTP 503")]
    record_checks(engine, checks, SLOT)
    client = app.test_client()
    assert client.get(f"/admin/editions/{KEY}").status_code in (302, 303, 401)  # log in first
    log_in(client)
    page = client.get(f"/admin/editions/{KEY}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Edition {KEY}" in text
    assert "Sent to: 0" in text and "the server answered HTTP 503" in text
    assert "failing (1 run(s) in a row)" in text and "HTTP 503" in text
    assert "2026-06-01 07:00 UTC" in text  # the sample's last good fetch and newest item
    assert f'href="/admin/editions/{KEY}"' in client.get("/admin").get_data(as_text=True)
    assert client.get("/admin/editions/weekly:1999-W01").status_code == 404
