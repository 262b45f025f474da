from digest.links import campaign_slug, with_utm


def test_utm_added_with_a_root_path_and_other_parameters_kept() -> None:
    assert with_utm("https://example.org", source="x", medium="social", campaign="c") == (
        "https://example.org/?utm_source=x&utm_medium=social&utm_campaign=c")
    assert with_utm("https://example.org/a?id=1&utm_source=old#top", source="newsletter",
                    medium="email", campaign="weekly-2026-w48") == (
        "https://example.org/a?id=1&utm_source=newsletter&utm_medium=email"
        "&utm_campaign=weekly-2026-w48#top")


def test_non_web_links_are_left_alone() -> None:
    assert with_utm("mailto:a@example.org", source="x", medium="y", campaign="z") == "mailto:a@example.org"


def test_campaign_slug_is_url_safe() -> None:
    assert campaign_slug("weekly:2026-W48") == "weekly-2026-w48"


def test_unusable_links_are_named_and_left_alone() -> None:
    from digest.links import url_problem

    for url, why in [
        ("http://[object Object]/story", "spaces"),
        ("https://café..example/x", "empty label"),
        ("https://[example.org/news", "malformed"),
        ("https://example.org:99999/", "malformed"),
        ("javascript:alert(1)", "not an http(s) address"),
    ]:
        problem = url_problem(url)
        assert problem is not None and why in problem, (url, problem)
        assert with_utm(url, source="x", medium="y", campaign="z") == url
    assert url_problem("https://café.example/x?a=1#top") is None
