"""No link undoes a leaving (issue 20): /preferences never brings back an address that bounced or
complained, and a confirmation link confirms its own request once, and only if it was sent after
the address last left the list. A fresh confirmation, sent after the leaving, still works.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from digest.deliver.confirm import CONFIRM_PATH, link_hash
from digest.deliver.side_queue import drain
from digest.serve import create_app
from digest.store import schema
from digest.store.signups import confirm_signup, lookup, remember_link, request_signup
from digest.store.signups import unsubscribe as unsubscribe_at
from digest.store.subscribers import insert_new
from digest.unsubscribe import PREFERENCES, day_of, secret_key, token_for
from tests.serve.helpers import first_link, hidden_fields
from tests.serve.test_side_emails import outbox, world  # noqa: F401 (world: the fixture)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)


def leave(engine, address: str, status: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    s = schema.subscribers
    with engine.begin() as conn:
        conn.execute(update(s).where(s.c.email == address).values(status=status, unsubscribed_at=at))


def ask(engine, key: bytes, address: str, at: datetime, link: str) -> None:  # type: ignore[no-untyped-def]
    assert request_signup(engine, address, "en", "I agree", at, timedelta(0), key)
    remember_link(engine, address, link_hash(link), at)


def test_a_link_confirms_its_request_once(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    ask(engine, key, "ann@example.org", NOW, "link-a")
    assert confirm_signup(engine, "ann@example.org", NOW + HOUR, link_hash("never-sent")) is None
    assert confirm_signup(engine, "ann@example.org", NOW + HOUR, link_hash("link-a")) == "en"
    assert confirm_signup(engine, "ann@example.org", NOW + HOUR, link_hash("link-a")) is None  # used


def test_a_link_sent_before_the_address_left_never_brings_it_back(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    ask(engine, key, "ann@example.org", NOW, "link-a")
    assert confirm_signup(engine, "ann@example.org", NOW, link_hash("link-a")) == "en"
    unsubscribe_at(engine, "ann@example.org", NOW + HOUR)
    ask(engine, key, "ann@example.org", NOW + 2 * HOUR, "link-b")  # someone signs her up again
    assert confirm_signup(engine, "ann@example.org", NOW + 3 * HOUR, link_hash("link-a")) is None
    assert lookup(engine, "ann@example.org").status == "unsubscribed"  # type: ignore[union-attr]
    assert confirm_signup(engine, "ann@example.org", NOW + 3 * HOUR, link_hash("link-b")) == "en"


def test_a_pending_link_dies_with_a_complaint_or_bounce_and_a_fresh_one_works(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    for n, status in enumerate(("complained", "bounced")):
        address = f"p{n}@example.org"
        left = "2026-11-01T00:00:00+00:00"
        insert_new(engine, [{"email": address, "status": "unsubscribed", "left_at": left}])
        ask(engine, key, address, NOW, "early")
        leave(engine, address, status, NOW + HOUR)  # e.g. an old digest's complaint arrives
        assert confirm_signup(engine, address, NOW + 2 * HOUR, link_hash("early")) is None
        ask(engine, key, address, NOW + 3 * HOUR, "fresh")  # they sign up again, and confirm
        assert confirm_signup(engine, address, NOW + 3 * HOUR, link_hash("fresh")) == "en"
        assert lookup(engine, address).status == "active"  # type: ignore[union-attr]


def test_a_blocked_address_is_never_asked_nor_confirmed(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    insert_new(engine, [{"email": "spam@example.org", "status": "unsubscribed"}])
    ask(engine, key, "spam@example.org", NOW, "link")
    leave(engine, "spam@example.org", "blocked", NOW - HOUR)  # the owner blocked it (before the link)
    assert confirm_signup(engine, "spam@example.org", NOW + HOUR, link_hash("link")) is None
    assert not request_signup(engine, "spam@example.org", "en", "I agree", NOW + HOUR, timedelta(0), key)


def test_preferences_bring_back_who_unsubscribed_but_never_who_bounced_or_complained(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings, engine = world()
    key = secret_key(settings)
    client = create_app(settings, engine).test_client()
    statuses = {"left@example.org": "unsubscribed", "bad@example.org": "bounced"}
    statuses["spam@example.org"] = "complained"
    insert_new(engine, [{"email": a, "status": s, "language": "en"} for a, s in statuses.items()])
    for address, status in statuses.items():
        url = "/preferences/" + token_for(engine, key, PREFERENCES, address, day_of(NOW))
        page = client.get(url).get_data(as_text=True)
        assert ('name="resubscribe"' in page) == (status == "unsubscribed")
        fields = {**hidden_fields(page), "language": "ko", "resubscribe": "yes"}
        assert client.post(url, data=fields).status_code == 200
        row = lookup(engine, address)
        assert row is not None and row.language == "ko"  # the language may always change
        assert row.status == ("active" if status == "unsubscribed" else status), address
        if status != "unsubscribed":
            assert 'href="/subscribe"' in page  # the way back: a fresh sign-up and confirmation


def test_the_emailed_link_works_once_through_the_pages(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setenv("DIGEST_TEST_NOW", NOW.isoformat())  # the pages' clock is the queue's (digest.clock)
    settings, engine = world()
    client = create_app(settings, engine).test_client()
    form = client.get("/subscribe").get_data(as_text=True)
    fields = {**hidden_fields(form), "email": "new@example.org", "language": "en", "consent": "yes"}
    assert client.post("/subscribe", data=fields).status_code == 200
    drain(settings, engine, secret_key(settings), lambda: NOW)
    [message] = outbox(settings, "new@example.org")
    path = CONFIRM_PATH + first_link(message, CONFIRM_PATH).split(CONFIRM_PATH, 1)[1]
    token = hidden_fields(client.get(path).get_data(as_text=True))
    first = client.post(path, data=token).get_data(as_text=True)
    again = client.post(path, data=token).get_data(as_text=True)
    assert "nothing left to confirm" not in first and "nothing left to confirm" in again
    assert lookup(engine, "new@example.org").status == "active"  # type: ignore[union-attr]
