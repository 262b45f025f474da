"""Which platforms `digest send` could not publish at once for want of a key (it then exits 2)."""

from __future__ import annotations

from digest.social.queue import unpublished_platforms


def test_a_platform_without_its_keys_is_named_with_its_first_missing_key(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(DIGEST_SOCIAL_PLATFORMS="mastodon", DIGEST_SOCIAL_APPROVAL="false")
    assert unpublished_platforms(settings, "sent") == [("mastodon", "DIGEST_MASTODON_BASE_URL")]
    assert unpublished_platforms(settings, "partial") == [("mastodon", "DIGEST_MASTODON_BASE_URL")]


def test_nothing_is_refused_when_nothing_was_to_be_published_now(make_settings) -> None:  # type: ignore[no-untyped-def]
    waiting = make_settings(DIGEST_SOCIAL_PLATFORMS="mastodon", DIGEST_SOCIAL_APPROVAL="true")
    assert unpublished_platforms(waiting, "sent") == []
    scheduled = make_settings(
        DIGEST_SOCIAL_PLATFORMS="mastodon",
        DIGEST_SOCIAL_APPROVAL="false",
        DIGEST_SOCIAL_SCHEDULE="0 12 * * 1",
    )
    assert unpublished_platforms(scheduled, "sent") == []
    unsent = make_settings(DIGEST_SOCIAL_PLATFORMS="mastodon", DIGEST_SOCIAL_APPROVAL="false")
    assert unpublished_platforms(unsent, "skipped") == []


def test_a_platform_with_its_keys_is_not_named(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        DIGEST_SOCIAL_PLATFORMS="mastodon", DIGEST_SOCIAL_APPROVAL="false",
        DIGEST_MASTODON_BASE_URL="https://social.example.org", DIGEST_MASTODON_TOKEN="t0ken",
    )
    assert unpublished_platforms(settings, "sent") == []
