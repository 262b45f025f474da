"""`digest status` counts email deliveries and social posts apart, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from digest.store import open_store
from digest.store.ledger import Ledger
from tests.delivery.conftest import add_subscribers
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]


def test_status_shows_email_deliveries_and_social_posts_separately(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / ".env"
    env.write_text(
        f"DIGEST_DATA_DIR={tmp_path / 'var'}\nDIGEST_SOURCES={SAMPLE}\n"
        "DIGEST_SOCIAL_PLATFORMS=mastodon\nDIGEST_MASTODON_TOKEN=not-used\n"
        "DIGEST_MASTODON_BASE_URL=http://127.0.0.1:9\n",  # approval is on: nothing is published
        encoding="utf-8",
    )
    (tmp_path / "var").mkdir()
    engine = open_store(f"sqlite:///{tmp_path / 'var' / 'digest.db'}")
    add_subscribers(engine, 120)  # outbox batches of 50: 3 email deliveries
    try:
        assert main(["--env-file", str(env), "send"]) == 0
        key = Ledger(engine).editions(1)[0].key
        posts = [r for r in Ledger(engine).deliveries(key) if r.channel == "social:mastodon"]
        assert len(posts) >= 2
        Ledger(engine).finish(posts[0].id, "failed", error="mastodon: the token was refused")
    finally:
        engine.dispose()
    capsys.readouterr()

    assert main(["--env-file", str(env), "status", "--json"]) == 0
    edition = json.loads(capsys.readouterr().out)["editions"][0]
    assert edition["status"] == "sent"
    assert edition["deliveries"] == {"sent": 3}  # the existing key: email only, as before
    assert edition["social"] == {"failed": 1, "review": len(posts) - 1}
    assert edition["errors"] == []
    assert edition["social_errors"] == ["mastodon: the token was refused"]

    assert main(["--env-file", str(env), "status"]) == 0
    out = capsys.readouterr().out
    assert "    email recipients: 120 sent\n" in out  # issue 11: people (120), not batches (3)
    assert f"    social posts: 1 failed, {len(posts) - 1} review\n" in out
    assert "      error: mastodon: the token was refused" in out
