"""Posts for an edition: templates, UTM links, hashtags, fitting and protected terms."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.social import posts_for_edition
from digest.social.compose import drafts_for_edition
from digest.social.fit import fit
from digest.social.platforms.registry import measure
from digest.types import Article, Edition, EditionItem

ALL = "x,bluesky,mastodon,threads,linkedin,facebook"
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def _edition(title: str, blurb: str, url: str = "https://example.org/news/coats") -> Edition:
    article = Article(id="url:" + url, title=title, url=url, text=blurb, source="t")
    return Edition(key="weekly:2026-W48", slot=NOW, issued=NOW, items=(EditionItem(article, blurb),))


def test_one_post_per_platform_with_utm_link(make_settings, social_env) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(**social_env)
    posts = posts_for_edition(_edition("Coats", "Volunteers packed 300 coats."), settings)
    assert [p.platform for p in posts] == ["mastodon", "bluesky", "x", "linkedin", "facebook", "threads"]
    for draft in drafts_for_edition(_edition("Coats", "Volunteers packed 300 coats."), settings):
        query = parse_qs(urlsplit(draft.url).query)
        assert query == {
            "utm_source": [draft.post.platform],
            "utm_medium": ["social"],
            "utm_campaign": ["weekly-2026-w48"],
        }
        assert draft.link_text in draft.post.text
        assert not draft.post.errors and draft.post.used <= draft.post.limit


def test_trims_whole_sentences_then_words_and_keeps_the_link(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(DIGEST_SOCIAL_PLATFORMS="threads", DIGEST_THREADS_TOKEN="t")
    blurb = "첫 문장은 짧습니다. " + "두 번째 문장은 아주 길어서 " * 20 + "끝납니다."
    post = posts_for_edition(_edition("제목", blurb), settings)[0]
    assert post.text.startswith("첫 문장은 짧습니다.") and "두 번째" not in post.text
    assert "https://example.org/news/coats?utm_source=threads" in post.text
    one = "아주 긴 한 문장은 " * 60 + "끝납니다."
    post = posts_for_edition(_edition("제목", one), settings)[0]
    assert post.text.split("\n")[0].endswith("…") and post.used <= 500
    assert "utm_source=threads" in post.text


def test_a_post_that_cannot_fit_is_an_error_not_a_cut(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        DIGEST_SOCIAL_PLATFORMS="mastodon",
        DIGEST_MASTODON_BASE_URL="https://m.example",
        DIGEST_MASTODON_TOKEN="t",
        DIGEST_MASTODON_MAX_CHARACTERS="100",
    )
    post = posts_for_edition(_edition("A title far too long " * 10, "Short."), settings)[0]
    assert post.errors and "shorten the title" in post.errors[0]


def test_protected_terms_never_become_hashtags_or_posts(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    terms = tmp_path / "protected.txt"
    terms.write_text("Kim Cheol-su\n", encoding="utf-8")
    settings = make_settings(
        DIGEST_SOCIAL_PLATFORMS="x",
        DIGEST_X_API_KEY="a",
        DIGEST_X_API_SECRET="a",
        DIGEST_X_ACCESS_TOKEN="a",
        DIGEST_X_ACCESS_SECRET="a",
        DIGEST_HASHTAGS="KimCheolSu,Refugees",
        DIGEST_PROTECTED_TERMS_FILE=str(terms),
    )
    post = posts_for_edition(_edition("Coats", "Volunteers packed coats in Seoul."), settings)[0]
    assert "#KimCheolSu" not in post.text and "#Refugees" in post.text
    leaked = posts_for_edition(_edition("Coats", "Kim Cheol-su packed coats."), settings)[0]
    assert any("protected term" in e for e in leaked.errors)


def test_fit_never_cuts_inside_a_url() -> None:
    url = "https://example.org/" + "a" * 200

    def render(text: str, tags: list[str]) -> str:
        return f"{text}\n\n#x"

    fitted = fit(render, lambda t: measure("threads", t, limit=120), f"see {url} now and later", [])
    assert url not in fitted.text and "https://example.org/a" not in fitted.text.replace(url, "")
    assert fitted.text.startswith("see") and fitted.measure.fits


EN = st.sampled_from(
    [
        "North",
        "Korean",
        "refugees",
        "children",
        "winter",
        "coats",
        "school",
        "Seoul",
        "volunteers",
        "packed",
        "letters",
        "(donors)",
        "#help",
        "100%",
    ]
)
KO = st.sampled_from(
    ["탈북민", "아이들을", "위한", "겨울", "코트", "장학금을", "받았습니다", "서울에서", "봉사자들이"]
)
EMOJI = st.sampled_from(["🧥", "👨‍👩‍👧‍👦", "🇰🇷", "❤️", "🙋🏽", "1️⃣"])
URL = st.builds(lambda s: f"https://example.org/news/{s}", st.text("abcdefghij-/", min_size=10, max_size=300))


@st.composite
def sentences(draw) -> str:  # type: ignore[no-untyped-def]
    words = draw(st.lists(st.one_of(EN, KO, EMOJI, URL), min_size=1, max_size=40))
    return " ".join(words) + draw(st.sampled_from([".", "!", "?", "다."]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.lists(st.one_of(EN, KO, EMOJI), min_size=1, max_size=8).map(" ".join),
    blurb=st.lists(sentences(), min_size=1, max_size=6).map(" ".join),
    url=URL,
)
def test_every_generated_post_fits_its_platform(make_settings, social_env, title, blurb, url) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(**social_env)
    for draft in drafts_for_edition(_edition(title, blurb, url), settings):
        post = draft.post
        m = measure(post.platform, post.text)
        assert post.errors == (), (post.platform, post.errors, post.text)
        assert m.fits and post.used == m.used <= post.limit, (post.platform, post.text)
        assert draft.link_text in post.text  # the link is always there, whole


def test_invisible_characters_x_refuses_are_dropped_from_posts(make_settings, social_env) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(**social_env)
    blurb = "Volunteers\u202e packed\ufeff 300 coats\uffff in Seoul.\u202a"
    for post in posts_for_edition(_edition("Coats\ufffe", blurb), settings):
        assert not any(c in post.text for c in "\u202a\u202e\ufeff\ufffe\uffff"), post.platform
        assert "Volunteers packed 300 coats in Seoul." in post.text and not post.errors
