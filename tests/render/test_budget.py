"""A busy week never blocks the send: the email fits DIGEST_HTML_BUDGET by construction."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.render.budget import fit_budget
from digest.render.email import render_email
from digest.types import EditionItem

from .helpers import article, make_edition
from .test_send_guards import digest, outbox_files

TITLE = "A long headline about the week's events in Seoul and the refugees we met there, part "


def _busy_edition(items: int, more: int):  # type: ignore[no-untyped-def]
    blurb = "Volunteers packed coats. " * 8
    full = [EditionItem(article(n, title=f"Story {n}"), blurb) for n in range(items)]
    rest = [EditionItem(article(1000 + n, title=TITLE + str(n)), "") for n in range(more)]
    return make_edition(full, rest)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 12), st.integers(0, 80), st.integers(9_000, 40_000), st.sampled_from(["en", "ko"]))
def test_fitted_email_is_within_budget_in_every_language(
    make_settings, items: int, more: int, budget: int, language: str  # type: ignore[no-untyped-def]
) -> None:
    config = make_settings(DIGEST_HTML_BUDGET=str(budget), DIGEST_LANGUAGE=language)
    edition = _busy_edition(items, more)
    fitted = fit_budget(edition, config)
    one_alone = render_email(make_edition(list(edition.items[:1])), config).html_bytes
    kept = fitted.edition
    # What stays is a prefix (newest first), and every dropped article is reported.
    assert kept.items == edition.items[: len(kept.items)] and kept.more == edition.more[: len(kept.more)]
    dropped = {a.id for a, why in fitted.trimmed if "DIGEST_HTML_BUDGET" in why}
    assert dropped == {a.id for a in edition.articles} - {a.id for a in kept.articles}
    if one_alone <= budget:
        for lang in ("en", "ko"):
            assert render_email(kept, config, language=lang).html_bytes <= budget
        assert fitted.rendered.html_bytes <= budget
        if len(kept.items) < len(edition.items):
            assert kept.more == ()  # full articles go only once the list is empty
    else:
        assert kept == edition and fitted.trimmed == []  # trimming cannot help


def test_an_edition_within_budget_is_untouched(make_settings) -> None:  # type: ignore[no-untyped-def]
    edition = _busy_edition(3, 5)
    fitted = fit_budget(edition, make_settings())
    assert fitted.edition == edition and fitted.trimmed == []
    assert fitted.rendered == render_email(edition, make_settings())


def _busy_week(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        (folder / f"story-{n:03d}.md").write_text(
            f"---\ntitle: {TITLE}{n} {'with more words to make it long ' * 3}\n"
            f"url: https://example.org/news/{'long-slug-' * 6}{n}\n"
            f"date: 2026-11-{20 + n % 3:02d}T{n % 24:02d}:00:00Z\n---\n"
            "Volunteers packed winter coats for the children this week. "
            "The market raised money for the shelter kitchen.\n",
            encoding="utf-8",
        )


def test_three_hundred_stories_still_send(tmp_path: Path) -> None:
    _busy_week(tmp_path / "content", 300)
    env = {"DIGEST_SOURCES": "content", "DIGEST_LOOKBACK_DAYS": "3650", "DIGEST_MAX_MORE_STORIES": "280",
           "DIGEST_HTML_BUDGET": "40000"}
    preview = digest("preview", "--out", "pv", cwd=tmp_path, **env)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    report = json.loads((tmp_path / "pv" / "report.json").read_text(encoding="utf-8"))
    assert report["html_bytes"] <= 40_000 and report["trimmed_to_fit"] > 0
    assert any("fits DIGEST_HTML_BUDGET" in w for w in report["warnings"])
    assert sum("DIGEST_HTML_BUDGET" in i["why"] for i in report["left_out"]) == report["trimmed_to_fit"]
    capped = sum("DIGEST_MAX_MORE_STORIES" in i["why"] for i in report["left_out"])
    assert (capped, report["articles"] + report["trimmed_to_fit"]) == (10, 290)

    sent = digest("send", cwd=tmp_path, **env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    [eml] = outbox_files(tmp_path)
    assert b"More stories" in eml.read_bytes()


def test_the_more_stories_list_has_a_cap(tmp_path: Path) -> None:
    _busy_week(tmp_path / "content", 40)
    env = {"DIGEST_SOURCES": "content", "DIGEST_LOOKBACK_DAYS": "3650", "DIGEST_MAX_ARTICLES": "3",
           "DIGEST_MAX_MORE_STORIES": "5"}
    preview = digest("preview", "--out", "pv", cwd=tmp_path, **env)
    report = json.loads((tmp_path / "pv" / "report.json").read_text(encoding="utf-8"))
    assert report["articles"] == 8, preview.stdout
    capped = [i for i in report["left_out"] if "DIGEST_MAX_MORE_STORIES" in i["why"]]
    assert len(capped) == 32
    assert "32 older article(s) left out" in preview.stdout
