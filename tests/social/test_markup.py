"""Text that looks like markup is published as text on every platform, never as markup.

An article may well be about `<script>` tags; its title and blurb are plain text, so the
posts carry the characters as written, and each platform gets them in a field it treats
as plain text (Mastodon-API servers are told so; LinkedIn's little text escapes them).
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.social import publish_due, queue_edition
from digest.store.ledger import Ledger
from tests.social.conftest import KEY

TITLE = "Why <script> tags break email"
BLURB = "A <script>alert(1)</script> element never runs in a mail client. <b>Bold</b> & brave."


def _frozen(engine) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(engine)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    url = "https://example.org/news/script-tags"
    ledger.remember_articles(
        [{"ident": "url:" + url, "title": TITLE, "url": url, "source": "feed", "published_at": now,
          "first_seen_at": now}]
    )
    ledger.ensure_edition(KEY, now)
    ledger.freeze_edition(KEY, "subject", "<p>html</p>", "text", [("url:" + url, BLURB)])
    ledger.set_status(KEY, "sent")


def test_markup_like_text_is_published_as_text(make_settings, make_engine, social_env, fakes) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(**social_env, DIGEST_SOCIAL_APPROVAL="false")
    engine = make_engine(settings)
    _frozen(engine)
    queue_edition(settings, engine, KEY)
    result = publish_due(settings, engine)
    assert result.published == 6, result.message
    assert all(f.problems == [] for f in fakes.values())
    sentence = "A <script>alert(1)</script> element never runs in a mail client."

    [status] = fakes["mastodon"].statuses
    assert status["content_type"] == "text/plain" and sentence in status["text"]
    assert TITLE in status["text"]  # the Mastodon template shows the title
    [tweet] = fakes["x"].tweets
    assert sentence in tweet["text"] and "&lt;" not in tweet["text"]
    [fb] = fakes["facebook"].posts
    assert sentence in fb["message"]
    [thread] = fakes["threads"].posts
    assert sentence in thread["text"]
    [record] = [r["value"] for r in fakes["bluesky"].records.values()]
    assert sentence in record["text"]
    [li] = fakes["linkedin"].posts
    # Little text: "<", ">", "(" and ")" escaped, so LinkedIn shows them and does not cut the post.
    assert r"A \<script\>alert\(1\)\</script\> element" in li["commentary"]
