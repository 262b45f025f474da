"""Shared set-up for social tests: fakes of all six platforms and a frozen edition in the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from digest.store import open_store
from digest.store.ledger import Ledger
from tests.fakes.image_host import ImageHost
from tests.fakes.social_bluesky import FakeBluesky
from tests.fakes.social_facebook import FakeFacebook
from tests.fakes.social_linkedin import FakeLinkedIn
from tests.fakes.social_mastodon import FakeMastodon
from tests.fakes.social_threads import FakeThreads
from tests.fakes.social_x import FakeX
from tests.social.image_posts import ImageRun

KEY = "weekly:2026-W48"
ARTICLES = [
    (
        "url:https://example.org/news/coats",
        "Winter coats (for 300 children)",
        "https://example.org/news/coats",
        "Volunteers packed 300 winter coats this week. Each child also gets a letter. "
        "Thank you to every donor.",
    ),
    (
        "url:https://example.org/ko/scholarship",
        "청소년 장학금 신청 안내",
        "https://example.org/ko/scholarship",
        "올해 청소년 장학금 신청이 다음 달 첫째 주에 시작됩니다. 지난해에는 스물네 명이 받았습니다.",
    ),
]


@pytest.fixture
def fakes() -> Iterator[dict]:
    servers = {
        "mastodon": FakeMastodon(),
        "bluesky": FakeBluesky(),
        "x": FakeX(),
        "linkedin": FakeLinkedIn(),
        "facebook": FakeFacebook(),
        "threads": FakeThreads(),
    }
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def social_env(fakes) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "DIGEST_SOCIAL_PLATFORMS": "mastodon,bluesky,x,linkedin,facebook,threads",
        "DIGEST_SOCIAL_TIMEOUT": "0.5",
        "DIGEST_HASHTAGS": "NorthKorea,Refugees",
        "DIGEST_MASTODON_BASE_URL": fakes["mastodon"].url,
        "DIGEST_MASTODON_TOKEN": "mtoken",
        "DIGEST_BLUESKY_BASE_URL": fakes["bluesky"].url,
        "DIGEST_BLUESKY_HANDLE": "org.bsky.social",
        "DIGEST_BLUESKY_APP_PASSWORD": "app-pass",
        "DIGEST_X_BASE_URL": fakes["x"].url,
        "DIGEST_X_API_KEY": "ck",
        "DIGEST_X_API_SECRET": "cs",
        "DIGEST_X_ACCESS_TOKEN": "at",
        "DIGEST_X_ACCESS_SECRET": "as",
        "DIGEST_LINKEDIN_BASE_URL": fakes["linkedin"].url,
        "DIGEST_LINKEDIN_TOKEN": "ltoken",
        "DIGEST_LINKEDIN_AUTHOR": "urn:li:organization:1",
        "DIGEST_FACEBOOK_BASE_URL": fakes["facebook"].url,
        "DIGEST_FACEBOOK_PAGE_ID": "555",
        "DIGEST_FACEBOOK_PAGE_TOKEN": "ptoken",
        "DIGEST_THREADS_BASE_URL": fakes["threads"].url,
        "DIGEST_THREADS_TOKEN": "ttoken",
    }


def frozen_edition(engine, key: str = KEY) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(engine)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    ledger.remember_articles(
        [
            {"ident": i, "title": t, "url": u, "source": "test", "published_at": now, "first_seen_at": now}
            for i, t, u, _b in ARTICLES
        ]
    )
    ledger.ensure_edition(key, now)
    ledger.freeze_edition(key, "subject", "<p>html</p>", "text", [(i, b) for i, _t, _u, b in ARTICLES])
    ledger.set_status(key, "sent")


@pytest.fixture
def make_engine():  # type: ignore[no-untyped-def]
    engines = []

    def make(settings):  # type: ignore[no-untyped-def]
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = open_store(settings.db_url)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def host() -> Iterator[ImageHost]:
    """A local web server for articles' pictures."""
    server = ImageHost()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def publish(make_settings, make_engine, social_env, host) -> ImageRun:  # type: ignore[no-untyped-def]
    """Publish an article whose picture ``host`` serves (see tests/social/image_posts.py)."""
    return ImageRun(make_settings, make_engine, social_env, host)
