"""Publishing through the ledger to local fakes that check each platform's documented request."""

from __future__ import annotations

import pytest

from digest.social import publish_due, queue_edition
from digest.social.queue import approve, skip
from digest.store.ledger import Ledger
from digest.store.social import SocialStore
from tests.social.conftest import KEY, frozen_edition

PLATFORMS = ["mastodon", "bluesky", "x", "linkedin", "facebook", "threads"]


def _posted(fake) -> list:  # type: ignore[no-untyped-def]
    for attr in ("statuses", "tweets", "posts"):
        if hasattr(fake, attr):
            return getattr(fake, attr)
    return list(fake.records.values())


@pytest.fixture
def setup(make_settings, make_engine, social_env):  # type: ignore[no-untyped-def]
    def make(**extra: str):  # type: ignore[no-untyped-def]
        settings = make_settings(**{**social_env, **extra})
        engine = make_engine(settings)
        frozen_edition(engine)
        return settings, engine

    return make


def test_approval_queue_then_publish_every_platform_once(setup, fakes) -> None:  # type: ignore[no-untyped-def]
    settings, engine = setup()
    report = queue_edition(settings, engine, KEY)
    assert report.refused == [] and report.queued == 12 and report.status == "review"
    assert publish_due(settings, engine).published == 0  # nothing approved yet
    store = SocialStore(engine)
    first = store.posts(["review"], "facebook")[0]
    assert skip(engine, [first.id]) == 1
    assert approve(engine, None) == 11
    result = publish_due(settings, engine)
    assert result.published == 11 and result.ok, result.message
    for name in PLATFORMS:
        fake = fakes[name]
        assert fake.problems == [], (name, fake.problems)
        assert len(_posted(fake)) == (1 if name == "facebook" else 2), name
    # A second run and a second queueing publish nothing again.
    assert queue_edition(settings, engine, KEY).queued == 0
    again = publish_due(settings, engine)
    assert again.published == 0
    assert sum(len(_posted(f)) for f in fakes.values()) == 11
    assert Ledger(engine).counts(KEY) == {"sent": 11, "skipped": 1}


def test_bluesky_record_has_byte_offset_facets_card_and_tid(setup, fakes) -> None:  # type: ignore[no-untyped-def]
    settings, engine = setup(DIGEST_SOCIAL_PLATFORMS="bluesky", DIGEST_SOCIAL_APPROVAL="false")
    queue_edition(settings, engine, KEY)
    assert publish_due(settings, engine).published == 2
    records = [r["value"] for r in fakes["bluesky"].records.values()]
    korean = next(r for r in records if "장학금" in r["text"])
    raw = korean["text"].encode()
    links = [f for f in korean["facets"] if f["features"][0]["$type"].endswith("#link")]
    assert len(links) == 1
    uri = links[0]["features"][0]["uri"]
    assert uri.startswith("https://example.org/ko/scholarship?utm_source=bluesky&utm_medium=social")
    label = raw[links[0]["index"]["byteStart"] : links[0]["index"]["byteEnd"]].decode()
    assert label.startswith("example.org/ko/scholarship")
    assert korean["embed"]["external"]["uri"] == uri
    assert korean["langs"] == ["ko"]
    assert fakes["bluesky"].logins == 1


def test_bluesky_session_is_cached_and_refreshed(setup, fakes) -> None:  # type: ignore[no-untyped-def]
    settings, engine = setup(DIGEST_SOCIAL_PLATFORMS="bluesky", DIGEST_SOCIAL_APPROVAL="false")
    queue_edition(settings, engine, KEY)
    fakes["bluesky"].fail_next("createRecord", 429, **{"Retry-After": "1"})
    first = publish_due(settings, engine)
    assert first.published == 0 and first.waiting == 1
    fakes["bluesky"].expired.add(fakes["bluesky"].access)
    import time

    time.sleep(1.1)
    second = publish_due(settings, engine)
    assert second.published == 2, second.message
    assert fakes["bluesky"].logins == 1  # cached in the database, refreshed, never logged in again


@pytest.mark.parametrize("platform", PLATFORMS)
def test_timeout_is_unknown_then_found_not_resent(setup, fakes, platform) -> None:  # type: ignore[no-untyped-def]
    settings, engine = setup(DIGEST_SOCIAL_PLATFORMS=platform, DIGEST_SOCIAL_APPROVAL="false")
    fake = fakes[platform]
    fake.delay = 1.5
    fake.fail_next("threads_publish" if platform == "threads" else "", "timeout")
    if platform == "bluesky":
        fake.faults[-1].match = "createRecord"
    queue_edition(settings, engine, KEY)
    first = publish_due(settings, engine)
    assert first.unknown == 1 and first.published == 1, first.message
    fake.await_faults()  # whenever the timed-out call reached the fake, it did post
    assert len(_posted(fake)) == 2
    second = publish_due(settings, engine)
    assert second.reconciled == 1 and second.published == 0, second.message
    assert len(_posted(fake)) == 2  # found, not posted twice
    assert Ledger(engine).counts(KEY) == {"sent": 2}
    assert fake.problems == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_401_marks_channel_for_reauthorisation(setup, fakes, platform) -> None:  # type: ignore[no-untyped-def]
    wrong = {
        "mastodon": {"DIGEST_MASTODON_TOKEN": "old"},
        "bluesky": {"DIGEST_BLUESKY_APP_PASSWORD": "old"},
        "x": {"DIGEST_X_ACCESS_SECRET": "old"},
        "linkedin": {"DIGEST_LINKEDIN_TOKEN": "old"},
        "facebook": {"DIGEST_FACEBOOK_PAGE_TOKEN": "old"},
        "threads": {"DIGEST_THREADS_TOKEN": "old"},
    }[platform]
    settings, engine = setup(DIGEST_SOCIAL_PLATFORMS=platform, DIGEST_SOCIAL_APPROVAL="false", **wrong)
    queue_edition(settings, engine, KEY)
    report = publish_due(settings, engine)
    assert report.published == 0 and not report.ok
    assert "re-authorisation" in report.message
    assert SocialStore(engine).channels()[platform][0] == "needs_reauth"
    calls = len(fakes[platform].requests)
    # Same credentials: not even tried again.
    assert "re-authorisation" in publish_due(settings, engine).message
    assert len(fakes[platform].requests) == calls
    # Fixed credentials: both posts go out, once.
    fixed, _ = setup(DIGEST_SOCIAL_PLATFORMS=platform, DIGEST_SOCIAL_APPROVAL="false")
    assert publish_due(fixed, engine).published == 2
    assert len(_posted(fakes[platform])) == 2


@pytest.mark.parametrize("platform", PLATFORMS)
def test_500_on_create_is_unknown_and_429_waits(setup, fakes, platform) -> None:  # type: ignore[no-untyped-def]
    settings, engine = setup(DIGEST_SOCIAL_PLATFORMS=platform, DIGEST_SOCIAL_APPROVAL="false")
    create = {
        "mastodon": "statuses",
        "bluesky": "createRecord",
        "x": "tweets",
        "linkedin": "posts",
        "facebook": "feed",
        "threads": "threads_publish",
    }[platform]
    fakes[platform].fail_next(create, 500)
    queue_edition(settings, engine, KEY)
    report = publish_due(settings, engine)
    assert report.unknown == 1 and report.published == 1
    fakes[platform].fail_next(create, 429, **{"Retry-After": "0"})
    second = publish_due(settings, engine)  # not found on the platform -> resent, but rate limited
    assert second.waiting == 1 and second.published == 0
    third = publish_due(settings, engine)
    assert third.published == 1
    assert len(_posted(fakes[platform])) == 2
    assert fakes[platform].problems == []


def test_thread_resumes_at_first_unpublished_part(setup, fakes) -> None:  # type: ignore[no-untyped-def]
    settings, engine = setup(DIGEST_SOCIAL_PLATFORMS="mastodon", DIGEST_SOCIAL_APPROVAL="false")
    store = SocialStore(engine)
    payload = {
        "parts": ["part one", "part two", "part three"],
        "url": "https://example.org/t",
        "language": "en",
    }
    store.add_posts(KEY, "mastodon", [("thread-1", payload)], "pending")
    fakes["mastodon"].fail_next("/api/v1/statuses", 429, after=1)  # part one goes, part two is refused
    first = publish_due(settings, engine)
    assert first.waiting == 1 and len(fakes["mastodon"].statuses) == 1
    row = store.posts(["pending"], "mastodon")[0]
    assert sorted(p for p, part in store.parts(row.id).items() if part.remote_id) == [0]
    import time

    time.sleep(2.1)  # the backoff of the second attempt
    second = publish_due(settings, engine)
    assert second.published == 1, second.message
    statuses = fakes["mastodon"].statuses
    assert [s["content"] for s in statuses] == ["<p>part one</p>", "<p>part two</p>", "<p>part three</p>"]
    assert statuses[1]["in_reply_to_id"] == statuses[0]["id"]
    assert statuses[2]["in_reply_to_id"] == statuses[1]["id"]
