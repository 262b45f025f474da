"""The preview in real headless Chromium (Debian's chromium + fonts-nanum, driven by Playwright).

At 375 and 600 px the email must not scroll sideways and every image must have alt
text; the dashboard must load without console errors and its dark toggle must work;
Korean must be drawn with a font that has Hangul (not as empty boxes). Images are
served from 127.0.0.1 so that a failed load is a real failure, not missing network.
"""

from __future__ import annotations

import functools
import os
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.plugins import load_settings
from digest.preview import build_preview
from digest.preview.serve import PreviewServer
from digest.store import open_store
from digest.store.ledger import Ledger

from .browser import Browser, chromium_path

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

if chromium_path() is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing in CI: scripts/test.sh must install it")
    pytest.skip("chromium is not installed (bash scripts/test.sh installs it)", allow_module_level=True)


def png(width: int, height: int) -> bytes:
    """A small solid PNG, made here so the test needs no image files."""
    row = b"\x00" + b"\x2a\x6f\xb5" * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Images on 127.0.0.1, articles that use them, and both languages' previews served by digest."""
    root = tmp_path_factory.mktemp("browser")
    images = root / "images"
    images.mkdir()
    (images / "coats.png").write_bytes(png(800, 400))
    (images / "logo.png").write_bytes(png(160, 160))
    image_server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(images)))
    threading.Thread(target=image_server.serve_forever, daemon=True).start()
    img = f"http://127.0.0.1:{image_server.server_address[1]}"
    content = root / "content"
    content.mkdir()
    long_word = "Supercalifragilisticexpialidocious" * 3
    (content / "coats.md").write_text(
        f"---\ntitle: Winter coats for 40 children {long_word}\nurl: https://example.org/news/coats\n"
        f"image: {img}/coats.png\nimage_alt: Children trying on coats\n---\n"
        "We handed out forty coats this week. Volunteers sorted the sizes over two evenings.\n",
        encoding="utf-8",
    )
    (content / "scholarship.md").write_text(
        "---\ntitle: 청소년 장학금 신청 안내\nurl: https://example.org/ko/news/scholarship\n---\n"
        "올해 청소년 장학금 신청이 다음 달 첫째 주에 시작됩니다. 자원봉사자가 신청서 작성을 도와드립니다.\n",
        encoding="utf-8",
    )
    out = root / "out"
    env = {
        "DIGEST_SOURCES": str(content),
        "DIGEST_DATA_DIR": str(root / "var"),
        "DIGEST_LOGO_URL": f"{img}/logo.png",
        "DIGEST_INTRO": "봉사자 여러분, 고맙습니다. Thank you for standing with us.",
        "DIGEST_INTRO_KO": "봉사자 여러분, 고맙습니다.",
    }
    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True)
    ledger = Ledger(open_store(settings.db_url))
    for lang in ("en", "ko"):
        assert build_preview(settings, ledger, out / lang, now=NOW, language=lang).ok
    server = PreviewServer(out, 0, rebuild=lambda: [], watched=[], on_error=lambda exc: None)
    server.start()
    try:
        yield server.url, out
    finally:
        server.stop()
        image_server.shutdown()
        image_server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser()
    try:
        yield b
    finally:
        b.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [375, 600])
def test_email_fits_the_width_and_every_image_has_alt(site, browser: Browser, lang: str, width: int) -> None:
    url, _ = site
    browser.open(f"{url}{lang}/email.html", width)
    assert browser.js("document.documentElement.scrollWidth") <= width
    assert browser.js("document.documentElement.clientWidth") == width
    images = browser.js(
        "[...document.images].map(i => ({alt: i.getAttribute('alt'),"
        " loaded: i.complete && i.naturalWidth > 0, right: i.getBoundingClientRect().right}))"
    )
    assert len(images) == 2
    for image in images:
        assert image["alt"] and image["alt"].strip()
        assert image["loaded"]
        assert image["right"] <= width
    container = browser.js("document.querySelector('.container').getBoundingClientRect().width")
    assert container == width  # under 620 px the layout takes the whole screen (and stacks)
    stacked = browser.js("getComputedStyle(document.querySelector('.thumb-cell')).display")
    assert stacked == "block"
    assert browser.errors() == []


def test_email_is_600px_on_a_desktop_with_columns_side_by_side(site, browser: Browser) -> None:
    url, _ = site
    browser.open(f"{url}en/email.html", 1000)
    assert browser.js("document.querySelector('.container').getBoundingClientRect().width") == 600
    thumb, text = browser.js(BOXES)
    assert thumb["right"] <= text["left"] and thumb["top"] == text["top"]  # side by side
    assert browser.js("document.documentElement.scrollWidth") <= 1000


# The image column and the text column of the first article with an image.
BOXES = ("[...document.querySelectorAll('.thumb-cell, .body-cell')].slice(0, 2)"
         ".map(e => e.getBoundingClientRect().toJSON())")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [320, 375, 414, 1000])
def test_the_layout_is_fluid_without_the_style_block(site, browser: Browser, lang: str, width: int) -> None:
    """Issue 19: clients that strip <style> (and so every @media rule) showed a 616 px page on a phone."""
    url, _ = site
    browser.open(f"{url}{lang}/email.html", width)
    browser.js("document.querySelectorAll('style').forEach(s => s.remove()) || true")
    assert browser.js("document.querySelectorAll('style').length") == 0
    assert browser.js("document.documentElement.scrollWidth") <= width
    container = browser.js("document.querySelector('.container').getBoundingClientRect().width")
    assert min(width, 616) - 16 <= container <= 600  # the page's 8 px margins, at most 600 px
    thumb, text = browser.js(BOXES)
    if width >= 600:
        assert thumb["right"] <= text["left"] and thumb["top"] == text["top"]  # side by side
    else:
        assert text["top"] >= thumb["bottom"]  # the text wraps under the image, at full width
        assert text["width"] >= container - 48 - 1  # all of the article but its padding
    every = "[...document.querySelectorAll('.container *')].map(e => e.getBoundingClientRect().right)"
    assert max(browser.js(every)) <= width


def test_dark_mode_rules_apply(site, browser: Browser) -> None:
    url, _ = site
    background = "getComputedStyle(document.querySelector('.container')).backgroundColor"
    browser.open(f"{url}en/email.html", 600)
    assert browser.js(background) == "rgb(255, 255, 255)"
    browser.open(f"{url}en/email.html", 600, dark=True)
    assert browser.js(background) == "rgb(27, 30, 36)"
    assert browser.js("getComputedStyle(document.querySelector('.blurb')).color") == "rgb(230, 232, 235)"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_dashboard_loads_without_errors_and_toggles_dark(site, browser: Browser, lang: str) -> None:
    url, _ = site
    browser.open(f"{url}{lang}/index.html", 1300)
    frames = browser.js("[...document.querySelectorAll('iframe')].map(f => f.clientWidth)")
    assert frames == [600, 375]
    inner = browser.js(
        "[...document.querySelectorAll('iframe')].map(f => [f.contentDocument.documentElement.scrollWidth,"
        " f.contentDocument.documentElement.clientWidth])"
    )
    assert all(scroll <= client for scroll, client in inner)
    assert "Sample Subscriber" not in browser.js("document.getElementById('text-part').textContent")
    dark = (
        "[...document.querySelectorAll('iframe')].map(f => "
        "getComputedStyle(f.contentDocument.querySelector('.container')).backgroundColor)"
    )
    assert browser.js(dark) == ["rgb(255, 255, 255)"] * 2
    browser.js("document.getElementById('theme-toggle').click()")
    assert browser.js(dark) == ["rgb(27, 30, 36)"] * 2
    browser.js("document.getElementById('theme-toggle').click()")
    assert browser.js(dark) == ["rgb(255, 255, 255)"] * 2
    browser.pump(1.5)  # the served dashboard polls /__version every second: that must not fail either
    assert browser.errors() == []


def korean_families() -> set[str]:
    listed = subprocess.run(
        ["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


def test_korean_is_drawn_with_a_hangul_font_not_boxes(site, browser: Browser) -> None:
    families = korean_families()
    assert families, "no font with Korean glyphs is installed (fonts-nanum)"
    url, _ = site
    browser.open(f"{url}ko/email.html", 375)
    for selector in ('[lang="ko"] .title a', '[lang="ko"] .blurb', ".intro", ".more-link", ".footer-p"):
        fonts = browser.fonts_for(selector)
        assert fonts and all(f["glyphCount"] > 0 for f in fonts), selector
        korean = [f["familyName"] for f in fonts if f["familyName"] in families]
        assert korean, f"{selector} drawn with {fonts}, none of which has Hangul"
    # The check can fail: text in a script no installed font covers is drawn with a font outside the set.
    browser.js("document.body.insertAdjacentHTML('beforeend', '<p id=\"control\">\U00010000\U00010001</p>')")
    assert all(f["familyName"] not in families for f in browser.fonts_for("#control"))


def test_the_browser_reports_console_errors_and_failed_loads(site, browser: Browser) -> None:
    url, _ = site
    browser.open(f"{url}en/email.html", 600)
    assert browser.errors() == []
    browser.js("console.error('a broken script')")
    browser.js("document.body.insertAdjacentHTML('beforeend', '<img alt=x src=\"/missing.png\">')")
    browser.pump(0.5)
    found = " ".join(browser.errors())
    assert "a broken script" in found and "missing.png" in found
