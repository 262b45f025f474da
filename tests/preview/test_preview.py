"""`digest preview`: the files it writes, the report, posts, the next-period note, and --serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import markupsafe
import pytest
import requests

from digest.preview import build_preview
from digest.store import open_store
from digest.store.ledger import Ledger
from digest.types import Post

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday; the default schedule is Mondays 09:00


def write_content(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "coats.md").write_text(
        "---\ntitle: Winter coats for 40 children\nurl: https://example.org/news/coats\n"
        "image: https://example.org/img/coats.jpg\nimage_alt: Children trying on coats\n---\n"
        "We handed out forty coats this week. Volunteers sorted the sizes over two evenings.\n",
        encoding="utf-8",
    )
    (folder / "scholarship.md").write_text(
        "---\ntitle: 청소년 장학금 신청 안내\nurl: https://example.org/ko/news/scholarship\n---\n"
        "올해 청소년 장학금 신청이 다음 달 첫째 주에 시작됩니다. 자원봉사자가 신청서 작성을 도와드립니다.\n",
        encoding="utf-8",
    )


@pytest.fixture
def setup(make_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    write_content(tmp_path / "content")

    def make(**values: str):  # type: ignore[no-untyped-def]
        settings = make_settings(DIGEST_SOURCES=str(tmp_path / "content"), **values)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return settings, Ledger(open_store(settings.db_url))

    return make


def test_writes_every_file_and_a_clean_report(setup, tmp_path: Path) -> None:
    settings, ledger = setup(DIGEST_REPLY_TO="hello@example.org")
    out = tmp_path / "pv"
    result = build_preview(settings, ledger, out, now=NOW)
    assert result.ok, result.report["errors"]
    names = {p.name for p in out.iterdir()}
    assert {
        "index.html",
        "email.html",
        "email.txt",
        "email.eml",
        "social.json",
        "report.json",
        "social",
    } <= names
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is True and report["errors"] == []
    # A fresh install on Thursday: Monday's W48 slot passed over DIGEST_MAX_LATENESS ago, so the
    # schedule's first edition (and so the preview's) is next Monday's W49.
    assert report["edition"] == "weekly:2026-W49" and report["articles"] == 2
    html = (out / "email.html").read_text(encoding="utf-8")
    assert report["html_bytes"] > 5000 and report["html_budget"] == 90000
    assert {link["url"] for link in report["links"]} >= {
        "https://example.org/news/coats?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-2026-w49"
    }
    assert report["images"] == [
        {"src": "https://example.org/img/coats.jpg", "alt": "Children trying on coats"}
    ]
    assert report["images_without_alt"] == [] and report["undefined_variables"] == []
    assert "%%UNSUBSCRIBE_URL%%" not in html and "mailto:" in html
    msg = message_from_bytes((out / "email.eml").read_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Reply-To"] == "hello@example.org"
    assert msg["To"] == "Sample Subscriber <subscriber@example.invalid>"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert not (settings.data_dir / "outbox").exists()  # nothing sent
    assert ledger.edition("weekly:2026-W49") is None  # nothing frozen


@pytest.mark.parametrize("public_url", ["", "https://news.example.org"], ids=["mailto-only", "digest-serve"])
def test_the_preview_has_the_unsubscribe_links_a_subscriber_gets(
    setup, tmp_path: Path, public_url: str
) -> None:
    """Without DIGEST_PUBLIC_URL (or DIGEST_UNSUBSCRIBE_URL) a real send has only the mailto: no
    one-click header, no "Manage preferences"; the preview must not promise more."""
    settings, ledger = setup(DIGEST_PUBLIC_URL=public_url)
    out = tmp_path / "pv"
    build_preview(settings, ledger, out, now=NOW)
    msg = message_from_bytes((out / "email.eml").read_bytes(), policy=policy.default)
    text = (out / "email.txt").read_text(encoding="utf-8")
    html = (out / "email.html").read_text(encoding="utf-8")
    if public_url:
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "unsubscribe/preview-only" in msg["List-Unsubscribe"] and "Manage preferences" in text
    else:
        assert msg["List-Unsubscribe-Post"] is None and msg["List-Unsubscribe"].startswith("<mailto:")
        assert "preview-only" not in text + html and "Manage preferences" not in text + html
        assert "Unsubscribe: mailto:" in text


def test_protected_term_and_posts_are_flagged(setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("장학금\nHyesan\n", encoding="utf-8")
    settings, ledger = setup(DIGEST_PROTECTED_TERMS_FILE=str(terms))
    posts = [
        Post(
            "x", "a1", "Winter coats for 40 children", "Coats for 40 children https://example.org/n", 48, 280
        ),
        Post("bluesky", "a1", "Winter coats for 40 children", "From HYESAN: coats " + "x" * 300, 319, 300),
        Post("mastodon", "a2", "청소년 장학금 신청 안내", "봉사자 소식", 6, 500, ("no link",)),
    ]
    monkeypatch.setattr("digest.preview.posts_for", lambda edition, settings: (posts, ""))
    out = tmp_path / "pv"
    report = build_preview(settings, ledger, out, now=NOW).report
    assert report["ok"] is False
    errors = "\n".join(report["errors"])
    assert "protected term '장학금' in article '청소년 장학금 신청 안내'" in errors
    assert "protected term 'Hyesan' in the bluesky post for article 'Winter coats for 40 children'" in errors
    # A post that needs editing does not stop the email (issue 19): it is reported, and waits.
    warnings = "\n".join(report["warnings"])
    assert "bluesky post for 'Winter coats for 40 children': is 319/300" in warnings
    assert "mastodon post for '청소년 장학금 신청 안내': no link" in warnings and "no link" not in errors
    assert [s["platform"] for s in report["social"]] == ["x", "bluesky", "mastodon"]
    social = json.loads((out / "social.json").read_text(encoding="utf-8"))
    assert social[0] == {
        "platform": "x",
        "article": "Winter coats for 40 children",
        "text": "Coats for 40 children https://example.org/n",
        "used": 48,
        "limit": 280,
    }
    assert sorted(p.name for p in (out / "social").iterdir()) == ["bluesky.txt", "mastodon.txt", "x.txt"]
    assert "(319/300)" in (out / "social" / "bluesky.txt").read_text(encoding="utf-8")
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "319 / 300" in dashboard and 'class="card post over"' in dashboard
    assert "protected term &#39;장학금&#39;" in dashboard


def test_without_the_social_module_the_preview_says_so(setup, tmp_path: Path, monkeypatch) -> None:
    # The package is not installed: importing it, or the post writer an earlier test may already
    # have imported (found in sys.modules without its package), raises ImportError.
    monkeypatch.setitem(sys.modules, "digest.social", None)
    monkeypatch.setitem(sys.modules, "digest.social.compose", None)
    settings, ledger = setup()
    report = build_preview(settings, ledger, tmp_path / "pv", now=NOW).report
    assert report["ok"] is True
    assert report["social"] == [] and "not part of this installation" in report["social_note"]


def test_after_the_send_it_previews_the_next_edition(setup, tmp_path: Path) -> None:
    settings, ledger = setup()
    ledger.ensure_edition("weekly:2026-W48", datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    ledger.set_status("weekly:2026-W48", "sent")
    result = build_preview(settings, ledger, tmp_path / "pv", now=NOW)
    assert result.key == "weekly:2026-W49"
    note = result.report["period_note"]
    assert "weekly:2026-W48) was already sent" in note and "weekly:2026-W49, due 2026-11-30 09:00" in note
    assert str(markupsafe.escape(note)) in (tmp_path / "pv" / "index.html").read_text(encoding="utf-8")


def test_an_undefined_template_variable_fails_the_preview(setup, tmp_path: Path) -> None:
    folder = tmp_path / "tpl" / "email"
    folder.mkdir(parents=True)
    (folder / "_footer.txt.j2").write_text("{{ postal_adress }}\n", encoding="utf-8")
    settings, ledger = setup(DIGEST_TEMPLATES_DIR=str(tmp_path / "tpl"))
    report = build_preview(settings, ledger, tmp_path / "pv", now=NOW).report
    assert report["ok"] is False and report["undefined_variables"] == ["postal_adress"]
    assert any("could not be rendered" in e and "_footer.txt.j2" in e for e in report["errors"])
    assert (tmp_path / "pv" / "index.html").exists()  # the dashboard still shows what went wrong


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_rebuilds_when_content_changes(tmp_path: Path) -> None:
    write_content(tmp_path / "content")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env["DIGEST_SOURCES"] = "content"
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "preview", "--serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                first = requests.get(base + "__version", timeout=10).text
                break
            except (requests.ConnectionError, requests.Timeout):
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        page = requests.get(base + "index.html", timeout=5)
        assert page.status_code == 200 and "Winter coats for 40 children" in page.text
        (tmp_path / "content" / "soup.md").write_text(
            "---\ntitle: Cold noodle soup night\nurl: https://example.org/news/soup\n---\n"
            "A grandmother taught the kitchen her village's cold noodle soup.\n",
            encoding="utf-8",
        )
        deadline = time.monotonic() + 60
        while requests.get(base + "__version", timeout=10).text == first:
            assert time.monotonic() < deadline, "no rebuild after the change"
            time.sleep(0.2)
        assert "Cold noodle soup night" in requests.get(base + "email.html", timeout=5).text
        # bound to the loopback interface only
        with pytest.raises(OSError), socket.create_connection((_outward_address(), port), timeout=1):
            pass
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert f"Serving the preview at http://127.0.0.1:{port}/" in output
    assert "change seen, rebuilding" in output


def _outward_address() -> str:
    """An address of this machine that is not loopback (the server must not answer on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, it only picks a route
            address = str(s.getsockname()[0])
        except OSError:
            pytest.skip("not applicable here: no non-loopback interface to test against")
    if address.startswith("127."):
        pytest.skip("not applicable here: no non-loopback interface to test against")
    return address
