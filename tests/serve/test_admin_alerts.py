"""The dashboard lists the alerts, open and resolved (issue 19: an alert clears when its cause does)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.store.scheduler import insert_alert, resolve_alerts
from tests.serve.test_admin import PASSWORD, app_for, log_in

RAISED = datetime(2026, 6, 1, 7, 5, tzinfo=UTC)


def test_the_dashboard_shows_which_alerts_are_open_and_which_were_resolved(tmp_path: Path) -> None:
    from digest.serve.site import site

    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    engine = site(app).engine
    insert_alert(engine, "retry:weekly:2026-W23", "send-failed", "weekly:2026-W23", "SMTP was down", RAISED)
    insert_alert(engine, "missed:weekly:2026-W22", "missed", "weekly:2026-W22", "W22 was missed", RAISED)
    resolve_alerts(engine, RAISED.replace(minute=20), "it went out", edition_key="weekly:2026-W23")
    client = app.test_client()
    log_in(client)
    page = client.get("/admin").get_data(as_text=True)
    section = page[page.index('id="alerts"') :]
    items = section[: section.index("</ul>")].split("<li")[1:]
    [resolved] = [i for i in items if "SMTP was down" in i]
    assert "Resolved" in resolved and "it went out" in resolved and "07:20" in resolved
    [still] = [i for i in items if "W22 was missed" in i]
    assert "Open" in still and "Resolved" not in still
