"""Publishing queued posts through the ledger: claim, publish part by part, record.

Rules: a post is marked ``sending`` before any call; each published part is
recorded at once, so a thread that stopped half-way resumes at its first
unpublished part; an ``unknown`` post is looked for on the platform before it may
be published again; a 401 stops that platform and marks it as needing
re-authorisation until its credentials change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from digest.attempts import RetryPolicy, owner_id
from digest.config import Settings
from digest.errors import AuthError, ProviderError
from digest.guard import STOPPED, describe, post_hits
from digest.protect import ProtectedTerms
from digest.social.platforms import PartRequest, Publisher, Ref, Saved
from digest.social.platforms.registry import missing_keys, platform_class
from digest.store import Engine
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.social import SocialStore, channel, fingerprint


@dataclass
class PublishReport:
    published: int = 0
    failed: int = 0
    unknown: int = 0
    waiting: int = 0
    reconciled: int = 0
    problems: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # published, but not quite as previewed

    @property
    def message(self) -> str:
        text = f"social: {self.published} published, {self.waiting} to retry later, {self.failed} failed"
        if self.unknown:
            text += f", {self.unknown} unknown (checked before any retry)"
        if self.reconciled:
            text += f", {self.reconciled} found already published"
        return text + "".join(f"\n  {p}" for p in self.protected + self.problems + self.notes)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.unknown or self.problems or self.protected)


def make_publisher(platform: str, settings: Settings, store: SocialStore) -> Publisher:
    return platform_class(platform).from_settings(settings, store)


def credentials(platform: str, settings: Settings) -> str:
    return fingerprint(*(value for _key, value in platform_class(platform).required_keys(settings)))


def publish_due(
    settings: Settings,
    engine: Engine,
    now: object = None,
    *,
    factory: Callable[[str, Settings, SocialStore], Publisher] = make_publisher,
) -> PublishReport:
    """Publish every approved post that is due, on every enabled platform. Never raises for a
    platform's failure: it is counted and described in the report (and in the ledger's events)."""
    report = PublishReport()
    store, ledger = SocialStore(engine), Ledger(engine)
    terms = settings.protected_terms()  # as the file is now: it may have grown
    missing = dict(missing_keys(settings)[::-1])  # platform -> its first empty key
    for platform in settings.social_platforms:
        if platform in missing:
            key = missing[platform]
            report.problems.append(f"{platform}: not published: {key} is empty; set it in .env, "
                                   f"or remove {platform} from DIGEST_SOCIAL_PLATFORMS")
            continue
        stamp = credentials(platform, settings)
        blocked = store.needs_reauth(platform, stamp)
        if blocked:
            report.problems.append(f"{platform}: not published: {blocked}")
            continue
        publisher = factory(platform, settings, store)
        try:
            run = _Run(store, ledger, report, terms, settings.retry)
            _platform(platform, publisher, run, stamp)
        finally:
            publisher.close()
            report.notes += publisher.notes
    for problem in report.problems:
        ledger.event("error", "social", problem)
    for note in report.notes:
        ledger.event("warning", "social", note)
    return report


@dataclass(frozen=True)
class _Run:
    store: SocialStore
    ledger: Ledger
    report: PublishReport
    terms: ProtectedTerms
    retry: RetryPolicy  # the same as email's: DIGEST_SEND_MAX_ATTEMPTS, DIGEST_SEND_MAX_WAIT


def _platform(platform: str, publisher: Publisher, run: _Run, stamp: str) -> None:
    store, ledger, report = run.store, run.ledger, run.report
    ledger.expire_leases()
    try:
        for row in store.posts(["unknown"], platform):
            _reconcile(publisher, store, ledger, row, report)
        for key in store.editions_due(platform):
            while rows := ledger.claim(key, channel(platform), owner_id(), lease=publisher.timeout * 4 + 60):
                for row in rows:
                    if not _stopped(run, row):
                        _one(publisher, run, row)
    except AuthError as exc:
        store.set_channel(platform, "needs_reauth", str(exc), stamp)
        report.problems.append(str(exc))
    except _Stop as stop:
        report.problems.append(str(stop))
    else:
        store.set_channel(platform, "ok")


class _Stop(Exception):
    """Stop this platform for this run (rate limited)."""


def _stopped(run: _Run, row: DeliveryRow) -> bool:
    """A post with a protected term (the current list, which may have grown since it was queued)
    is not published: it is marked failed with the reason, and `digest social publish` exits 3."""
    hits = post_hits(run.terms, row.data())
    if not hits:
        return False
    reason = f"{STOPPED}: {describe(hits)}; not published"
    run.ledger.finish(row.id, "failed", error=reason)
    run.ledger.event("error", "protected", f"{row.channel} post {row.id}: {reason}", row.edition_key)
    run.report.protected.append(f"{row.channel} post {row.id}: {reason}")
    run.report.failed += 1
    return True


def _requests(row: DeliveryRow, store: SocialStore) -> list[tuple[PartRequest, Saved, Ref | None]]:
    """Each part with what was saved for it and, if published, its Ref."""
    payload = row.data()
    saved = store.parts(row.id)
    out: list[tuple[PartRequest, Saved, Ref | None]] = []
    root: Ref | None = None
    previous: Ref | None = None
    for n, text in enumerate(payload["parts"]):
        part = saved.get(n)
        ref = Ref(part.remote_id, part.url, part.container_id) if part and part.remote_id else None
        request = PartRequest(text, n, f"{row.idem_key}-{n}", payload, reply_to=previous, root=root)
        out.append((request, Saved(part.container_id if part else ""), ref))
        previous = ref
        root = root or ref
    return out


def _publish_parts(publisher: Publisher, store: SocialStore, row: DeliveryRow) -> Ref:
    first: Ref | None = None
    previous: Ref | None = None
    for request, saved, ref in _requests(row, store):
        if ref is None:
            request = PartRequest(
                request.text, request.position, request.idem_key, request.payload, previous, first
            )
            ref = publisher.publish(request, _noter(store, row.id, request.position), saved)
            extra = {"container_id": ref.extra} if ref.extra else {}
            store.save_part(row.id, request.position, remote_id=ref.id, url=ref.url, **extra)
        first = first or ref
        previous = ref
    assert first is not None
    return first


def _noter(store: SocialStore, delivery_id: int, position: int) -> Callable[[str], None]:
    def note(container_id: str) -> None:
        store.save_part(delivery_id, position, container_id=container_id)

    return note


def _one(publisher: Publisher, run: _Run, row: DeliveryRow) -> None:
    store, ledger, report = run.store, run.ledger, run.report
    try:
        first = _publish_parts(publisher, store, row)
    except AuthError as exc:
        ledger.finish(row.id, "pending", error=str(exc), retry_at=time.time())
        raise
    except ProviderError as exc:
        _failed(run, row, exc)
        if exc.status_code == 429:
            raise _Stop(f"{publisher.name}: rate limited; the rest waits for the next run") from None
        return
    ledger.finish(row.id, "sent", provider_id=first.url or first.id)
    report.published += 1


def _failed(run: _Run, row: DeliveryRow, exc: ProviderError) -> None:
    after = run.retry.after(exc, row.attempts, time.time())
    run.ledger.finish(row.id, after.status, error=str(exc), retry_at=after.retry_at)
    if after.status == "unknown":
        run.report.unknown += 1
    elif after.status == "pending":
        run.report.waiting += 1
    else:
        run.report.failed += 1
        run.report.problems.append(f"{row.channel} post {row.id} failed: {exc}")


def _reconcile(
    publisher: Publisher, store: SocialStore, ledger: Ledger, row: DeliveryRow, report: PublishReport
) -> None:
    """An unknown post: find its first unsettled part on the platform before anything is resent."""
    for request, saved, ref in _requests(row, store):
        if ref is not None:
            continue
        try:
            found = publisher.find(request, saved)
        except AuthError:
            raise
        except ProviderError as exc:
            report.problems.append(f"{row.channel} post {row.id}: still unknown, could not check ({exc})")
            report.unknown += 1
            return
        if found is None:
            break  # not there: this part and the rest may be published
        extra = {"container_id": found.extra} if found.extra else {}
        store.save_part(row.id, request.position, remote_id=found.id, url=found.url, **extra)
        report.reconciled += 1
    parts = store.parts(row.id)
    done = all(parts.get(n) and parts[n].remote_id for n in range(len(row.data()["parts"])))
    if done:
        ledger.finish(row.id, "sent", provider_id=parts[0].url or parts[0].remote_id)
    else:
        store.move(
            [row.id], ["unknown"], "pending", "not found on the platform after an unknown outcome; resent"
        )
