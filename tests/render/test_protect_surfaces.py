"""One guard for every surface (issue 20): each path builds (label, kind, value) surfaces and calls
digest.guard.check, so a name hidden by a bidi trick, typed as jamo or in Hanja is caught on every
surface (subject, text, HTML, headers, posts and their link cards, links and slugs, alt text)
exactly as its plain spelling is."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from digest import guard
from digest.guard import check, email_surfaces, post_surfaces
from digest.protect import ProtectedTerms

TERMS = ProtectedTerms(["Kim Chul-su", "김철수"])
# Each spelling a reader reads as one of the terms.
SPELLINGS = {
    "plain": "Kim Chul-su",
    "override": "\u202eus-luhC miK\u202c",
    "jamo": "ㄱ ㅣ ㅁ ㅊ ㅓ ㄹ ㅅ ㅜ",
    "hanja": "金哲洙",
    "slug": "kim-chul-su",
    "punycode host": "xn--" + "김철수".encode("punycode").decode("ascii"),
    "percent-encoded": quote("김철수"),
}


def _surfaces() -> list[tuple[str, str, str]]:
    """Every surface, each holding the marker @@ where a name could stand."""
    post = {"parts": ["Coats for every child"], "url": "https://example.org/news", "link_text": "",
            "title": "Winter", "description": "Coats", "hashtags": ["Winter"], "article_title": "Coats"}
    every = [
        *email_surfaces("News about @@", "<p>Met <b>@@</b></p>", "Met @@ today", frozen=True, lang="ko"),
        *email_surfaces("News", '<img src="a.png" alt="@@ at home">', "Coats"),
        *email_surfaces("News", '<a href="https://example.org/@@/story">story</a>', "Coats"),
        ("setting DIGEST_FROM", "text", "@@ <news@example.org>"),
        *post_surfaces({**post, "parts": ["We met @@"], "description": "With @@"}),
        *post_surfaces({**post, "title": "A day with @@", "hashtags": ["@@"]}, platform="mastodon"),
        *post_surfaces({**post, "url": "https://example.org/@@/story"}),
        *post_surfaces(post, text="Edited: @@ came"),
        ("the image file name", "url", "photos/@@.jpg"),
    ]
    return [s for s in every if "@@" in s[2]]


SURFACES = _surfaces()


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize(("label", "kind", "value"), SURFACES)
def test_each_spelling_is_caught_on_each_surface(spelling: str, label: str, kind: str, value: str) -> None:
    assert check(TERMS, [(label, kind, value.replace("@@", "a friend"))]) == []
    hits = check(TERMS, [(label, kind, value.replace("@@", SPELLINGS[spelling]))])
    assert [(h.term, h.where) for h in hits] in ([("Kim Chul-su", label)], [("김철수", label)]), hits


def test_every_kind_of_surface_is_covered() -> None:
    labels = {label for label, _kind, _value in SURFACES}
    assert {
        "the frozen subject (ko)", "the frozen text part (ko)", "the frozen HTML (ko)", "the email's HTML",
        "the post for 'Coats'", "the link card of the mastodon post for 'Coats'",
        "the hashtags of the mastodon post for 'Coats'", "the link of the post for 'Coats'",
    } <= labels


def test_html_markup_that_reverses_text_is_read_as_shown() -> None:
    for html in (
        '<p>Met <bdo dir="rtl">us-luhC miK</bdo></p>',
        '<p>Met <span style="unicode-bidi: bidi-override; direction: rtl">us-luhC miK</span></p>',
    ):
        assert [h.term for h in check(TERMS, [("the HTML", "html", html)])] == ["Kim Chul-su"], html
    # Shown reversed by nothing, the reversed letters are not the name.
    assert check(TERMS, [("the HTML", "html", "<p>us-luhC miK</p>")]) == []


def test_one_hit_per_term_and_surface_and_an_unknown_kind_is_an_error() -> None:
    hits = check(TERMS, [("the post", "text", "Kim Chul-su"), ("the post", "url", "kim-chul-su")])
    assert [(h.term, h.where) for h in hits] == [("Kim Chul-su", "the post")]
    with pytest.raises(KeyError):
        check(TERMS, [("the image", "picture", "x")])


def test_a_new_kind_of_surface_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(guard.KINDS, "reversed", lambda value: value[::-1])
    assert [h.term for h in check(TERMS, [("a mirror", "reversed", "us-luhC miK")])] == ["Kim Chul-su"]


def test_no_terms_no_work() -> None:
    assert check(ProtectedTerms([]), [("the post", "text", "Kim Chul-su")]) == []
