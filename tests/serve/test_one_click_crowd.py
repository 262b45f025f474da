"""Many one-click POSTs at once (issue 24): the busiest path of `digest serve`, made one statement.

Every POST is answered 200 with the page for that address (its language, its masked address);
each address leaves the list once: one that had left already keeps the time it first left, a
second click at the same moment changes nothing, the answer says so in the same words, and an
address nobody clicked for stays. A link whose address is not on the list says just that.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from digest.store import schema
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.serve.conftest import add_people, link, running

KEY = "one-click-crowd-test-key-0123456789abcdef"
ONE_CLICK = "List-Unsubscribe=One-Click"
LEFT_BEFORE = datetime(2001, 3, 1, 9, 30, tzinfo=UTC)  # before any day the tests run
DONE = {"en": "will not get the digest any more", "ko": "더 이상 소식지를 보내지 않습니다"}


def one_click(url: str) -> tuple[int, str]:
    with requests.Session() as session:
        session.trust_env = False
        answer = session.post(url, data=ONE_CLICK, timeout=60, allow_redirects=False,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        return answer.status_code, answer.text


def departures(server, addresses: list[str]) -> dict[str, tuple[str, datetime | None]]:  # type: ignore[no-untyped-def]
    s = schema.subscribers
    engine = server.engine()
    try:
        with engine.connect() as conn:
            query = select(s.c.email, s.c.status, s.c.unsubscribed_at).where(s.c.email.in_(addresses))
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    return {e: (status, at.replace(tzinfo=UTC) if at and not at.tzinfo else at) for e, status, at in rows}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_each_of_many_concurrent_one_clicks_is_honoured_once(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    settings = {"DIGEST_SECRET_KEY": KEY}
    if database == "postgresql":
        settings["DIGEST_DATABASE_URL"] = request.getfixturevalue("pg_url")
    people = [f"crowd{n:02d}@example.org" for n in range(40)]
    language = {a: "ko" if n % 4 == 0 else "en" for n, a in enumerate(people)}
    left_before = people[::5]  # unsubscribed at LEFT_BEFORE: a click must not move that time
    with running(tmp_path, **settings) as server:
        add_people(server, *((a, "ko" if language[a] == "ko" else "") for a in people))
        add_people(server, ("stays@example.org", ""))
        engine = server.engine()
        try:
            with engine.begin() as conn:
                s = schema.subscribers
                conn.execute(update(s).where(s.c.email.in_(left_before))
                             .values(status="unsubscribed", unsubscribed_at=LEFT_BEFORE))
        finally:
            engine.dispose()
        urls = {a: server.url(link(server, "unsubscribe", a, KEY)) for a in people}
        stranger = server.url(link(server, "unsubscribe", "never.listed@example.org", KEY))
        # Each link twice, all at once (as a mailbox provider retrying while the person clicks).
        order = [a for pair in zip(people, people, strict=True) for a in pair]
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(one_click, [urls[a] for a in order] + [stranger]))
        *mine, (stranger_code, stranger_page) = answers
        for address, (code, page) in zip(order, mine, strict=True):
            assert code == 200, (address, code)
            assert DONE[language[address]] in page and "c***@example.org" in page, address
        assert stranger_code == 200 and "not on our list" in stranger_page
        after = departures(server, [*people, "stays@example.org"])
    assert after.pop("stays@example.org") == ("active", None)
    assert {status for status, _ in after.values()} == {"unsubscribed"}
    for address in left_before:
        assert after[address][1] == LEFT_BEFORE, address  # the first time stays
    assert all(at is not None and at > LEFT_BEFORE for a, (_, at) in after.items() if a not in left_before)
