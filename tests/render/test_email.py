"""Rendering the email: escaping, sanitising, languages, inlined CSS, overrides, settings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.compose.checks import html_facts
from digest.errors import ConfigError, RenderError
from digest.preview.report import undefined_names
from digest.render.email import render_email
from digest.render.env import template_env
from digest.render.i18n import LOCALE_DIR
from digest.render.wrap import display_width
from digest.types import EditionItem

from .helpers import article, make_edition

REPO = Path(__file__).resolve().parents[2]


def test_feed_text_is_escaped_in_html_and_kept_in_text(make_settings) -> None:
    item = EditionItem(article(1, title="<partners> & co: x < y"), 'He said "thanks" & left.')
    rendered = render_email(make_edition([item]), make_settings())
    assert "&lt;partners&gt; &amp; co: x &lt; y" in rendered.html
    # inside quoted attribute values "<" is legal HTML; outside them it must always be escaped
    assert "<partners>" not in re.sub(r'"[^"]*"', '""', rendered.html)
    assert "<partners> & co: x < y" in rendered.text
    assert 'He said "thanks" & left.' in rendered.text


def test_hostile_article_fields_never_reach_the_email(make_settings) -> None:
    hostile = article(
        1,
        title='Coats <script>alert("t")</script><img src=x onerror="steal()">drive',
        url="javascript:alert(document.cookie)",
        image="data:image/svg+xml;base64,PHN2Zz4=",
        image_alt='" onload="steal()',
        html='<iframe src="https://evil.example/"></iframe><img src="javascript:bad()" onerror="x()">',
        author="<b onclick='y()'>Staff</b>",
    )
    second = article(
        2,
        html='<style>@import url(https://evil.example/x.css)</style><p><img src="https://example.org/ok.png"'
        ' alt="Volunteers" onerror="steal()"></p>',
    )
    blurb = (
        'Done. <a href="javascript:alert(1)">click</a><iframe src="https://evil.example"></iframe> Thanks.'
    )
    rendered = render_email(
        make_edition([EditionItem(hostile, blurb), EditionItem(second, "Fine.")]), make_settings()
    )
    facts = html_facts(rendered.html)
    assert facts.unsafe == []
    lowered = rendered.html.lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "evil.example",
        "data:image",
        "steal()",
        "alert(",
    ):
        assert bad not in lowered, bad
        assert bad not in rendered.text.lower(), bad
    assert "Coats drive" in rendered.text  # the words survive, the markup does not
    # the unsafe link falls back to the site; the safe image from the feed HTML is used with its alt
    assert any(link["url"].startswith("https://example.org/?utm_source=newsletter") for link in facts.links)
    assert {"src": "https://example.org/ok.png", "alt": "Volunteers"} in facts.images


def test_utm_tags_on_every_article_link(make_settings, edition) -> None:
    facts = html_facts(render_email(edition, make_settings()).html)
    article_links = [link["url"] for link in facts.links if "/news/" in link["url"]]
    assert len(article_links) >= 5  # image, title and read-more per story, plus "more stories"
    for url in article_links:
        assert "utm_source=newsletter&utm_medium=email&utm_campaign=weekly-2026-w48" in url
    assert "ref=home" in article_links[0]  # existing parameters are kept


def test_css_is_inlined_and_media_rules_are_kept(make_settings, edition) -> None:
    html = render_email(edition, make_settings()).html
    assert "@media only screen and (max-width: 620px)" in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "!important" in html
    assert 'class="container" role="presentation" border="0" width="100%"' in html
    assert "width: 100%;max-width: 600px" in html  # the class rule became an inline style: fluid
    assert '<!--[if mso]><table role="presentation" width="600"' in html  # Outlook ignores max-width
    assert ".blurb {" not in html and ".thumb-cell {" not in html  # ordinary rules do not stay in <style>


def test_accessibility_basics(make_settings, edition) -> None:
    html = render_email(edition, make_settings(DIGEST_LOGO_URL="https://example.org/logo.png")).html
    facts = html_facts(html)
    assert facts.images_without_alt == []
    assert {i["alt"] for i in facts.images} == {"Bridge of Hope (sample)", "Children trying on winter coats"}
    assert html.count('role="presentation"') >= 3
    assert 'aria-label="Read more: Winter coats for 40 children"' in html
    assert 'class="preheader"' in html and "display:none" in html


@pytest.mark.parametrize(
    ("lang", "expect"),
    [
        ("en", ['<html lang="en"', "November 23, 2026", "Read more", "More stories", "Unsubscribe"]),
        (
            "ko",
            [
                '<html lang="ko"',
                "2026년 11월 23일",
                "자세히 읽기",
                "다른 소식",
                "수신 거부",
                "'Apple SD Gothic Neo'",
                "word-break: keep-all",
            ],
        ),
    ],
)
def test_both_languages(make_settings, edition, lang: str, expect: list[str]) -> None:
    rendered = render_email(edition, make_settings(), language=lang)
    for text in expect:
        assert text in rendered.html, text
    assert rendered.language == lang
    assert ('lang="ko"' in rendered.html) and ('lang="en"' in rendered.html or lang == "ko")
    if lang == "ko":
        assert rendered.subject == "Bridge of Hope (sample) 소식 모음, 2026년 11월 23일"
        assert "Read more" not in rendered.text
    else:
        assert rendered.subject == "Bridge of Hope (sample): news digest, November 23, 2026"


def test_a_passed_environment_of_another_language_is_not_used(make_settings, edition) -> None:
    english_env = template_env(None, "en")
    rendered = render_email(edition, make_settings(), english_env, language="ko")
    assert "자세히 읽기" in rendered.html


def test_dates_follow_the_timezone(make_settings, edition) -> None:
    # issued 2026-11-23 09:00 UTC is still the 23rd in Seoul;
    # the Korean story (21st 15:30 UTC) is the 22nd there
    text = render_email(edition, make_settings(DIGEST_TIMEZONE="Asia/Seoul"), language="ko").text
    assert "2026년 11월 22일 · 교육지원팀" in text


def test_subject_setting(make_settings, edition) -> None:
    settings = make_settings(DIGEST_SUBJECT="{org_name} weekly: {count} stories ({date})")
    assert (
        render_email(edition, settings).subject
        == "Bridge of Hope (sample) weekly: 3 stories (November 23, 2026)"
    )
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_SUBJECT="{org_name.__class__}")
    assert caught.value.key == "DIGEST_SUBJECT"


@pytest.mark.parametrize("default", ["en", "ko"])
def test_korean_readers_get_korean_words_of_the_volunteer_too(make_settings, edition, default: str) -> None:
    """DIGEST_SUBJECT / DIGEST_INTRO / DIGEST_FOOTER_REASON are written in DIGEST_LANGUAGE; readers of
    the other language get their _KO / _EN variant, else the built-in text, never the wrong language."""
    mine = {"DIGEST_SUBJECT": "Hanbit weekly ({date})", "DIGEST_INTRO": "Thank you for standing with us.",
            "DIGEST_FOOTER_REASON": "You asked for our news."}
    if default == "ko":
        mine = {"DIGEST_SUBJECT": "한빛 주간 소식 ({date})", "DIGEST_INTRO": "함께해 주셔서 감사합니다.",
                "DIGEST_FOOTER_REASON": "소식을 신청하셨습니다."}
    other = "ko" if default == "en" else "en"
    plain = make_settings(DIGEST_LANGUAGE=default, **mine)
    own = render_email(edition, plain, language=default)
    assert own.subject.startswith(mine["DIGEST_SUBJECT"][:8]) and mine["DIGEST_INTRO"] in own.text
    assert mine["DIGEST_FOOTER_REASON"] in own.html
    theirs = render_email(edition, plain, language=other)
    for value in mine.values():  # none of the volunteer's words in the other language's email
        assert value.split(" (")[0] not in theirs.subject + theirs.text + theirs.html
    assert ("소식 모음" in theirs.subject) == (other == "ko")  # the built-in subject, in their language
    variants = {"DIGEST_SUBJECT_" + other.upper(): "Both {count}", "DIGEST_INTRO_" + other.upper(): "Hello",
                "DIGEST_FOOTER_REASON_" + other.upper(): "Because."}
    both = make_settings(DIGEST_LANGUAGE=default, **mine, **variants)
    theirs = render_email(edition, both, language=other)
    assert theirs.subject == "Both 3" and "Hello" in theirs.text and "Because." in theirs.text
    assert render_email(edition, both, language=default).subject == own.subject
    assert both.untranslated([other, ""]) == [] and len(plain.untranslated([other])) == 3
    assert plain.untranslated([default, ""]) == []


def test_templates_dir_overrides_one_partial(make_settings, edition, tmp_path: Path) -> None:
    folder = tmp_path / "mine" / "email"
    folder.mkdir(parents=True)
    (folder / "_footer.html.j2").write_text(
        '<tr><td class="footer text">Custom footer for {{ org_name }} <a href="{{ unsubscribe_url }}">x</a>'
        "</td></tr>\n",
        encoding="utf-8",
    )
    html = render_email(edition, make_settings(DIGEST_TEMPLATES_DIR=str(tmp_path / "mine"))).html
    assert "Custom footer for Bridge of Hope (sample)" in html
    assert "Winter coats for 40 children" in html  # the rest is still the built-in template


def test_missing_templates_dir_names_the_key(make_settings, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_TEMPLATES_DIR=str(tmp_path / "nope"))
    assert caught.value.key == "DIGEST_TEMPLATES_DIR"


def test_undefined_variable_is_an_error_naming_the_template(make_settings, edition, tmp_path: Path) -> None:
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "_header.html.j2").write_text("<tr><td>{{ orgname }} {{ item_count.total }}</td></tr>\n")
    settings = make_settings(DIGEST_TEMPLATES_DIR=str(tmp_path / "t"))
    with pytest.raises(RenderError) as caught:
        render_email(edition, settings)
    assert "_header.html.j2" in str(caught.value) and "orgname" in str(caught.value)
    assert undefined_names(edition, settings, "en") == ["item_count", "orgname"]
    assert undefined_names(edition, make_settings(), "en") == []


def test_korean_catalog_is_complete_and_compiled(tmp_path: Path) -> None:
    po_path = LOCALE_DIR / "ko" / "LC_MESSAGES" / "digest.po"
    catalog = read_po(po_path.open("rb"))
    options = {"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = [  # each folder on its own: walking the whole checkout would read its var/ and content/
        *extract_from_dir(str(REPO / "templates"), [("**.j2", "jinja2")], options),
        *extract_from_dir(str(REPO / "digest" / "render"), [("**.py", "python")]),
    ]
    used = {msg[2] if isinstance(msg[2], str) else msg[2][0] for msg in found}
    assert used, "no template strings were found"
    for msgid in used:
        assert catalog.get(msgid) is not None and catalog.get(msgid).string, f"untranslated: {msgid!r}"
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    shipped = read_mo((LOCALE_DIR / "ko" / "LC_MESSAGES" / "digest.mo").open("rb"))
    fresh = read_mo(compiled)
    assert {m.id: m.string for m in shipped if m.id} == {m.id: m.string for m in fresh if m.id}, (
        "digest.mo is stale: run .venv/bin/pybabel compile -d digest/locale -D digest"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=160),
    path=st.text("abcdefghijklmnopqrstuvwxyz0123456789-/", max_size=40),
    reason=st.text(st.characters(categories=("L", "Zs", "P")), max_size=200),
    lang=st.sampled_from(["en", "ko"]),
)
def test_text_lines_stay_within_78_columns(make_settings, title, path, reason, lang) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: titles, links (with our utm tags), More stories and the footer, in both languages.
    Only a line that is one word (an address without its tracking tags) may be wider."""
    url = f"https://example.org/{path}?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-2026-w48"
    items = [EditionItem(article(n, title=title or "t", url=url + str(n)), "A blurb.") for n in (1, 2)]
    edition = make_edition(items[:1], items[1:])
    settings = make_settings(DIGEST_FOOTER_REASON=reason.strip(), DIGEST_POSTAL_ADDRESS="1 Long Street " * 8)
    text = render_email(edition, settings, language=lang).text
    for line in text.splitlines():
        link = line.split()[-1] if line.split() else ""
        assert display_width(line) <= 78 or ("://" in link and "utm_" not in link), line
