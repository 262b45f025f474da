"""`digest preview`: build the edition exactly as it would go out, and send nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from digest.config import Settings
from digest.deliver.messages import message_for
from digest.pipeline import Built, build_edition, current_period
from digest.store.ledger import EditionRow, Ledger
from digest.types import Recipient


@dataclass
class PreviewResult:
    out: Path
    built: Built
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.report.get("ok"))


def build_preview(
    settings: Settings, ledger: Ledger, out: Path, *, now: datetime, progress: bool = False
) -> PreviewResult:
    """Write email.html, email.txt, email.eml and report.json to ``out``; returns the result."""
    key, slot = current_period(settings, now)
    built = build_edition(settings, ledger, now=now, key=key, slot=slot, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    (out / "email.html").write_text(built.rendered.html, encoding="utf-8")
    (out / "email.txt").write_text(built.rendered.text, encoding="utf-8")
    frozen = EditionRow(
        key=key,
        slot_utc=slot,
        status="preview",
        reason="",
        subject=built.rendered.subject,
        html=built.rendered.html,
        text=built.rendered.text,
        content_sha256="",
        created_at=now,
        sent_at=None,
    )
    name, address = parseaddr(settings.sender)
    message = message_for(settings, frozen, Recipient(email=address, name=name))
    (out / "email.eml").write_bytes(message.as_bytes())
    report = {
        "edition": key,
        "articles": len(built.edition.items) + len(built.edition.more),
        "html_bytes": len(built.rendered.html.encode()),
        "protected_terms": [{"term": h.term, "where": h.where} for h in built.hits],
        "problems": [{"source": s, "problem": p} for s, p in built.problems],
        "ok": not built.hits,
    }
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return PreviewResult(out, built, report)
