"""The approval queue: an edition's posts are recorded in the ledger, then approved,
skipped or published.

States of a post (a delivery with channel ``social:<platform>``): ``review`` (waiting
for approval) -> ``pending`` (approved) -> ``sending`` -> ``sent`` | ``failed`` |
``unknown``; or ``skipped``. With DIGEST_SOCIAL_APPROVAL=false posts start as ``pending``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from digest.config import Settings
from digest.store import Engine
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.social import SocialStore
from digest.types import Article, Edition, EditionItem


@dataclass
class QueueReport:
    key: str
    queued: int = 0
    status: str = ""
    refused: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.status:
            return f"{self.key}: no social posts (DIGEST_SOCIAL_PLATFORMS is empty or the edition is empty)"
        text = f"{self.key}: {self.queued} social post(s) queued as {self.status}"
        return text + "".join(f"\n  not queued: {r}" for r in self.refused)


def edition_from_ledger(engine: Engine, key: str) -> Edition | None:
    """The frozen edition's articles and blurbs, as they went out in the email."""
    ledger = Ledger(engine)
    row = ledger.edition(key)
    if row is None:
        return None
    items = tuple(
        EditionItem(Article(id=ident, title=title, url=url, text="", source=source, image=image,
                            image_alt=alt), blurb)
        for ident, blurb, title, url, source, image, alt in ledger.frozen_articles(key)
    )
    return Edition(key=key, slot=row.slot_utc, issued=row.created_at, items=items)


def queue_edition(settings: Settings, engine: Engine, key: str) -> QueueReport:
    """Record the posts of a frozen edition once (again: nothing new). Posts with errors
    (too long, a protected term, no link) are not queued and are reported."""
    # Imported here, as the platforms' registry below: writing posts loads the platforms and their
    # text rules, which `digest send` without social platforms never needs.
    from digest.social.compose import drafts_for_edition

    report = QueueReport(key)
    edition = edition_from_ledger(engine, key)
    if not settings.social_platforms or edition is None or not edition.items:
        return report
    store, ledger = SocialStore(engine), Ledger(engine)
    report.status = "review" if settings.social_approval else "pending"
    queued_us = int(time.time() * 1_000_000)
    for draft in drafts_for_edition(edition, settings):
        post = draft.post
        if post.errors:
            reason = f"{post.platform} post for {post.article_title!r}: {'; '.join(post.errors)}"
            report.refused.append(reason)
            ledger.event("error", "social-refused", reason, key)
            continue
        payload = {**draft.payload(), "queued_us": queued_us}
        report.queued += store.add_posts(key, post.platform, [(post.article_id, payload)], report.status)
    return report


def approve(engine: Engine, ids: list[int] | None) -> int:
    """Approve the given posts (None: every post waiting for review)."""
    store = SocialStore(engine)
    wanted = ids if ids is not None else [r.id for r in store.posts(["review"])]
    return store.move(wanted, ["review"], "pending")


def skip(engine: Engine, ids: list[int]) -> int:
    """Never publish these posts (only those not published or being published)."""
    return SocialStore(engine).move(ids, ["review", "pending", "failed"], "skipped")


def retry(engine: Engine, ids: list[int]) -> int:
    """Put failed posts back in the queue (after fixing what made them fail)."""
    return SocialStore(engine).move(ids, ["failed"], "pending")


def listing(engine: Engine, statuses: list[str] | None = None) -> list[DeliveryRow]:
    return SocialStore(engine).posts(statuses or [])


def after_send(settings: Settings, engine: Engine, key: str, status: str, now: object = None) -> list[str]:
    """What `digest send` does for social posts once the email is out: queue the edition's posts,
    and publish them at once when no approval and no separate schedule is set. Lines to print."""
    if not settings.social_platforms or status not in ("sent", "partial"):
        return []
    report = queue_edition(settings, engine, key)
    lines = [report.message] if report.queued or report.refused else []
    if settings.social_approval:
        waiting = len(SocialStore(engine).posts(["review"]))
        if waiting:
            lines.append(f"{waiting} social post(s) wait for approval: digest social list")
    elif not getattr(settings, "social_schedule", ""):
        from digest.social.publish import publish_due

        lines.append(publish_due(settings, engine, now).message)
    return lines


def unpublished_platforms(settings: Settings, status: str) -> list[tuple[str, str]]:
    """(platform, missing key) for each platform whose posts `after_send` could not publish at once
    for want of a key; they stay queued. Empty when nothing was to be published right away."""
    publishes_now = not settings.social_approval and not settings.social_schedule
    if status not in ("sent", "partial") or not publishes_now:
        return []
    from digest.social.platforms.registry import missing_keys

    return list(dict(missing_keys(settings)[::-1]).items())  # the first missing key of each
