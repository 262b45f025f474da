"""End to end through the real CLI: `digest send` stops before sending anything when the email
names a protected term (exit 3) or is over the size budget (unless --allow-large)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def digest(*args: str, cwd: Path, **env_values: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(env_values)
    return subprocess.run(
        [sys.executable, "-m", "digest", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=180
    )


def write_articles(folder: Path) -> None:
    folder.mkdir()
    (folder / "visit.md").write_text(
        "---\ntitle: A visit to the new apartment\nurl: https://example.org/news/visit\n---\n"
        "Volunteers helped a family settle in this week. 김 철수 씨는 새 집이 따뜻하다고 말했습니다. "
        "The children start school next month.\n",
        encoding="utf-8",
    )
    (folder / "market.md").write_text(
        "---\ntitle: Market day\nurl: https://example.org/news/market\n---\n"
        "The Saturday market raised money for winter coats. Many neighbours came to help.\n",
        encoding="utf-8",
    )


def outbox_files(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "var" / "outbox").rglob("*.eml"))


def test_protected_term_stops_the_send_with_status_3_and_nothing_sent(tmp_path: Path) -> None:
    write_articles(tmp_path / "content")
    (tmp_path / "terms.txt").write_text("# people we protect\n김철수\n", encoding="utf-8")
    env = {"DIGEST_SOURCES": "content", "DIGEST_PROTECTED_TERMS_FILE": "terms.txt"}
    result = digest("send", cwd=tmp_path, **env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "'김철수' in article 'A visit to the new apartment'" in result.stderr
    assert "nothing was sent" in result.stderr
    assert outbox_files(tmp_path) == []

    preview = digest("preview", "--out", "pv", cwd=tmp_path, **env)
    assert preview.returncode == 1
    assert "protected term '김철수'" in preview.stdout

    (tmp_path / "content" / "visit.md").unlink()  # staff remove the article: now it goes out
    again = digest("send", cwd=tmp_path, **env)
    assert again.returncode == 0, again.stderr
    assert len(outbox_files(tmp_path)) == 1


def test_over_budget_email_is_refused_unless_allowed(tmp_path: Path) -> None:
    write_articles(tmp_path / "content")
    env = {"DIGEST_SOURCES": "content", "DIGEST_HTML_BUDGET": "4000"}
    refused = digest("send", cwd=tmp_path, **env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "over DIGEST_HTML_BUDGET (4,000)" in refused.stderr and "--allow-large" in refused.stderr
    assert outbox_files(tmp_path) == []

    # Issue 19: the preview says what the send does: this blocks it (it was only a warning).
    preview = digest("preview", "--out", "pv", cwd=tmp_path, **env)
    assert preview.returncode == 1
    assert "blocks the send: the email's HTML is" in preview.stdout and "--allow-large" in preview.stdout
    allowed_preview = digest("preview", "--out", "pv", cwd=tmp_path, DIGEST_ALLOW_LARGE="true", **env)
    assert allowed_preview.returncode == 0 and "reported: the email's HTML is" in allowed_preview.stdout

    allowed = digest("send", "--allow-large", cwd=tmp_path, **env)
    assert allowed.returncode == 0, allowed.stderr
    assert len(outbox_files(tmp_path)) == 1
