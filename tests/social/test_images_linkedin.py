"""LinkedIn posts carry the article's picture, cleaned, with its alt text (issue 23): the fake checks
initializeUpload (the page as owner), the PUT of the bytes to the address it gave (type, size,
pixel count) and the post that shows the image URN by ``content.media`` with its ``altText``."""

from __future__ import annotations

import pytest

from tests.fakes.image_host import photo
from tests.social.image_posts import ALT, lost_answer_then_found, no_metadata


def test_the_post_shows_the_cleaned_photo_with_its_alt_text(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/coats.jpg", photo((1200, 900)), platforms="linkedin")

    linkedin = fakes["linkedin"]
    assert report.ok and report.published == 1 and not report.notes, report.message
    assert linkedin.problems == []
    (post,) = linkedin.posts
    ((urn, image),) = linkedin.images.items()
    assert post["content"] == {"media": {"id": urn, "altText": ALT}} and image["post"] == post["id"]
    assert image["owner"] == "urn:li:organization:1" and image["mime"] == "image/jpeg"
    no_metadata(image["data"])
    assert "https://example.org/news/coats?utm_source=linkedin" in post["commentary"]  # the link stays


@pytest.mark.parametrize(("step", "status"), [("/rest/images", 500), ("/dms-uploads/", 400)])
def test_a_refused_upload_sends_the_post_with_its_article_card(  # type: ignore[no-untyped-def]
    publish, fakes, step, status
) -> None:
    fakes["linkedin"].fail_next(step, status)
    if step == "/dms-uploads/":
        fakes["linkedin"].faults[-1].method = "PUT"

    report = publish("/photos/coats.jpg", photo(), platforms="linkedin")

    assert report.published == 1 and report.failed == 0, report.message
    (post,) = fakes["linkedin"].posts
    assert set(post["content"]) == {"article"}  # as a post without a picture
    assert "published without its image: the upload was refused" in report.message
    assert publish.warnings() == report.notes and fakes["linkedin"].problems == []


def test_a_broken_file_is_never_uploaded(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/cut.jpg", photo()[:5000], platforms="linkedin")

    assert report.published == 1 and "the image file is broken" in report.message
    assert fakes["linkedin"].images == {} and "article" in fakes["linkedin"].posts[0]["content"]


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    lost_answer_then_found(publish, fakes["linkedin"], "/rest/posts", "linkedin")
    linkedin = fakes["linkedin"]
    assert len(linkedin.posts) == 1 and len(linkedin.images) == 1 and linkedin.problems == []
