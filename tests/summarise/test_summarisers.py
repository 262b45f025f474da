"""One dict of summarisers, used the same way by compose and by `digest summarise`.

`digest summarise FILE` must show what FILE's article gets in an edition: the same
blurb and the same key phrases (it once passed DIGEST_LANGUAGE as the article's
language and printed no key phrases for the Korean sample).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.compose.build import compose_current
from digest.config import example_env
from digest.errors import ConfigError
from digest.plugins import load_settings, plugins
from digest.store import open_store
from digest.store.ledger import Ledger
from digest.summarise.registry import SUMMARISERS, BlurbOptions, make_item
from digest.types import Article, EditionItem
from tests.fakes.llm_server import fake_llm
from tests.paths import SAMPLE

SAMPLES = sorted(p for p in SAMPLE.iterdir() if p.suffix in (".md", ".txt") and p.name != "README.md")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(SAMPLE),
        "DIGEST_LOOKBACK_DAYS": "3650",
        "DIGEST_MAX_ARTICLES": "20",
        **extra,
    }


def _edition_items(env: dict[str, str]) -> dict[str, EditionItem]:
    settings = load_settings(environ=env, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    try:
        edition, _left_out, _problems, _checks = compose_current(
            settings, Ledger(engine), now=NOW, key="2026-w49", slot=NOW
        )
    finally:
        engine.dispose()
    return {item.article.title: item for item in (*edition.items, *edition.more)}


def _summarise(path: Path, env: dict[str, str], monkeypatch, capsys) -> dict:  # type: ignore[no-untyped-def,type-arg]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    main(["summarise", str(path), "--json"])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_summarise_shows_what_the_edition_gets(language, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    env = _env(tmp_path, DIGEST_LANGUAGE=language)
    items = _edition_items(env)
    assert len(SAMPLES) >= 3
    for path in SAMPLES:
        shown = _summarise(path, env, monkeypatch, capsys)
        item = items[shown["title"]]
        assert shown["blurb"] == item.blurb, path.name
        assert shown["keyphrases"] == list(item.keyphrases), path.name


def test_the_korean_sample_has_key_phrases_in_an_english_digest(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    shown = _summarise(SAMPLE / "2026-scholarship-ko.md", _env(tmp_path), monkeypatch, capsys)
    assert len(shown["keyphrases"]) >= 3 and "장학금" in shown["keyphrases"]


def test_summarisers_is_the_one_list_of_choices(make_settings) -> None:  # type: ignore[no-untyped-def]
    assert set(SUMMARISERS) == {"extractive", "llm"}
    assert "One of: extractive, llm." in example_env(plugins())
    assert make_settings(DIGEST_SUMMARISER="LLM", DIGEST_LLM_BASE_URL="http://127.0.0.1:9/v1",
                         DIGEST_LLM_MODEL="m").summariser == "llm"
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_SUMMARISER="abstractive")
    assert caught.value.key == "DIGEST_SUMMARISER" and "extractive, llm" in str(caught.value)


def test_llm_summariser_is_used_by_both_paths(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    article = (SAMPLE / "2026-winter-coats.md").read_text(encoding="utf-8")
    with fake_llm("/v1") as fake:
        # A reply quoting the article's first sentence passes the checks.
        first = article.split("---", 2)[2].strip().split(". ")[0] + "."
        fake.script.reply = first
        env = _env(tmp_path, DIGEST_SUMMARISER="llm", DIGEST_LLM_BASE_URL=fake.base_url,
                   DIGEST_LLM_MODEL="tiny")
        items = _edition_items(env)
        calls = len(fake.requests)
        shown = _summarise(SAMPLE / "2026-winter-coats.md", env, monkeypatch, capsys)
    assert calls >= len(SAMPLES) and len(fake.requests) == calls + 1
    assert shown["blurb"] == items[shown["title"]].blurb


def test_each_summariser_takes_an_article_and_options() -> None:
    article = Article(
        id="a1", title="Shelter opens", url="https://example.org/a1", source="test",
        text="Volunteers opened a shelter in Seoul on Monday. It has twenty beds. Classes start soon.",
    )
    options = BlurbOptions(max_sentences=1, max_words=40)
    for name, summarise in SUMMARISERS.items():
        summary = summarise(article, options)  # llm without an endpoint falls back to extractive
        assert summary.sentences == ["Volunteers opened a shelter in Seoul on Monday."], name
    assert make_item(article, options).blurb == "Volunteers opened a shelter in Seoul on Monday."
