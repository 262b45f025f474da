"""`digest preview`: build the edition exactly as it would go out, check it, and send nothing.

Writes to the output folder: index.html (dashboard), email.html, email.txt,
email.eml (the full MIME message for a sample subscriber, whose unsubscribe link
is inert), social.json and social/<platform>.txt, and report.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from digest.compose import findings
from digest.compose.build import compose_current
from digest.compose.checks import check_posts, check_protected
from digest.compose.edition import MORE_FULL
from digest.compose.findings import REPORTED, Finding
from digest.compose.linkcheck import LinkCache, LinkOptions, check_links, edition_links
from digest.compose.period import coming_period
from digest.config import Settings
from digest.errors import RenderError
from digest.preview.dashboard import render_dashboard
from digest.preview.report import build_report, edition_findings, undefined_names
from digest.preview.social import posts_for, write_posts
from digest.protect import Hit
from digest.providers.registry import rehearsal_channels
from digest.render.budget import fit_budget
from digest.render.email import RenderedEmail, render_email
from digest.store.ledger import Ledger
from digest.subscribers import languages
from digest.summarise.origins import as_json
from digest.types import Article, Edition, Post, Recipient

PREVIEW_RECIPIENT = Recipient(email="subscriber@example.invalid", name="Sample Subscriber")
@dataclass
class PreviewResult:
    out: Path
    key: str
    report: dict[str, Any] = field(default_factory=dict)
    edition: Edition | None = None

    @property
    def ok(self) -> bool:
        return bool(self.report.get("ok"))


def build_preview(
    settings: Settings,
    ledger: Ledger,
    out: Path,
    *,
    now: datetime,
    progress: bool = False,
    language: str | None = None,
    links: LinkCache | None = None,
) -> PreviewResult:
    """Build, check and write the preview to ``out``. Never sends, never freezes an edition.
    ``links``: answers of the link check kept from an earlier look at the same edition."""
    uncounted = rehearsal_channels(settings.provider)
    coming = coming_period(settings, ledger, now, uncounted)
    key, slot, period_note = coming.key, coming.slot, coming.note
    edition, left_out, problems, _checks = compose_current(
        settings, ledger, now=now, key=key, slot=slot, progress=progress, uncounted=uncounted
    )
    lang = language or settings.language
    edition, trimmed = _fit_budget(edition, settings)
    left_out = left_out + trimmed
    rendered, render_error = _render(edition, settings, lang)
    posts, social_note = posts_for(edition, settings)
    email_hits: list[Hit] = check_protected(settings, edition, rendered) if rendered else []
    shown = personalise_for_preview(settings, rendered, edition.key, now) if rendered else None
    undefined = undefined_names(edition, settings, lang)
    found = edition_findings(
        settings, edition, rendered, shown_html=shown.html if shown else "", render_error=render_error,
        email_hits=email_hits, posts=posts, undefined=undefined,
    )
    found += _left_out(settings, left_out, len(trimmed)) + findings.sources(problems)
    found += link_findings(settings, shown.html if shown else "", posts, links)
    found += [Finding(REPORTED, "language", line) for line in settings.untranslated(languages(ledger.engine))]
    report = build_report(
        settings,
        edition=edition,
        rendered=rendered,
        shown_html=shown.html if shown else "",
        found=found,
        hits=email_hits + check_posts(settings, posts),
        posts=posts,
        social_note=social_note,
        undefined=undefined,
    )
    report = {
        "edition": key,
        "period_note": period_note,
        "language": lang,
        "subject": rendered.subject if rendered else "",
        "articles": len(edition.items) + len(edition.more),
        "problems": [{"source": s, "problem": p} for s, p in problems],
        "left_out": [{"article": a.title, "why": why} for a, why in left_out],
        "sources_of_sentences": sources_of_sentences(edition),
        "trimmed_to_fit": len(trimmed),
        **report,
    }
    out.mkdir(parents=True, exist_ok=True)
    _write(out, report, shown, edition, posts, social_note, period_note, now)
    return PreviewResult(out, key, report, edition)


def link_findings(
    settings: Settings, html: str, posts: list[Post], cache: LinkCache | None = None
) -> list[Finding]:
    """The link check of the email as a subscriber gets it and of its posts (DIGEST_LINK_CHECK)."""
    if not settings.link_check:
        return []
    urls = edition_links(html, posts, skip=[inert_link(settings)])
    return check_links(urls, LinkOptions.from_settings(settings), cache)


def inert_link(settings: Settings) -> str:
    """The unsubscribe and preferences link of the preview's sample subscriber: it goes nowhere."""
    return f"{settings.site_url}/unsubscribe/preview-only"


def sources_of_sentences(edition: Edition) -> list[dict[str, Any]]:
    """Each article's blurb sentences with the paragraph each came from (issue 23), for the report
    and the dashboard: a volunteer checks a sentence against what the article says."""
    return [
        {"article": i.article.title, "url": i.article.url, "sentences": [as_json(s) for s in i.sentences]}
        for i in edition.items + edition.more
        if i.sentences
    ]


def _left_out(settings: Settings, left_out: list[tuple[Article, str]], trimmed: int) -> list[Finding]:
    """Say what a busy week cost (reported): titles over the list's cap, and articles trimmed for size."""
    full = MORE_FULL.format(max_more=settings.max_more_stories)
    capped = sum(1 for _a, why in left_out if why == full)
    out = []
    if capped:
        out.append(Finding(REPORTED, "left-out", f"{capped} older article(s) left out: {full}"))
    if trimmed:
        out.append(Finding(
            REPORTED, "left-out", f"{trimmed} article(s) left out so the email fits DIGEST_HTML_BUDGET "
            f"({settings.html_budget:,} bytes); they are listed under 'left out'"))
    return out


def _fit_budget(edition: Edition, settings: Settings) -> tuple[Edition, list[tuple[Article, str]]]:
    """The edition as `send` would freeze it: trimmed to DIGEST_HTML_BUDGET (see render.budget)."""
    try:
        fitted = fit_budget(edition, settings)
    except RenderError:
        return edition, []  # the render below reports the template problem
    return fitted.edition, fitted.trimmed


def _render(edition: Edition, settings: Settings, lang: str) -> tuple[RenderedEmail | None, str]:
    try:
        return render_email(edition, settings, language=lang), ""
    except RenderError as exc:
        return None, str(exc)


@dataclass(frozen=True)
class Shown:
    """The email as the sample subscriber gets it: markers filled, full MIME message."""

    html: str
    text: str
    eml: bytes
    subject: str
    language: str


def personalise_for_preview(settings: Settings, rendered: RenderedEmail, key: str, now: datetime) -> Shown:
    """Fill the per-recipient links with inert sample ones; the ``.eml`` is built by the code
    that sends (:func:`~digest.deliver.messages.content_of` and the SMTP wire format)."""
    from digest.deliver.messages import Heading, content_of
    from digest.providers.base import Outgoing, wire_policy
    from digest.providers.wire import wire

    # The sample has the links a real subscriber gets: without DIGEST_UNSUBSCRIBE_URL or
    # DIGEST_PUBLIC_URL that is only the mailto (no one-click header, no preferences line).
    sample = inert_link(settings)
    address = parseaddr(settings.sender)[1]
    r = rendered
    content = content_of(Heading.from_settings(settings), key, r.subject, r.html, r.text, now, r.language)
    item = Outgoing(
        edition_key=key,
        recipient=PREVIEW_RECIPIENT,
        content=content,
        unsubscribe_https=sample if settings.unsubscribe_template else "",
        unsubscribe_mailto=f"mailto:{address}?subject=unsubscribe",
        manage_link=sample if settings.preferences_template else "",
    )
    html, text = item.bodies()
    return Shown(html, text, wire(item, wire_policy()), rendered.subject, rendered.language)


def _write(
    out: Path,
    report: dict[str, Any],
    shown: Shown | None,
    edition: Edition,
    posts: list[Post],
    social_note: str,
    period_note: str,
    now: datetime,
) -> None:
    if shown:
        (out / "email.html").write_text(shown.html, encoding="utf-8")
        (out / "email.txt").write_text(shown.text, encoding="utf-8")
        (out / "email.eml").write_bytes(shown.eml)
    write_posts(out, posts)
    report_text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    (out / "report.json").write_text(report_text, encoding="utf-8")
    notes = [f"left out {i['article']!r}: {i['why']}" for i in report["left_out"]]
    dashboard = render_dashboard(
        report=report,
        subject=shown.subject if shown else "(the email could not be rendered)",
        edition_key=edition.key,
        lang=shown.language if shown else report["language"],
        email_html=shown.html if shown else "",
        email_text=shown.text if shown else "",
        posts=posts,
        social_note=social_note,
        period_note=period_note,
        notes=notes,
        built_at=now.strftime("%Y-%m-%d %H:%M UTC"),
    )
    (out / "index.html").write_text(dashboard, encoding="utf-8")
