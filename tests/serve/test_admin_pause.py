"""The dashboard's Pause and Resume buttons: the same rules as `digest pause` / `digest resume`,
behind the log-in, with a CSRF token, a POST answered with a redirect; and the progress column."""

from __future__ import annotations

from pathlib import Path

from digest.store.ledger import Ledger
from tests.serve.helpers import hidden_fields
from tests.serve.test_admin import PASSWORD, app_for, csrf_of, log_in


def test_pause_and_resume_from_the_dashboard(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    from digest.serve.site import site

    ledger = Ledger(site(app).engine)
    client = app.test_client()
    # Not logged in: refused without a token, sent to the log-in page with one; nothing is paused.
    assert client.post("/admin/editions/pause").status_code == 400
    anonymous = client.post("/admin/editions/pause", data={"csrf_token": csrf_of(client, "/admin/login")})
    assert anonymous.status_code == 303 and anonymous.headers["Location"].endswith("/admin/login")
    assert ledger.pauses() == {}
    assert log_in(client).status_code == 303
    page = client.get("/admin").get_data(as_text=True)
    assert "Pause this period's edition" in page
    token = hidden_fields(page)["csrf_token"]
    assert client.post("/admin/editions/pause").status_code == 400  # no CSRF token
    assert ledger.pauses() == {}

    done = client.post("/admin/editions/pause", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin#editions")
    (key,) = ledger.pauses()
    assert ledger.pauses()[key].by == "from the dashboard"
    page = client.get("/admin").get_data(as_text=True)
    assert f"{key} paused" in page  # the flash line
    assert "paused from the dashboard" in page and f"Resume<span class=\"vh\"> {key}" in page

    client.post("/admin/editions/resume", data={"csrf_token": token, "edition": key})
    assert ledger.pauses() == {}
    page = client.get("/admin").get_data(as_text=True)
    assert f"{key} resumed" in page and f"Pause<span class=\"vh\"> {key}" in page
    assert client.post("/admin/editions/stop", data={"csrf_token": token}).status_code == 404
    # Resuming what is not paused says so, and changes nothing.
    client.post("/admin/editions/resume", data={"csrf_token": token, "edition": key})
    assert "is not paused" in client.get("/admin").get_data(as_text=True)
