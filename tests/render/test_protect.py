"""Protected terms: matching that a careless spelling cannot slip past, and where hits are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.compose.checks import check_posts, check_protected, refuse_protected
from digest.errors import ProtectedTermError
from digest.protect import ProtectedTerms
from digest.render.email import render_email
from digest.types import EditionItem, Post

from .helpers import article, make_edition

TERMS = ProtectedTerms(["Kim Chul-su", "김철수", "Hyesan", "# a comment", ""])


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("KIM CHUL-SU arrived", "Kim Chul-su"),
        ("kim  chulsu arrived", "Kim Chul-su"),
        ("KimChulSu arrived", "Kim Chul-su"),
        ("ｋｉｍ　ｃｈｕｌ－ｓｕ", "Kim Chul-su"),  # full width
        ("Kím Chul\u00adsu", "Kim Chul-su"),  # accent and soft hyphen
        ("Kim\u200bChul su", "Kim Chul-su"),  # zero-width space
        ("https://example.org/kim-chul-su/story", "Kim Chul-su"),
        ("김철수가 왔다", "김철수"),  # particle attached
        ("김 철 수", "김철수"),
        ("https://example.org/%EA%B9%80%EC%B2%A0%EC%88%98", "김철수"),  # percent-encoded
        ("from Hyеsan", "Hyesan"),  # Cyrillic е
        ("HYESAN.", "Hyesan"),
    ],
)
def test_matches_despite_case_spacing_width_and_script(text: str, term: str) -> None:
    assert [h.term for h in TERMS.find(text)] == [term]


@pytest.mark.parametrize("text", ["Kimchi chulsu", "Hyesanese food", "김철", "kim chul", "# a comment"])
def test_does_not_match_other_words(text: str) -> None:
    assert TERMS.find(text) == []


def test_comments_and_blank_lines_are_not_terms() -> None:
    assert TERMS.terms == ["Kim Chul-su", "김철수", "Hyesan"]


def test_hits_name_the_article_the_setting_or_the_template(make_settings, tmp_path: Path) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("김철수\nHyesan\nSecret Village\n", encoding="utf-8")
    named = article(
        1, title="A new start", html='<img src="https://example.org/a.png" alt="Kim and 김 철수">'
    )
    plain = article(2, title="Market prices")
    edition = make_edition([EditionItem(named, "A family arrived."), EditionItem(plain, "Prices rose.")])
    settings = make_settings(DIGEST_PROTECTED_TERMS_FILE=str(terms), DIGEST_INTRO="Greetings from Hyesan.")
    rendered = render_email(edition, settings)
    hits = {(h.term, h.where) for h in check_protected(settings, edition, rendered)}
    assert ("김철수", "article 'A new start'") in hits  # only in the alt text taken from the feed HTML
    assert ("Hyesan", "setting DIGEST_INTRO") in hits
    assert not any(h[0] == "Secret Village" for h in hits)

    override = tmp_path / "tpl" / "email"
    override.mkdir(parents=True)
    (override / "_footer.html.j2").write_text(
        '<tr><td title="Secret  village">x</td></tr>\n', encoding="utf-8"
    )
    settings = make_settings(
        DIGEST_PROTECTED_TERMS_FILE=str(terms), DIGEST_TEMPLATES_DIR=str(tmp_path / "tpl")
    )
    rendered = render_email(edition, settings)
    hits = {(h.term, h.where) for h in check_protected(settings, edition, rendered)}
    assert ("Secret Village", "the email's HTML") in hits  # an attribute added by a template


def test_posts_are_checked(make_settings, tmp_path: Path) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("Hyesan\n", encoding="utf-8")
    settings = make_settings(DIGEST_PROTECTED_TERMS_FILE=str(terms))
    posts = [
        Post("mastodon", "a1", "Market prices", "Prices in HYE SAN rose", 22, 500),
        Post("bluesky", "a2", "Other", "Nothing to see", 14, 300),
    ]
    assert [(h.term, h.where) for h in check_posts(settings, posts)] == [
        ("Hyesan", "the mastodon post for article 'Market prices'")
    ]


def test_refusal_names_every_term_and_place_and_exits_3() -> None:
    hits = TERMS.find("Kim Chul-su and 김철수", where="article 'A new start'")
    with pytest.raises(ProtectedTermError) as caught:
        refuse_protected(hits)
    text = str(caught.value)
    assert "'Kim Chul-su' in article 'A new start'" in text and "'김철수' in article 'A new start'" in text
    assert "nothing was sent" in text
    assert caught.value.exit_code == 3
    refuse_protected([])  # nothing found: no error
