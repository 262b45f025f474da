"""The preview shows where each blurb sentence came from (issue 23): in report.json and beside
each sentence on the dashboard, with the sentence marked in its paragraph."""

from __future__ import annotations

import json
from pathlib import Path

import markupsafe

from digest.preview import build_preview
from digest.store import open_store
from digest.store.ledger import Ledger
from tests.preview.test_preview import NOW, write_content


def test_report_and_dashboard_show_each_sentence_beside_its_paragraph(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    write_content(tmp_path / "content")
    settings = make_settings(DIGEST_SOURCES=str(tmp_path / "content"))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "pv"
    build_preview(settings, Ledger(open_store(settings.db_url)), out, now=NOW)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    entries = report["sources_of_sentences"]
    assert {e["article"] for e in entries} == {"Winter coats for 40 children", "청소년 장학금 신청 안내"}
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "Where each sentence came from" in dashboard
    for entry in entries:
        assert entry["sentences"]
        for s in entry["sentences"]:
            src = s["source"]
            assert src["text"][src["start"] : src["end"]] == s["text"]
            assert f"<mark>{markupsafe.escape(s['text'])}</mark>" in dashboard
