"""The social job: publish the posts that are due, through `digest.social.publish_due`.

The social capability owns what is due and the ledger rows of its posts; this job
only triggers it, on DIGEST_SOCIAL_SCHEDULE or, when that is empty, after each
digest check. It is imported lazily so a build without social posting still runs.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from digest.config import Settings
from digest.errors import DigestError
from digest.store import Engine
from digest.store.ledger import Ledger

log = logging.getLogger("digest.jobs")


def find_publisher() -> Callable[..., Any] | None:
    """`digest.social.publish_due`, or None when this version has no social posting."""
    try:
        module = importlib.import_module("digest.social")
    except ModuleNotFoundError as exc:
        if exc.name in ("digest.social",):
            return None
        raise
    publish = getattr(module, "publish_due", None)
    return publish if callable(publish) else None


def publish_social(settings: Settings, engine: Engine, now: datetime) -> str:
    """Run the social publisher once; errors are logged and recorded, never raised."""
    publish = find_publisher()
    if publish is None:
        return "social posting is not available in this version"
    try:
        result = publish(settings, engine, now)
    except DigestError as exc:
        message = f"publishing social posts failed: {exc}"
        log.error("%s", message)
        Ledger(engine).event("error", "social-failed", message)
        return message
    text = str(getattr(result, "message", result) or "social posts checked")
    log.info("%s", text)
    return text


def queue_posts(settings: Settings, engine: Engine, key: str, status: str, now: datetime) -> list[str]:
    """After the scheduler sent an edition, do what `digest send` does for its social posts
    (queue them; publish at once when neither approval nor DIGEST_SOCIAL_SCHEDULE holds them)."""
    try:
        from digest.social.queue import after_send
    except ModuleNotFoundError:
        return []
    try:
        lines = list(after_send(settings, engine, key, status, now))
    except DigestError as exc:
        message = f"{key}: queueing social posts failed: {exc}"
        log.error("%s", message)
        Ledger(engine).event("error", "social-failed", message, key)
        return [message]
    for line in lines:
        log.info("social: %s", line)
    return lines
