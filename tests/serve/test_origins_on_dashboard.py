"""The dashboard's post editor shows where each blurb sentence came from (issue 23), and never a
paragraph that names a protected term (tests/summarise/test_origins.py: what the ledger keeps)."""

from __future__ import annotations

import html
from pathlib import Path

from werkzeug.security import generate_password_hash

from digest.cli import main
from digest.plugins import load_settings
from digest.serve import create_app
from digest.store import open_store
from tests.serve.test_admin import PASSWORD, log_in

ARTICLE = """---
title: Forty children get warm coats before the first snow
url: https://hanbit.example.org/news/coats
date: 2026-11-20
---
Hanbit Bridge handed out forty winter coats to children of refugee families on Thursday.

Volunteers measured every child and sorted the sizes over two evenings. The sizes were written down
at Quiet Harbour House.
"""


def test_each_post_shows_its_sentences_beside_their_paragraphs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    content = tmp_path / "content"
    content.mkdir()
    (content / "coats.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "terms.txt").write_text("Quiet Harbour House\n", encoding="utf-8")
    env = {
        "DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(content),
        "DIGEST_SUMMARY_SENTENCES": "1", "DIGEST_PROTECTED_TERMS_FILE": str(tmp_path / "terms.txt"),
        "DIGEST_SOCIAL_PLATFORMS": "mastodon", "DIGEST_MASTODON_BASE_URL": "http://127.0.0.1:9",
        "DIGEST_MASTODON_TOKEN": "not-used", "DIGEST_ADMIN_PASSWORD": generate_password_hash(PASSWORD),
        "DIGEST_TEST_NOW": "2026-11-23T10:00:00+00:00",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["send"]) == 0
    settings = load_settings(environ=env, read_dotenv=False)
    client = create_app(settings, open_store(settings.db_url)).test_client()
    log_in(client)
    page = html.unescape(client.get("/admin").get_data(as_text=True))
    assert "Where each sentence of the blurb came from" in page
    first = "Hanbit Bridge handed out forty winter coats to children of refugee families on Thursday."
    assert f"<p>{first}</p>" in page and f"Paragraph 1: <mark>{first}</mark>" in page
    assert "Quiet Harbour House" not in page
