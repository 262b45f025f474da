"""Two `digest serve` processes on one PostgreSQL (issue 20): each queued confirmation is sent by
exactly one of them, and a dashboard log-in is one log-in for both (log out at one, the cookie is
refused at the other)."""

from __future__ import annotations

import time
from pathlib import Path

from digest.store.side_mails import unsettled_count
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.serve.conftest import running
from tests.serve.helpers import hidden_fields

KEY = "postgresql-web-test-key-0123456789abcdef"
PASSWORD = "correct horse battery staple"


def sign_up(server, address: str) -> int:  # type: ignore[no-untyped-def]
    server.session.cookies.clear()
    page = server.session.get(server.url("/subscribe"))
    fields = {**hidden_fields(page.text), "email": address, "language": "en", "consent": "yes"}
    return int(server.session.post(server.url("/subscribe"), data=fields).status_code)


def test_two_servers_send_each_confirmation_once_and_share_log_ins(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    settings = {
        "DIGEST_SECRET_KEY": KEY,
        "DIGEST_DATABASE_URL": pg_url,
        "DIGEST_ADMIN_PASSWORD": PASSWORD,
        "DIGEST_SIGNUPS_PER_IP": "1000",
    }
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    with running(tmp_path / "a", **settings) as first, running(tmp_path / "b", **settings) as second:
        people = [f"new{n:02d}@example.org" for n in range(12)]
        codes = [sign_up((first, second)[n % 2], a) for n, a in enumerate(people)]
        assert codes == [200] * len(people)
        engine = first.engine()
        try:
            deadline = time.monotonic() + 60
            while unsettled_count(engine):
                assert time.monotonic() < deadline, "the queue was not drained"
                time.sleep(0.1)
        finally:
            engine.dispose()
        files = [p.name for root in ("a", "b") for p in (tmp_path / root / "var" / "outbox").rglob("*.eml")]
        assert sorted(files) == sorted(f"{a}.eml" for a in people)  # each once, by one server or the other

        page = first.session.get(first.url("/admin/login")).text
        entered = first.session.post(
            first.url("/admin/login"),
            data={**hidden_fields(page), "password": PASSWORD},
            allow_redirects=False,
        )
        assert entered.status_code == 303, entered.text
        assert first.session.get(first.url("/admin"), allow_redirects=False).status_code == 200
        cookie = first.session.cookies["session"]
        second.session.cookies.set("session", cookie, domain="127.0.0.1", path="/")
        assert second.session.get(second.url("/admin"), allow_redirects=False).status_code == 200
        token = hidden_fields(second.session.get(second.url("/admin")).text)["csrf_token"]
        second.session.post(second.url("/admin/logout"), data={"csrf_token": token})
        assert first.session.get(first.url("/admin"), allow_redirects=False).status_code == 303
