"""Link tokens (unsubscribe, preferences, confirmation): an opaque id, a last day and a MAC.

No token holds the address; a token opens only the page it was made for, until its last day;
a forged or foreign one opens nothing; after `subscribers forget` it leads nowhere. Links made
before the opaque format (the address in readable base64) still work for a documented period
after the upgrade, then not; they too lead nowhere once the address is forgotten.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from digest.store import open_store, schema
from digest.store.forgotten import forget
from digest.store.link_refs import refs_for
from digest.unsubscribe import (
    CONFIRM,
    LEGACY_DAYS,
    LIFETIME,
    PREFERENCES,
    UNSUBSCRIBE,
    open_link,
    read_token,
    token_for,
)
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)

KEY = b"t" * 40
MADE = date(2026, 11, 23)


@pytest.fixture
def engine(tmp_path):  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    yield engine
    engine.dispose()


def legacy_token(key: bytes, address: str) -> str:
    """A link as digest made them before: the address in base64, then its signature."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    sig = hmac.new(key, b"unsubscribe|" + address.encode(), hashlib.sha256).digest()[:16]
    return f"{b64(address.encode())}.{b64(sig)}"


def upgraded_on(engine, day: date) -> None:  # type: ignore[no-untyped-def]
    """Pretend the database started making opaque links on ``day`` (migration 43)."""
    v = schema.schema_versions
    with engine.begin() as conn:
        stamp = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        conn.execute(update(v).where(v.c.version == 43).values(applied_at=stamp))


addresses = st.emails().map(str.lower).filter(lambda a: len(a) <= 320)


@settings(max_examples=40, deadline=None)
@given(address=addresses)
def test_a_token_holds_no_trace_of_the_address(tmp_path_factory, address: str) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('t') / 'digest.db'}")
    try:
        token = token_for(engine, KEY, UNSUBSCRIBE, address, MADE)
        raw = base64.urlsafe_b64decode(token[1:])
        assert len(token) == 41 and len(raw) == 30 and token[0].isalpha()  # never taken for an option
        local, _, domain = address.partition("@")
        for part in (address, local, domain):
            for form in (part.encode(), base64.urlsafe_b64encode(part.encode()).rstrip(b"=")):
                assert len(form) < 4 or form not in token.encode() + raw
        assert open_link(engine, KEY, UNSUBSCRIBE, token, MADE).address == address
    finally:
        engine.dispose()


def test_a_token_opens_only_its_own_page_until_its_last_day(engine) -> None:  # type: ignore[no-untyped-def]
    for purpose in (UNSUBSCRIBE, PREFERENCES, CONFIRM):
        token = token_for(engine, KEY, purpose, "Ann@Example.org ", MADE)
        last = MADE + LIFETIME[purpose]
        assert open_link(engine, KEY, purpose, token, last).address == "ann@example.org"
        late = open_link(engine, KEY, purpose, token, last + timedelta(days=1))
        assert late.address is None and late.expired
        for other in {UNSUBSCRIBE, PREFERENCES, CONFIRM} - {purpose}:
            assert open_link(engine, KEY, other, token, MADE).address is None
    assert LIFETIME[CONFIRM] == timedelta(days=7) and LIFETIME[UNSUBSCRIBE] >= timedelta(days=30)
    # Same address, same id: every link of an address names one id.
    assert refs_for(engine, ["ann@example.org"]) == refs_for(engine, ["ANN@example.org"])


def test_forged_foreign_and_altered_tokens_open_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    good = token_for(engine, KEY, UNSUBSCRIBE, "ann@example.org", MADE)
    kim = token_for(engine, KEY, UNSUBSCRIBE, "kim@example.kr", MADE)
    other_key = b"another-key-entirely-0000000000000000000"
    foreign = token_for(engine, other_key, UNSUBSCRIBE, "ann@example.org", MADE)
    assert read_token(KEY, UNSUBSCRIBE, foreign) is None
    # 30 bytes in 40 characters after the "t": each carries 6 bits, so every change changes the bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for at in range(len(good)):
        changed = good[:at] + ("A" if good[at] != "A" else "B") + good[at + 1 :]
        assert read_token(KEY, UNSUBSCRIBE, changed) is None, at
    raw_good, raw_kim = base64.urlsafe_b64decode(good[1:]), base64.urlsafe_b64decode(kim[1:])
    swapped = "t" + base64.urlsafe_b64encode(raw_kim[:12] + raw_good[12:]).decode()  # Kim's id, Ann's MAC
    # A later last day with the old signature: someone trying to stretch a link's life.
    stretched = "t" + base64.urlsafe_b64encode(raw_good[:12] + b"\xff\xff" + raw_good[14:]).decode()
    other_alphabet = good[:7] + "+" + good[8:]  # base64 instead of base64url
    for token in (swapped, stretched, good[:-1], good + "A", good[1:], "", "x" * 5000, other_alphabet,
                  good[:20] + "." + good[21:], "garbage", "t" + alphabet[:40], "t" + alphabet[:38] + "=="):
        assert token != good and open_link(engine, KEY, UNSUBSCRIBE, token, MADE).address is None, token


def test_after_forget_a_link_leads_nowhere_and_says_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    token = token_for(engine, KEY, UNSUBSCRIBE, "gone@example.org", MADE)
    old = legacy_token(KEY, "gone@example.org")
    assert open_link(engine, KEY, UNSUBSCRIBE, old, MADE).address == "gone@example.org"
    forget(engine, KEY, "gone@example.org")
    for link in (token, old):
        opened = open_link(engine, KEY, UNSUBSCRIBE, link, MADE)
        assert opened.address is None and not opened.expired  # the same answer as a forged link
    # A new sign-up of the same address later gets a new id: the old links stay dead.
    assert token_for(engine, KEY, UNSUBSCRIBE, "gone@example.org", MADE) != token


def test_old_links_work_for_a_documented_period_after_the_upgrade(engine) -> None:  # type: ignore[no-untyped-def]
    upgraded_on(engine, MADE)
    old = legacy_token(KEY, "ann@example.org")
    last = MADE + timedelta(days=LEGACY_DAYS)
    assert open_link(engine, KEY, UNSUBSCRIBE, old, last).address == "ann@example.org"
    assert open_link(engine, KEY, PREFERENCES, old, last).address == "ann@example.org"  # the old page link
    after = open_link(engine, KEY, UNSUBSCRIBE, old, last + timedelta(days=1))
    assert after.address is None and after.expired
    forged = legacy_token(b"another-key-entirely-0000000000000000000", "ann@example.org")
    assert open_link(engine, KEY, UNSUBSCRIBE, forged, MADE).address is None
    # An old confirmation link (itsdangerous) still confirms within its week, not after it.
    from itsdangerous import URLSafeTimedSerializer
    from itsdangerous.timed import TimestampSigner

    class At(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(datetime(2026, 11, 23, tzinfo=UTC).timestamp())

    confirm = URLSafeTimedSerializer(KEY, salt="digest-confirm", signer=At).dumps("new@example.org")
    assert open_link(engine, KEY, CONFIRM, confirm, MADE + timedelta(days=7)).address == "new@example.org"
    assert open_link(engine, KEY, CONFIRM, confirm, MADE + timedelta(days=8)).address is None


def test_tokens_work_on_postgresql(pg_url: str) -> None:  # noqa: F811
    engine = open_store(pg_url)
    try:
        tokens = {a: token_for(engine, KEY, UNSUBSCRIBE, a, MADE) for a in ("a@example.org", "b@example.org")}
        assert len(set(tokens.values())) == 2
        for address, token in tokens.items():
            assert open_link(engine, KEY, UNSUBSCRIBE, token, MADE).address == address
        forget(engine, KEY, "a@example.org")
        assert open_link(engine, KEY, UNSUBSCRIBE, tokens["a@example.org"], MADE).address is None
    finally:
        engine.dispose()


def test_a_send_gives_the_whole_list_its_ids_at_once(engine) -> None:  # type: ignore[no-untyped-def]
    from digest.store.link_refs import make_refs_for_the_list
    from tests.delivery.conftest import add_subscribers

    emails = add_subscribers(engine, 1_234)
    assert make_refs_for_the_list(engine) == 1_234
    assert make_refs_for_the_list(engine) == 0  # the next send makes none
    refs = refs_for(engine, emails)
    assert len(set(refs.values())) == 1_234 and refs == refs_for(engine, emails)


def test_the_list_is_read_once_in_pages_in_every_language_on_either_database(either_engine) -> None:  # type: ignore[no-untyped-def]
    """The send's readers of the list go on from the last (language, address) of each page: every
    active subscriber once, in order, whatever languages the pages end in; and each gets an id."""
    from digest.store.link_refs import make_refs_for_the_list
    from digest.store.subscribers import iter_active, unsubscribe
    from tests.delivery.conftest import add_subscribers

    engine = either_engine
    emails = add_subscribers(engine, 520, domain="b.org", language="ko")
    emails += add_subscribers(engine, 7, domain="a.org", language="")
    emails += add_subscribers(engine, 480, domain="c.org", language="en")
    refs_for(engine, emails[:3] + emails[600:603])  # some have their ids already
    unsubscribe(engine, emails[10])
    active = sorted((e[1], e[0]) for e in zip(emails, ["ko"] * 520 + [""] * 7 + ["en"] * 480, strict=True)
                    if e[0] != emails[10])
    assert [(r.language, r.email) for r in iter_active(engine, page=13)] == active
    assert make_refs_for_the_list(engine) == len(active) - 6
    refs = refs_for(engine, emails)
    assert len(set(refs.values())) == len(emails)  # the one who left had none made, so gets one now
    assert all(len(ref) == 16 for ref in refs.values())


@given(st.emails(), st.sampled_from(["", "https://example.org/u?t={token}"]))
@settings(max_examples=200, deadline=None)
def test_no_link_carries_the_address_the_mailto_carries_the_token(address: str, template: str) -> None:
    from urllib.parse import quote, unquote

    from digest.deliver.messages import Links
    from digest.types import Recipient
    from digest.unsubscribe import UNSUBSCRIBE, read_token

    key, ref = b"k" * 32, "AAAAAAAAAAAAAAAA"
    links = Links(template, "https://example.org/p/{token}", key, "news@example.org")
    made = date(2027, 1, 4)
    urls = links.of(Recipient(address), ref, made)
    assert not any(address in u or quote(address) in u or address.lower() in u.lower() for u in urls)
    mailto = urls[1]
    head, _, token = mailto.partition("?subject=unsubscribe%20")
    assert head == "mailto:news@example.org" and token == quote(unquote(token), safe="")
    opened = read_token(key, UNSUBSCRIBE, unquote(token))
    assert opened is not None and opened.ref == ref  # staff give it to `digest subscribers unsubscribe`
    # Without an id (nothing signed), the mailto says only what it is for.
    assert links.of(Recipient(address), "", made)[1] == "mailto:news@example.org?subject=unsubscribe"


def test_no_token_is_signed_for_a_link_the_message_does_not_carry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a preferences page a message carries one signed link: one HMAC per recipient, not two."""
    import digest.unsubscribe as tokens
    from digest.deliver.messages import Links
    from digest.types import Recipient

    signed: list[str] = []
    real = tokens._mac

    def counted(key: bytes, purpose: str, body: bytes) -> bytes:
        signed.append(purpose)
        return real(key, purpose, body)

    monkeypatch.setattr(tokens, "_mac", counted)
    ref = base64.urlsafe_b64encode(b"\x01" * 12).decode()
    reader = Recipient("reader@example.org")
    https, _, manage = Links("https://example.org/u/{token}", "", b"k" * 32, "n@example.org").of(
        reader, ref, date(2027, 1, 4)
    )
    assert https.startswith("https://example.org/u/t") and manage == "" and signed == ["unsubscribe"]
    both = Links("https://example.org/u/{token}", "https://example.org/p/{token}", b"k" * 32, "n@example.org")
    assert all(both.of(reader, ref, date(2027, 1, 4)))
    assert signed == ["unsubscribe", "unsubscribe", "preferences"]
