"""What the user sees of the sources: `digest sources` (and --json) per article, the preview's
warnings, and `digest status` naming what a send skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from digest.preview import build_preview
from digest.store import open_store
from digest.store.ledger import Ledger

REPO = Path(__file__).resolve().parents[2]


NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def write_sources(folder: Path) -> None:
    folder.mkdir()
    (folder / "typo.md").write_text(
        "---\ntitle: A typo in the address\nurl: https://[example.org/news/typo\nauthor: Staff\n"
        "date: 0000-00-00 00:00:00\n---\nVolunteers sorted coats over two evenings this week.\n",
        encoding="utf-8")
    (folder / "dated.md").write_text(
        "---\ntitle: Classes start\nurl: https://example.org/classes\ndate: 2026-11-25\n---\n"
        "Evening English classes start next week at the centre.\n", encoding="utf-8")
    (folder / "pasted.txt").write_text("A pasted story\nThe library is open on Saturdays now.\n",
                                       encoding="utf-8")
    (folder / "bomb.md").write_text("---\na: &a [x, x]\nb: [*a, *a]\ntitle: Bomb\n---\nText.\n",
                                    encoding="utf-8")


def run_digest(*args: str, cwd: Path, sources: Path) -> subprocess.CompletedProcess[str]:
    """A `digest` command on the day after the dated article (its edition's window holds it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_SOURCES=str(sources), DIGEST_DATA_DIR=str(cwd / "var"), DIGEST_TEST_NOW=NOW.isoformat())
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120, check=False)


def test_sources_json_shows_where_each_date_and_link_came_from(tmp_path: Path) -> None:
    write_sources(tmp_path / "content")
    result = run_digest("sources", "--json", cwd=tmp_path, sources=tmp_path / "content")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    articles = {a["title"]: a for a in data["articles"]}
    typo = articles["A typo in the address"]
    assert typo["url"] == "https://example.org" and typo["url_from"] == "homepage"
    assert typo["date"] == "" and typo["date_from"] == "first seen (no date in the article)"
    assert typo["author"] == "Staff"
    assert any("url 'https://[example.org/news/typo' dropped" in w for w in typo["warnings"])
    assert any("date '0000-00-00 00:00:00' dropped" in w for w in typo["warnings"])
    dated = articles["Classes start"]
    assert dated["date"] == "2026-11-25" and dated["date_from"] == "front matter"
    assert dated["url_from"] == "front matter" and dated["warnings"] == []
    assert articles["A pasted story"]["url_from"] == "homepage"
    (problem,) = data["problems"]
    assert problem["source"].endswith("bomb.md") and "YAML aliases" in problem["problem"]


def test_sources_text_output_names_each_articles_date_link_and_warnings(tmp_path: Path) -> None:
    write_sources(tmp_path / "content")
    result = run_digest("sources", cwd=tmp_path, sources=tmp_path / "content")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "date: 2026-11-25 (from front matter); author: -" in out
    assert "url: https://example.org (from homepage)" in out
    assert "warning: no address of its own; it links to the homepage (DIGEST_SITE_URL)" in out
    assert "Could not read (1):" in out and "bomb.md: front matter uses YAML aliases" in out


def test_preview_warns_about_dropped_fields_and_homepage_links(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_sources(tmp_path / "content")
    settings = make_settings(DIGEST_SOURCES=str(tmp_path / "content"))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(open_store(settings.db_url))
    report = build_preview(settings, ledger, tmp_path / "pv", now=NOW).report
    warnings = "\n".join(report["warnings"])
    assert "article 'A pasted story': no address of its own; it links to the homepage" in warnings
    assert "article 'A typo in the address': url 'https://[example.org/news/typo' dropped" in warnings
    assert any("YAML aliases" in p["problem"] for p in report["problems"])


def test_status_names_what_a_send_skipped(tmp_path: Path) -> None:
    write_sources(tmp_path / "content")
    sent = run_digest("send", cwd=tmp_path, sources=tmp_path / "content")
    assert sent.returncode == 0, sent.stderr
    assert "YAML aliases" in sent.stdout + sent.stderr
    result = run_digest("status", cwd=tmp_path, sources=tmp_path / "content")
    assert "source skipped: " in result.stdout and "bomb.md: front matter uses YAML aliases" in result.stdout


def test_many_skipped_entries_are_summed_up_after_ten(make_settings) -> None:  # type: ignore[no-untyped-def]
    from digest.compose.build import SKIPPED_SHOWN, record_skipped_sources

    settings = make_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(open_store(settings.db_url))
    problems = [(f"feed.xml entry {n}", "the entry has neither a title nor text") for n in range(1, 31)]
    record_skipped_sources(ledger, "weekly:2026-W48", problems)
    messages = [e["message"] for e in ledger.recent_events(50) if e["kind"] == "source skipped"]
    assert len(messages) == SKIPPED_SHOWN + 1
    assert "feed.xml entry 1: the entry has neither a title nor text" in messages
    assert "and 20 more; see digest sources" in messages
