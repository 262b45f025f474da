"""What the image tests of every platform share: an edition whose article has a picture, a run that
queues, approves and publishes it, and the check that an uploaded file carries no metadata."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from digest.social import publish_due, queue_edition
from digest.social.publish import PublishReport
from digest.social.queue import approve
from digest.store.ledger import Ledger
from tests.fakes.image_host import GPS_IFD, ImageHost, photo
from tests.fakes.social_http import FakePlatform

KEY = "weekly:2026-W48"
ALT = "Volunteers carry boxes of winter coats into the school hall"
ARTICLE_URL = "https://example.org/news/coats"


def no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert not set(image.info) & {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "comment", "photoshop"}
    assert dict(image.getexif()) == {} and dict(image.getexif().get_ifd(GPS_IFD)) == {}
    for marker in (b"Exif", b"PhoneMaker", b"Yanji", b"adobe", b"ICC_PROFILE"):
        assert marker not in data


def edition_with_image(engine: Any, image: str, alt: str = ALT) -> None:
    ledger = Ledger(engine)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    ident = f"url:{ARTICLE_URL}"
    ledger.remember_articles([{
        "ident": ident, "title": "Winter coats for 300 children", "url": ARTICLE_URL,
        "source": "test", "published_at": now, "first_seen_at": now, "image": image, "image_alt": alt,
    }])
    ledger.ensure_edition(KEY, now)
    blurb = "Volunteers packed 300 winter coats this week. Each child also gets a letter."
    ledger.freeze_edition(KEY, "subject", "<p>html</p>", "text", [(ident, blurb)])
    ledger.set_status(KEY, "sent")


class ImageRun:
    """Queue, approve and publish one article with a picture on ``platforms``; publish again."""

    def __init__(self, make_settings: Callable[..., Any], make_engine: Callable[[Any], Any],
                 env: dict[str, str], host: ImageHost) -> None:
        self.make_settings, self.make_engine, self.env, self.host = make_settings, make_engine, env, host
        self.settings: Any = None
        self.engine: Any = None

    def __call__(self, path: str, data: bytes, alt: str = ALT, kind: str = "image/jpeg",
                 platforms: str = "mastodon,bluesky", **env: str) -> PublishReport:
        # Seconds, not the half second of the other social tests: pictures go up on a loaded machine.
        env = {"DIGEST_SOCIAL_TIMEOUT": "30", "DIGEST_SOCIAL_PLATFORMS": platforms, **env}
        self.settings = self.make_settings(**{**self.env, **env})
        self.engine = self.make_engine(self.settings)
        edition_with_image(self.engine, self.host.add(path, data, kind), alt)
        assert queue_edition(self.settings, self.engine, KEY).queued == len(platforms.split(","))
        approve(self.engine, None)
        return publish_due(self.settings, self.engine)

    def again(self) -> PublishReport:
        return publish_due(self.settings, self.engine)

    def warnings(self) -> list[str]:
        return [e["message"] for e in Ledger(self.engine).recent_events() if e["level"] == "warning"]


def lost_answer_then_found(publish: ImageRun, fake: FakePlatform, post_path: str, platform: str) -> None:
    """A post with a picture is made, but its answer comes after the client gave up (0.5 s): it is
    unknown, and the next run finds it on the platform instead of posting it again."""
    fake.delay = 3.0
    fake.fail_next(post_path, "timeout")
    first = publish("/photos/coats.jpg", photo(), platforms=platform, DIGEST_SOCIAL_TIMEOUT="0.5")
    assert first.unknown == 1 and first.published == 0, first.message
    fake.await_faults()
    second = publish.again()
    assert second.reconciled == 1 and second.published == 0, second.message
