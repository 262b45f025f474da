"""Build an edition and freeze it, once: sources, compose, render in every language, checks.

`digest send` and the scheduler call :func:`build_and_freeze` for an edition still
``building``; after it the edition is ``ready`` (frozen bytes in the ledger) or
``skipped`` (nothing new), and :mod:`digest.deliver.send` only snapshots,
dispatches and finalises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from digest.compose import findings
from digest.compose.build import Built, build_edition, record_skipped_sources
from digest.compose.checks import check_protected, email_findings, social_findings
from digest.compose.findings import Finding, refuse, reported
from digest.config import Settings
from digest.store import Engine
from digest.store.ledger import EditionRow, Ledger
from digest.store.source_health import record_checks
from digest.subscribers import languages
from digest.summarise.origins import to_json
from digest.types import Edition

NOTHING_NEW = "nothing new since the last edition"


@dataclass
class Frozen:
    """The edition after the build (``None`` if it could not be read back), the sources skipped and
    the findings reported (none blocks: a blocking one stops the freeze)."""

    edition: EditionRow | None
    problems: list[tuple[str, str]] = field(default_factory=list)
    skipped: bool = False
    reported: list[Finding] = field(default_factory=list)
    composed: Edition | None = None  # the articles and blurbs frozen (for the approval email's posts)


def build_and_freeze(
    settings: Settings,
    engine: Engine,
    *,
    key: str,
    slot: datetime,
    now: datetime,
    progress: bool = False,
    uncounted: Sequence[str] = (),
) -> Frozen:
    """Build edition ``key`` and freeze it with its bodies in every language subscribers read
    (``uncounted``: see :func:`~digest.compose.build.build_edition`).

    Raises ProtectedTermError (a protected name anywhere: nothing is frozen) or RenderError
    (any other finding that blocks: too large, active content; see digest.compose.findings).
    With nothing new, the edition is ``skipped`` unless DIGEST_SEND_WHEN_EMPTY is set.
    """
    ledger = Ledger(engine)
    built = build_edition(
        settings, ledger, now=now, key=key, slot=slot, progress=progress, uncounted=uncounted
    )
    record_skipped_sources(ledger, key, built.problems)
    record_checks(engine, built.checks, now)  # source health: a run that builds an edition counts
    if not built.edition.items and not getattr(settings, "send_when_empty", False):
        ledger.set_status(key, "skipped", NOTHING_NEW, now=now)
        ledger.event("info", "skipped", NOTHING_NEW, key)
        return Frozen(ledger.edition(key), built.problems, skipped=True)
    found = email_findings(settings, built.rendered, built.hits) + social_findings(settings, built.edition)
    found += findings.articles(built.edition.articles)
    refuse(found)
    bodies = other_languages(settings, engine, built)
    entries = built.edition.items + built.edition.more
    items = [(i.article.id, i.blurb) for i in entries]
    merged = [(a.id, i.article.id) for i in entries for a in i.also]  # taken with their entry
    terms = settings.protected_terms()
    hide = terms.contains if terms.terms else None
    sources = {i.article.id: to_json(i.sentences, hide) for i in entries if i.sentences}
    r = built.rendered
    ledger.freeze_edition(key, r.subject, r.html, r.text, items, bodies, merged, sources)
    return Frozen(ledger.edition(key), built.problems, reported=reported(found), composed=built.edition)


def other_languages(settings: Settings, engine: Engine, built: Built) -> dict[str, tuple[str, str, str]]:
    """Render the edition in every further language subscribers asked for, each refused on the
    same findings as the default one.

    Everything is rendered and checked before anything is frozen, so a protected
    name in any language, or in the social posts the edition will make (a name
    only in a social template too), stops the whole send (exit status 3).
    """
    from digest.render.email import render_email
    from digest.render.env import template_env

    default = getattr(built.rendered, "language", settings.language)
    wanted = [lang for lang in languages(engine) if lang and lang != default]
    bodies: dict[str, tuple[str, str, str]] = {}
    env = template_env(getattr(settings, "templates_dir", None))
    for lang in wanted:
        rendered = render_email(built.edition, settings, env, language=lang)
        refuse(email_findings(settings, rendered, check_protected(settings, built.edition, rendered)))
        bodies[lang] = (rendered.subject, rendered.html, rendered.text)
    return bodies
