"""The one-click door (digest/serve/one_click.py) answers the common one-click POST in front of
Flask: the same page, the same headers, byte for byte, as Flask's own view and after_request;
the address leaves once; every other request is Flask's, as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.test import Client

from digest.store import schema
from digest.store.one_click import Left
from digest.store.signups import lookup
from digest.unsubscribe import UNSUBSCRIBE, token_for
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.serve.conftest import FAR_AHEAD
from tests.serve.helpers import app_client

KEY = "door-test-key-0123456789abcdef-0123"
ONE_CLICK = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}
PEOPLE = ("a1@example.org", "a2@example.org", "b1@example.kr", "b2@example.kr", "c1@example.org")


def setup(root: Path, public_url: str) -> tuple[Any, Any, list[str]]:
    """The app's test client, its engine, and what its inner Flask app answered (paths)."""
    from digest import subscribers

    client, engine = app_client(root, DIGEST_SECRET_KEY=KEY, DIGEST_PUBLIC_URL=public_url)
    for address in PEOPLE:
        subscribers.add(engine, address, language="ko" if address.startswith("b") else "")
    door = client.application.wsgi_app
    flask_calls: list[str] = []
    inner = door.flask

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        flask_calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    door.flask = counted
    return client, engine, flask_calls


def left_time(engine: Any, address: str) -> Any:
    with engine.connect() as conn:
        table = schema.subscribers
        return conn.execute(select(table.c.unsubscribed_at).where(table.c.email == address)).scalar_one()


def path(engine: Any, address: str) -> str:
    return "/u/" + token_for(engine, KEY.encode(), UNSUBSCRIBE, address, FAR_AHEAD)


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:8000", "https://news.example.org"])
@pytest.mark.parametrize(("first", "second", "accept"), [
    ("a1@example.org", "a2@example.org", ""),
    ("a1@example.org", "a2@example.org", "ko-KR,ko;q=0.9"),
    ("b1@example.kr", "b2@example.kr", "en"),
])  # fmt: skip
def test_door_answers_as_flask_does(
    tmp_path: Path, public_url: str, first: str, second: str, accept: str
) -> None:
    client, engine, flask_calls = setup(tmp_path, public_url)
    try:
        headers = {"Accept-Language": accept} if accept else {}
        flask = Client(client.application.wsgi_app.flask)
        by_flask = flask.post(path(engine, first), headers=headers, **ONE_CLICK)
        assert len(flask_calls) == 1  # the first answer of its language is Flask's
        by_door = client.post(path(engine, second), headers=headers, **ONE_CLICK)
        assert len(flask_calls) == 1  # this one the door's
        assert by_flask.status_code == by_door.status_code == 200
        assert by_door.headers.to_wsgi_list() == by_flask.headers.to_wsgi_list()
        assert ("Strict-Transport-Security" in by_door.headers) == public_url.startswith("https")
        page = by_door.get_data(as_text=True)
        assert page == by_flask.get_data(as_text=True).replace(first[:1] + "***", second[:1] + "***")
        assert f"{second[:1]}***@{second.split('@')[1]}" in page
        for address in (first, second):
            assert lookup(engine, address).status == "unsubscribed"  # type: ignore[union-attr]
    finally:
        engine.dispose()


def test_second_click_keeps_the_first_time(tmp_path: Path) -> None:
    client, engine, flask_calls = setup(tmp_path, "")
    try:
        link = path(engine, "a1@example.org")
        first = client.post(link, **ONE_CLICK)  # Flask's: the page is not rendered yet
        left_at = left_time(engine, "a1@example.org")
        again = client.post(link, **ONE_CLICK)
        assert flask_calls == [link]
        assert first.status_code == again.status_code == 200
        assert again.get_data() == first.get_data()
        assert left_at is not None and left_time(engine, "a1@example.org") == left_at
        assert lookup(engine, "a2@example.org").status == "active"  # type: ignore[union-attr]
    finally:
        engine.dispose()


def test_everything_else_is_flasks(tmp_path: Path) -> None:
    client, engine, flask_calls = setup(tmp_path, "")
    try:
        client.post(path(engine, "c1@example.org"), **ONE_CLICK)  # the English page is rendered now
        flask_calls.clear()
        link = path(engine, "a1@example.org")
        assert client.get(link).status_code == 200
        assert lookup(engine, "a1@example.org").status == "active"  # type: ignore[union-attr]
        assert client.post(link[:-3] + "AAA", **ONE_CLICK).status_code == 404  # forged
        assert client.post(link + "?lang=ko", **ONE_CLICK).headers["Content-Language"] == "ko"
        made = FAR_AHEAD.replace(year=2000)
        old = "/u/" + token_for(engine, KEY.encode(), UNSUBSCRIBE, "a2@example.org", made)
        assert client.post(old, **ONE_CLICK).status_code == 410  # expired
        assert lookup(engine, "a2@example.org").status == "active"  # type: ignore[union-attr]
        client.set_cookie("session", "x")
        assert client.post(path(engine, "b1@example.kr"), **ONE_CLICK).status_code == 200
        assert len(flask_calls) == 5
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_each_thread_keeps_its_connection_and_replaces_a_lost_one(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    """The statement runs on a connection its thread keeps; when the server ends it (a restart,
    a dropped connection), the next POST takes a new one and is honoured once."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from digest import subscribers
    from digest.store import open_store
    from digest.store.link_refs import refs_for
    from digest.store.one_click import OneClick

    url = request.getfixturevalue("pg_url") if database == "postgresql" else f"sqlite:///{tmp_path}/d.db"
    engine = open_store(url)
    try:
        for address in PEOPLE:
            subscribers.add(engine, address)
        refs, now = refs_for(engine, list(PEOPLE)), datetime(2026, 12, 7, tzinfo=UTC)
        one = OneClick(engine)
        with ThreadPoolExecutor(2) as pool:
            left = list(pool.map(lambda a: one.unsubscribe(refs[a], now), PEOPLE[:4]))
        assert [x.email for x in left if x] == list(PEOPLE[:4]) and all(x and x.known for x in left)
        if database == "postgresql":
            with engine.connect() as conn:  # the server ends every other session
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND datname = current_database()"
                )
        assert one.unsubscribe(refs[PEOPLE[4]], now) == Left(PEOPLE[4], "", True)
        assert one.unsubscribe(refs[PEOPLE[4]], now) == Left(PEOPLE[4], "", True)  # nothing changes
        assert one.unsubscribe("AAAAAAAAAAAAAAAA", now) is None
        assert all(lookup(engine, a).status == "unsubscribed" for a in PEOPLE)  # type: ignore[union-attr]
    finally:
        engine.dispose()
