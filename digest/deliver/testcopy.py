"""`digest send --test ADDRESS`: one copy through the real provider, the edition left untouched.

The copy is the frozen edition when it exists (what subscribers get or got),
else a fresh build of this period's edition. The subject starts with ``[TEST]``;
no delivery row is written and the edition's status does not change. Its idempotency key
starts with ``TEST_KEY_PREFIX``, so a provider that files messages by address keeps it apart.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import partial

from digest.compose.build import build_edition, current_period
from digest.compose.checks import refuse_protected
from digest.config import Settings
from digest.deliver.messages import Letters
from digest.deliver.modes import mode_for
from digest.guard import frozen_hits
from digest.providers.base import TEST_KEY_PREFIX, Provider
from digest.providers.registry import rehearsal_channels
from digest.store import Engine
from digest.store.ledger import EditionRow, Ledger
from digest.store.link_refs import refs_for
from digest.subscribers import normalise
from digest.types import Recipient

PREFIX = "[TEST] "


def send_test(settings: Settings, engine: Engine, provider: Provider, address: str, *, now: datetime) -> str:
    """Send the test copy; returns a one-line report. Raises ProviderError or ProtectedTermError."""
    try:
        to = normalise(address)
    except ValueError as exc:
        from digest.errors import DigestError

        raise DigestError(f"--test {address}: not a valid address ({exc})") from None
    ledger = Ledger(engine)
    key, slot = current_period(settings, now)
    edition = ledger.edition(key)
    if edition is None or not edition.html:
        edition = _fresh(settings, ledger, key, slot, now, rehearsal_channels(provider.name))
    else:  # the frozen edition, against the terms as they are now
        terms = settings.protected_terms()
        refuse_protected(frozen_hits(terms, settings, edition, ledger.bodies(key)))
    bodies = ledger.bodies(key) if edition.html else {}
    refs = partial(refs_for, engine)
    letters = Letters.from_settings(settings, edition, refs, bodies, subject_prefix=PREFIX)
    idem = f"{TEST_KEY_PREFIX}{secrets.token_hex(8)}"
    outgoing = letters.outgoing(Recipient(email=to))
    try:
        result = mode_for(provider).send_test(letters, to, idem)
    finally:
        provider.close()
    ledger.event("info", "test", f"test copy sent to {to} through {provider.name}", key)
    ref = provider.copy_note(outgoing, idem, result)
    return f"{key}: test copy sent to {to} through {provider.name}{ref}; the edition itself was not sent"


def _fresh(
    settings: Settings, ledger: Ledger, key: str, slot: datetime, now: datetime, uncounted: tuple[str, ...]
) -> EditionRow:
    built = build_edition(settings, ledger, now=now, key=key, slot=slot, uncounted=uncounted)
    refuse_protected(built.hits)
    r = built.rendered
    return EditionRow(
        key=key,
        slot_utc=slot,
        status="test",
        reason="",
        subject=r.subject,
        html=r.html,
        text=r.text,
        content_sha256="",
        created_at=now,
        sent_at=None,
    )
