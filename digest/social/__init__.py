"""Social posts: per-platform snippets that always fit, an approval queue, and publishing.

Public API used by other parts:
- :func:`posts_for_edition` (preview): every post an edition would make, with counts and errors;
- :func:`queue_edition` (`digest send`): record a frozen edition's posts in the ledger;
- :func:`publish_due` (scheduler): publish the approved posts that are due; returns a
  report with ``.message``.

The names are imported on first use: reading the settings imports the platform
registry (``digest.social.platforms``), which must not pull in composing and publishing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "posts_for_edition": "digest.social.compose",
    "PublishReport": "digest.social.publish",
    "publish_due": "digest.social.publish",
    "QueueReport": "digest.social.queue",
    "queue_edition": "digest.social.queue",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'digest.social' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
