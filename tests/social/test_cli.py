"""`digest summarise`, `digest social ...` and `digest send` with social posts, end to end."""

from __future__ import annotations

import pytest

from digest.cli import main
from tests.paths import SAMPLE


@pytest.fixture
def env(monkeypatch, tmp_path, fakes):  # type: ignore[no-untyped-def]
    values = {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(SAMPLE),
        "DIGEST_SOCIAL_PLATFORMS": "mastodon",
        "DIGEST_MASTODON_BASE_URL": fakes["mastodon"].url,
        "DIGEST_MASTODON_TOKEN": "mtoken",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return values


def test_summarise_prints_blurb_and_posts(env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["summarise", str(SAMPLE / "2026-winter-coats.md")]) == 0
    out = capsys.readouterr().out
    assert "Blurb:" in out and "--- mastodon:" in out and "utm_source=mastodon" in out


def test_summarise_missing_file_is_one_line_error(env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["summarise", "nope.md"]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_send_queues_for_approval_then_publish(env, fakes, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["send"]) == 0
    out = capsys.readouterr().out
    assert "wait for approval" in out and fakes["mastodon"].statuses == []
    assert main(["social", "list"]) == 0
    listed = capsys.readouterr().out
    assert "review" in listed and "utm_source=mastodon" in listed
    assert main(["social", "approve", "--all"]) == 0
    assert main(["social", "publish"]) == 0
    posted = len(fakes["mastodon"].statuses)
    assert posted >= 1
    assert main(["social", "publish"]) == 0
    assert main(["send"]) == 0  # already sent: nothing again
    assert len(fakes["mastodon"].statuses) == posted


def test_send_publishes_at_once_without_approval(env, fakes, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIGEST_SOCIAL_APPROVAL", "false")
    assert main(["send"]) == 0
    assert "published" in capsys.readouterr().out
    assert len(fakes["mastodon"].statuses) >= 1


def test_missing_token_warns_and_refuses_only_publishing(env, fakes, monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Issue 11: keys are needed only to publish. Other commands warn; send refuses only the posts.
    monkeypatch.delenv("DIGEST_MASTODON_TOKEN")
    assert main(["social", "list"]) == 0
    assert "DIGEST_MASTODON_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("DIGEST_SOCIAL_APPROVAL", "false")
    assert main(["send"]) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("digest: error:")]
    assert len(errors) == 1 and "DIGEST_MASTODON_TOKEN" in errors[0]
    assert list((tmp_path / "var" / "outbox").rglob("*.eml")), "the email still goes out"
    assert fakes["mastodon"].statuses == []
    assert main(["social", "publish"]) == 1
    assert "DIGEST_MASTODON_TOKEN" in capsys.readouterr().out
