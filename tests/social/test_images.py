"""Posts carry the article's image, decoded and re-encoded without any metadata (issue 23).

Pictures are made here with Pillow, carrying a GPS position as a phone writes it, and served by a
local web server; the platform fakes check each upload against the documented media API.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from digest.errors import ProviderError
from digest.social import queue_edition
from digest.social.images import ImageLimits, ImageRefused, prepare
from digest.store.ledger import Ledger
from digest.transport import Transport
from tests.fakes.image_host import GPS_IFD, ImageHost, bomb_png, photo
from tests.social.image_posts import ALT, KEY, edition_with_image, no_metadata

SMALL = ImageLimits(max_bytes=1_000_000, max_side=2000, max_pixels=4_000_000)


def test_gps_camera_xmp_and_profile_are_gone_and_the_picture_stands_upright() -> None:
    original = photo((640, 480), orientation=6)  # a phone held upright: stored on its side
    assert b"PhoneMaker" in original and dict(Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD))

    clean = prepare(original, SMALL)

    no_metadata(clean.data)
    assert (clean.width, clean.height) == (480, 640) and clean.mime == "image/jpeg"
    assert clean.filename == "image.jpg"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_formats_are_re_encoded_clean_too(fmt: str) -> None:
    clean = prepare(photo((300, 200), fmt=fmt), SMALL)
    no_metadata(clean.data)
    assert Image.open(io.BytesIO(clean.data)).format == "JPEG"


def test_a_large_photo_is_fitted_to_the_platform_limits() -> None:
    clean = prepare(photo((3600, 2400)), SMALL)
    assert len(clean.data) <= SMALL.max_bytes
    assert max(clean.width, clean.height) <= SMALL.max_side
    assert abs(clean.width / clean.height - 1.5) < 0.01


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (bomb_png(), "bomb"),  # 10^10 pixels claimed: Pillow's own guard
        (bomb_png(8000, 8000), "bomb"),  # 64 megapixels: under Pillow's guard, over ours
        (photo()[:20_000], "broken"),  # a truncated download
        (b"<!doctype html><title>Not found</title>", "not a JPEG"),
        (b"BM" + b"\0" * 100, "not a JPEG"),  # a bitmap: not a format we read
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused, match=reason):
        prepare(data, SMALL)


def test_download_stops_at_the_size_cap(host: ImageHost) -> None:
    url = host.add("/big.jpg", b"\xff" * 300_000)
    client = Transport("image", read_timeout=2, user_agent="test")
    with pytest.raises(ProviderError, match="larger than 100,000 bytes"):
        client.download(url, 100_000)
    assert client.download(url, 400_000) == b"\xff" * 300_000


def test_posts_carry_the_photo_without_its_gps_and_with_its_alt_text(publish, fakes, host) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/coats.jpg", photo((1200, 900)))

    assert report.ok and report.published == 2 and not report.notes, report.message
    mastodon, bluesky = fakes["mastodon"], fakes["bluesky"]
    assert not mastodon.problems and not bluesky.problems
    (media,) = mastodon.media.values()
    assert media["description"] == ALT and media["status"] == mastodon.statuses[0]["id"]
    no_metadata(media["data"])
    (record,) = bluesky.records.values()
    embed = record["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images" and embed["images"][0]["alt"] == ALT
    assert embed["images"][0]["aspectRatio"] == {"width": 1200, "height": 900}
    ((mime, blob),) = bluesky.blobs.values()
    assert mime == "image/jpeg" and len(blob) <= 1_000_000
    no_metadata(blob)
    # Fetched without the platforms' credentials: an image's host never sees a token.
    assert host.hits["/photos/coats.jpg"] == 2
    assert not any("authorization" in h for h in host.headers_seen)


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (bomb_png(), "image/png", "bomb"),
        (photo()[:20_000], "image/jpeg", "broken"),
        (b"<html>moved</html>", "text/html", "not a JPEG"),
    ],
)
def test_a_hostile_image_never_stops_the_post(publish, fakes, data, kind, reason) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/hostile", data, kind=kind)

    assert report.published == 2, report.message
    assert len(report.notes) == 2 and all("published without its image" in n for n in report.notes)
    assert reason in report.message
    assert not fakes["mastodon"].media and fakes["mastodon"].statuses[0]["media_attachments"] == []
    (record,) = fakes["bluesky"].records.values()
    assert record["value"]["embed"]["$type"] == "app.bsky.embed.external"  # the link card, as without
    warnings = [e["message"] for e in Ledger(publish.engine).recent_events() if e["level"] == "warning"]
    assert sorted(warnings) == sorted(report.notes)  # kept where `digest status` shows them


def test_a_missing_image_leaves_the_post_with_its_link_card(publish, fakes) -> None:  # type: ignore[no-untyped-def]
    report = publish("/photos/elsewhere.jpg", b"")
    assert report.published == 2
    assert any("could not be fetched" in n or "not a JPEG" in n for n in report.notes), report.message
    (record,) = fakes["bluesky"].records.values()
    assert record["value"]["embed"]["$type"] == "app.bsky.embed.external"


@pytest.mark.parametrize(
    ("alt", "path", "where"),
    [
        ("Kim Chul-su at the school gate", "/photos/coats.jpg", "image alt text"),
        (ALT, "/photos/kim-chul-su.jpg", "image file name"),
    ],
)
def test_a_protected_name_in_the_alt_text_or_file_name_stops_the_post(  # type: ignore[no-untyped-def]
    make_settings, make_engine, social_env, host, tmp_path, alt, path, where
) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("Kim Chul-su\n", encoding="utf-8")
    settings = make_settings(**{**social_env, "DIGEST_SOCIAL_PLATFORMS": "mastodon,x,linkedin,facebook",
                                "DIGEST_PROTECTED_TERMS_FILE": str(terms)})
    engine = make_engine(settings)
    edition_with_image(engine, host.add(path, photo()), alt)

    report = queue_edition(settings, engine, KEY)

    assert report.queued == 0
    assert len(report.refused) == 4  # every platform that would carry the picture
    assert all("'Kim Chul-su'" in r and where in r for r in report.refused)
    assert host.hits == {}  # refused before anything was fetched


def test_the_preview_says_whether_each_post_carries_its_image(  # type: ignore[no-untyped-def]
    make_settings, social_env, host, tmp_path
) -> None:
    from digest.preview.social import posts_for, write_posts
    from digest.types import Article, Edition, EditionItem

    settings = make_settings(**{**social_env, "DIGEST_SOCIAL_PLATFORMS": "mastodon,bluesky"})
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)

    def item(n: int, image: str) -> EditionItem:
        article = Article(id=f"a{n}", title=f"Winter coats, part {n}", url=f"https://example.org/news/{n}",
                          text="", source="test", image=image, image_alt=ALT)
        return EditionItem(article, "Volunteers packed 300 winter coats this week.")

    good, bad = host.add("/photos/good.jpg", photo((800, 600))), host.add("/photos/cut.jpg", photo()[:9000])
    edition = Edition(key=KEY, slot=now, issued=now, items=(item(1, good), item(2, bad)))

    posts, _note = posts_for(edition, settings)
    write_posts(tmp_path, posts)

    notes = {(p.platform, p.image): p.image_note for p in posts}
    assert notes[("mastodon", good)].startswith("carries its image (800x600")
    assert notes[("bluesky", bad)].startswith("goes without its image: the image file is broken")
    text = (tmp_path / "social" / "bluesky.txt").read_text(encoding="utf-8")
    assert f"alt: {ALT}" in text and "goes without its image" in text
