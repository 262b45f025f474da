"""The approval email shows, under each blurb sentence, the paragraph of the article it came from
(issue 23), as the preview and the dashboard do: through the scheduler's own look a day ahead, the
outbox provider writing each approval request to a file."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from digest.deliver.approval import Draft, request_approvals
from digest.jobs.digest_job import check_digest
from digest.store import open_store
from digest.store.ledger import Ledger

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)
KEY = "weekly:2026-W23"
PARAGRAPHS = [
    "Volunteers from the church in Ansan packed winter coats on Saturday morning.",
    "Three hundred children will get a coat before the first snow. Each coat comes with a letter "
    "written by a volunteer.",
    "The next packing day is in January, and new volunteers are welcome.",
]


def _feed(path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    day = (MONDAY - timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>f</title><item><title>Winter coats '
        "for 300 children</title><link>https://example.org/coats</link><guid>coats</guid>"
        f"<pubDate>{day}</pubDate><description><![CDATA[{body}]]></description></item></channel></rss>",
        encoding="utf-8",
    )


def _approval_mail(settings: Any) -> tuple[str, str]:
    (path,) = sorted((settings.data_dir / "outbox").glob("approval-*/editor@example.org.eml"))
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, page


def _settings(tmp_path: Path, make_settings: Any, **extra: str) -> Any:
    feed = tmp_path / "feed.xml"
    _feed(feed)
    return make_settings(
        DIGEST_SOURCES=str(feed), DIGEST_SCHEDULE="0 9 * * 1", DIGEST_TIMEZONE="Europe/Berlin",
        DIGEST_APPROVAL="email", DIGEST_APPROVERS="Min-ji Editor <editor@example.org>",
        DIGEST_PUBLIC_URL="https://news.example.org", DIGEST_LINK_CHECK="false", **extra,
    )


@pytest.mark.parametrize(("language", "heading", "paragraph"), [
    ("en", "Where each sentence comes from", "Paragraph {n} of the article"),
    ("ko", "각 문장의 출처", "기사의 {n}번째 문단"),
])
def test_each_blurb_sentence_is_shown_with_its_paragraph(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_settings, language, heading, paragraph
) -> None:
    settings = _settings(tmp_path, make_settings, DIGEST_LANGUAGE=language)
    engine = open_store(settings.db_url)
    check_digest(settings, engine, MONDAY - timedelta(hours=23, minutes=45))  # a day ahead: asks

    text, page = _approval_mail(settings)
    (kept,) = Ledger(engine).frozen_sources(KEY).values()
    sentences = [s["text"] for s in json.loads(kept)]
    assert sentences, "the summariser kept no sentence sources"
    assert heading in text and heading in page
    for sentence in sentences:
        n = next(i for i, p in enumerate(PARAGRAPHS) if sentence in p)  # quoted from one paragraph
        assert f"<mark>{html.escape(sentence)}</mark>" in page  # marked inside its paragraph
        assert paragraph.format(n=n + 1) in text and paragraph.format(n=n + 1) in page
        assert " ".join(PARAGRAPHS[n].split()) in " ".join(text.replace("   > ", " ").split())
    assert "Not found in the article" not in text and "찾지 못했습니다" not in text


def test_a_paragraph_naming_a_protected_term_is_withheld_and_an_unfound_sentence_flagged(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_settings
) -> None:
    settings = _settings(tmp_path, make_settings)
    engine = open_store(settings.db_url)
    ledger = Ledger(engine)
    now = MONDAY - timedelta(days=1)
    ident = "url:https://example.org/coats"
    ledger.remember_articles([{"ident": ident, "title": "Winter coats", "url": "https://example.org/coats",
                               "source": "test", "published_at": now, "first_seen_at": now}])
    ledger.ensure_edition(KEY, MONDAY)
    blurb = "Forty coats went to children on Thursday. The shelter has ten beds."
    sources = [
        {"text": "Forty coats went to children on Thursday.",
         "source": {"paragraph": 1, "text": "", "start": 0, "end": 0, "withheld": True}},
        {"text": "The shelter has ten beds.",
         "source": {"paragraph": 0, "text": "It has ten beds.", "start": 0, "end": 0,
                    "supporting": ["It has ten beds."], "verdict": "supported: every word is in the "
                    "article, not all in these sentences"}},
        {"text": "A sentence from nowhere.", "source": None},
    ]
    ledger.freeze_edition(KEY, "subject", "<p>html</p>", "text", [(ident, blurb)],
                          sources={ident: json.dumps(sources)})

    assert request_approvals(settings, engine, KEY, Draft(), now) == ["editor@example.org"]

    text, page = _approval_mail(settings)
    for shown in (text, page):
        assert "Paragraph 2 of the article (not shown: it names a protected term)" in shown
        assert "It has ten beds." in shown and "Supporting sentences" in shown
        assert "but not all in these sentences: check it." in shown
        assert "Not found in the article: check this sentence by hand." in shown
