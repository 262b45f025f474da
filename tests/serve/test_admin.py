"""The volunteers' dashboard: log-in, CSRF, the approval queue and unknown deliveries (log-ins that
end and slowed guessing: test_login_sessions.py).

The queue test runs a real `digest serve` and a local Mastodon fake: a volunteer
logs in, an edit with a protected term or without the link is refused, a good
edit is approved, and `digest social publish` sends exactly the edited text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from digest.plugins import load_settings
from digest.serve import create_app
from digest.store import open_store
from tests.fakes.social_mastodon import FakeMastodon
from tests.paths import SAMPLE
from tests.serve.conftest import add_people
from tests.serve.helpers import hidden_fields

PASSWORD = "correct horse battery staple"


def app_for(tmp_path: Path, **values: str):  # type: ignore[no-untyped-def]
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE), **values}
    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings, open_store(settings.db_url))
    return app


def csrf_of(client, path: str) -> str:  # type: ignore[no-untyped-def]
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]


def log_in(client, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/login", data={"password": password, "csrf_token": csrf_of(client, "/admin/login")}
    )


def test_without_a_password_the_dashboard_is_off_and_says_how(tmp_path: Path) -> None:
    client = app_for(tmp_path).test_client()
    for path in ("/admin", "/admin/login"):
        page = client.get(path)
        assert page.status_code == 403 and "DIGEST_ADMIN_PASSWORD" in page.get_data(as_text=True)
    assert client.post("/admin/login", data={"password": ""}).status_code in (400, 403)


def test_login_cookie_flags_and_plain_password_is_hashed(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD, DIGEST_PUBLIC_URL="https://news.example.org")
    from digest.serve.site import site

    assert site(app).admin_hash.startswith("scrypt:") and PASSWORD not in site(app).admin_hash
    client = app.test_client()
    assert client.get("/admin").status_code == 303
    answer = log_in(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin")
    cookies = {c.split("=", 1)[0]: c for c in answer.headers.getlist("Set-Cookie")}
    assert "SameSite=Lax" in cookies["session"] and "SameSite=Strict" in cookies["digest_device"]
    assert all("HttpOnly" in cookie and "Secure" in cookie for cookie in cookies.values())
    page = client.get("/admin")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_forms_without_or_with_a_wrong_csrf_token_are_refused(tmp_path: Path) -> None:
    client = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD).test_client()
    assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 400
    assert client.post("/admin/login", data={"password": PASSWORD, "csrf_token": "x"}).status_code == 400
    assert log_in(client).status_code == 303
    assert client.post("/admin/posts/1", data={"action": "skip"}).status_code == 400
    assert client.post("/admin/deliveries", data={"id": "1", "action": "sent"}).status_code == 400
    assert client.post("/admin/logout").status_code == 400


@pytest.fixture
def mastodon():  # type: ignore[no-untyped-def]
    fake = FakeMastodon()
    fake.start()
    yield fake
    fake.stop()


def test_volunteer_edits_and_approves_and_the_edited_text_is_published(
    make_server, tmp_path: Path, mastodon
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "terms.txt").write_text("Secret Safehouse\n")
    srv = make_server(
        DIGEST_ADMIN_PASSWORD=generate_password_hash(PASSWORD),
        DIGEST_SOCIAL_PLATFORMS="mastodon",
        DIGEST_MASTODON_BASE_URL=mastodon.url,
        DIGEST_MASTODON_TOKEN="mtoken",
        DIGEST_PROTECTED_TERMS_FILE=str(tmp_path / "terms.txt"),
    )
    add_people(srv, ("reader@example.org", ""))
    assert srv.cli("send").returncode == 0
    http = srv.session
    login_page = http.get(srv.url("/admin/login")).text
    assert http.post(srv.url("/admin/login"), data={**hidden_fields(login_page), "password": PASSWORD}).ok
    page = http.get(srv.url("/admin")).text
    post_id = int(re.search(r'id="post-(\d+)"', page).group(1))  # type: ignore[union-attr]
    original = re.search(rf'id="text-{post_id}"[^>]*>([^<]*)</textarea>', page).group(1)  # type: ignore[union-attr]
    link = re.search(r"https?://\S+", original.replace("&amp;", "&")).group(0)  # type: ignore[union-attr]
    token = hidden_fields(page)["csrf_token"]
    act = srv.url(f"/admin/posts/{post_id}")

    bad = http.post(
        act, data={"csrf_token": token, "action": "approve", "text": f"Met at the Secret Safehouse {link}"}
    )
    assert bad.status_code == 400 and "protected term" in bad.text
    no_link = http.post(act, data={"csrf_token": token, "action": "approve", "text": "No link here"})
    assert no_link.status_code == 400 and "link is missing" in no_link.text
    long = http.post(act, data={"csrf_token": token, "action": "save", "text": "word " * 200 + link})
    assert long.status_code == 400 and "too long" in long.text

    edited = f"Edited by a volunteer: winter coats for every child. {link}"
    done = http.post(
        act, data={"csrf_token": token, "action": "approve", "text": edited}, allow_redirects=False
    )
    assert done.status_code == 303
    published = srv.cli("social", "publish")
    assert published.returncode == 0, published.stdout + published.stderr
    texts = [s["content"] for s in mastodon.statuses]
    assert any("Edited by a volunteer" in t for t in texts), texts
    assert not any("Secret Safehouse" in t for t in texts)


def test_unknown_deliveries_resolve_as_sent_or_resend(make_server) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select, update

    from digest.store import schema

    srv = make_server(DIGEST_ADMIN_PASSWORD=PASSWORD, DIGEST_SMTP_CONNECTIONS="1")
    add_people(srv, ("one@example.org", ""), ("two@example.org", ""))
    assert srv.cli("send").returncode == 0
    engine = srv.engine()
    d = schema.deliveries
    try:
        with engine.begin() as conn:  # as after a crash mid-call: the outcome is not known
            conn.execute(update(d).where(d.c.channel.like("email%")).values(status="unknown"))
            ids = conn.scalars(select(d.c.id).where(d.c.channel.like("email%")).order_by(d.c.id)).all()
        http = srv.session
        login_page = http.get(srv.url("/admin/login")).text
        http.post(srv.url("/admin/login"), data={**hidden_fields(login_page), "password": PASSWORD})
        page = http.get(srv.url("/admin")).text
        assert all(f'id="d-{i}"' in page for i in ids)
        token = hidden_fields(page)["csrf_token"]
        first = http.post(
            srv.url("/admin/deliveries"), data={"csrf_token": token, "id": str(ids[0]), "action": "sent"}
        )
        assert first.status_code == 200 and "marked sent" in first.text
        http.post(
            srv.url("/admin/deliveries"),
            data={"csrf_token": token, "id": [str(i) for i in ids[1:]], "action": "resend"},
        )
        with engine.connect() as conn:
            statuses = dict(conn.execute(select(d.c.id, d.c.status).where(d.c.id.in_(ids))).all())
        assert statuses[ids[0]] == "sent"
        assert all(statuses[i] == "pending" for i in ids[1:]), statuses
    finally:
        engine.dispose()


def test_the_dashboard_shows_the_next_editions_preview_behind_the_login(tmp_path: Path) -> None:
    import base64
    import hashlib
    import html
    from datetime import UTC, datetime

    from digest.preview import build_preview
    from digest.serve.site import site
    from digest.store.ledger import Ledger

    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    client = app.test_client()
    refused = client.get("/admin/preview")
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/admin/login")
    assert "<iframe" not in refused.get_data(as_text=True)
    log_in(client)
    admin = client.get("/admin")
    assert 'src="/admin/preview"' in admin.get_data(as_text=True)
    assert "frame-src 'self'" in admin.headers["Content-Security-Policy"]
    page = client.get("/admin/preview")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    expected = build_preview(
        site(app).settings, Ledger(site(app).engine), tmp_path / "cli-preview", now=datetime.now(UTC)
    )
    assert expected.edition is not None and expected.edition.items
    shown = html.unescape(html.unescape(body))
    for item in [*expected.edition.items, *expected.edition.more]:
        assert item.article.title in shown, item.article.title
    csp = page.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script>(.*?)</script>", body, re.DOTALL)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'self'" in csp and page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert not (tmp_path / "var" / "outbox").exists()  # a preview never sends


def test_the_dashboard_shows_provider_events_per_edition(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from digest.serve.site import site
    from digest.store.ledger import Ledger
    from digest.store.mail_events import MailEvent, record

    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    client = app.test_client()
    assert log_in(client).status_code == 303
    assert "Provider events per edition" not in client.get("/admin").get_data(as_text=True)
    engine, at = site(app).engine, datetime(2026, 12, 1, tzinfo=UTC)
    ledger = Ledger(engine)
    ledger.ensure_edition("weekly:2026-W49", at)
    people = [["a@example.org", "", ""], ["b@example.org", "", ""]]
    ledger.add_deliveries("weekly:2026-W49", "email:mailgun", [("batch:0", people)])
    [row] = ledger.deliveries("weekly:2026-W49")
    ledger.finish(row.id, "sent", provider_id="<m1@mg.example.org>")
    for n, (kind, who) in enumerate([("delivered", "a@example.org"), ("bounced", "b@example.org")]):
        record(
            engine,
            MailEvent(f"mailgun:{n}", "mailgun", kind, True, who, "m1@mg.example.org", at),
            site(app).key,
        )
    page = client.get("/admin").get_data(as_text=True)
    assert "Provider events per edition" in page and "delivered 1, bounced 1" in page
