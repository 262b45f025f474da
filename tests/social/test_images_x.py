"""X posts carry the article's picture, cleaned, with its alt text (issue 23): the fake checks the
upload (POST /2/media/upload, multipart, tweet_image, 5 MB), the alt text (POST /2/media/metadata)
and the post that names the media id, each signed with OAuth 1.0a."""

from __future__ import annotations

import pytest

from tests.fakes.image_host import bomb_png, photo
from tests.social.image_posts import ALT, lost_answer_then_found, no_metadata


def test_the_post_carries_the_cleaned_photo_with_its_alt_text(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/coats.jpg", photo((1200, 900), orientation=6), platforms="x")

    x = fakes["x"]
    assert report.ok and report.published == 1 and not report.notes, report.message
    assert x.problems == []
    (tweet,) = x.tweets
    ((media_id, media),) = x.media.items()
    assert tweet["attachments"] == {"media_keys": [f"3_{media_id}"]} and media["tweet"] == tweet["id"]
    assert media["alt"] == ALT and media["mime"] == "image/jpeg"
    no_metadata(media["data"])  # no GPS, camera, XMP or profile: only the pixels


def test_a_large_photo_is_made_to_fit_the_5_mb_limit(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    big = photo((4400, 3000))
    assert len(big) > 5_000_000
    report = publish("/photos/big.jpg", big, platforms="x", DIGEST_SOCIAL_TIMEOUT="120")  # megabytes

    assert report.ok and not report.notes, report.message
    assert fakes["x"].problems == []  # the fake refuses more than 5 MB
    (media,) = fakes["x"].media.values()
    assert len(media["data"]) <= 5_000_000


@pytest.mark.parametrize(("step", "status"), [("/2/media/upload", 503), ("/2/media/metadata", 400)])
def test_a_refused_upload_or_alt_text_sends_the_post_without_the_image(  # type: ignore[no-untyped-def]
    publish, fakes, step, status
) -> None:
    fakes["x"].fail_next(step, status)

    report = publish("/photos/coats.jpg", photo(), platforms="x")

    assert report.published == 1 and report.failed == 0, report.message
    (tweet,) = fakes["x"].tweets
    assert "attachments" not in tweet  # never a picture without its alt text
    (note,) = report.notes
    assert note.startswith("x post for 'Winter coats for 300 children': published without its image: ")
    assert "the upload was refused" in note
    assert publish.warnings() == [note]


def test_a_hostile_file_is_never_uploaded(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/bomb.png", bomb_png(), kind="image/png", platforms="x")

    assert report.published == 1 and "bomb" in report.message
    assert fakes["x"].media == {} and "attachments" not in fakes["x"].tweets[0]


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    lost_answer_then_found(publish, fakes["x"], "/2/tweets", "x")
    x = fakes["x"]
    assert len(x.tweets) == 1 and len(x.media) == 1 and x.problems == []
