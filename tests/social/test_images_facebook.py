"""Facebook Page posts carry the article's picture, cleaned, with its alt text (issue 23): the fake
checks the unpublished photo upload (multipart ``source``, 4 MB, ``published=false``,
``alt_text_custom``) and the feed post that attaches it, with the link in its message."""

from __future__ import annotations

from tests.fakes.image_host import photo
from tests.social.image_posts import ALT, lost_answer_then_found, no_metadata


def test_the_post_attaches_the_cleaned_photo_with_its_alt_text(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/coats.jpg", photo((1200, 900)), platforms="facebook")

    facebook = fakes["facebook"]
    assert report.ok and report.published == 1 and not report.notes, report.message
    assert facebook.problems == []
    (post,) = facebook.posts
    ((photo_id, picture),) = facebook.photos.items()
    assert post["photo"] == photo_id and picture["post"] == post["id"]
    assert picture["alt"] == ALT and picture["mime"] == "image/jpeg"
    no_metadata(picture["data"])
    assert "https://example.org/news/coats?utm_source=facebook" in post["message"]  # the link stays


def test_a_refused_upload_sends_the_post_with_its_link_card(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    fakes["facebook"].fail_next("/photos", 400)

    report = publish("/photos/coats.jpg", photo(), platforms="facebook")

    assert report.published == 1 and report.failed == 0, report.message
    (post,) = fakes["facebook"].posts
    assert "photo" not in post and fakes["facebook"].problems == []  # a link post, as without
    assert "published without its image: the upload was refused" in report.message
    assert publish.warnings() == report.notes


def test_a_file_that_is_no_picture_is_never_uploaded(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/moved.jpg", b"<html>moved</html>", kind="text/html", platforms="facebook")

    assert report.published == 1 and "not a JPEG, PNG, GIF or WebP" in report.message
    assert fakes["facebook"].photos == {} and "photo" not in fakes["facebook"].posts[0]


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    lost_answer_then_found(publish, fakes["facebook"], "/feed", "facebook")
    facebook = fakes["facebook"]
    assert len(facebook.posts) == 1 and len(facebook.photos) == 1 and facebook.problems == []
