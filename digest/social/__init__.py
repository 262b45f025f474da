"""Social posts: per-platform snippets that always fit, an approval queue, and publishing.

Public API used by other parts:
- :func:`posts_for_edition` (preview): every post an edition would make, with counts and errors;
- :func:`queue_edition` (`digest send`): record a frozen edition's posts in the ledger;
- :func:`publish_due` (scheduler): publish the approved posts that are due; returns a
  report with ``.message``.
"""

from digest.social.compose import posts_for_edition
from digest.social.measure import LIMITS, PLATFORMS, measure
from digest.social.publish import PublishReport, publish_due
from digest.social.queue import QueueReport, queue_edition

__all__ = [
    "LIMITS",
    "PLATFORMS",
    "PublishReport",
    "QueueReport",
    "measure",
    "posts_for_edition",
    "publish_due",
    "queue_edition",
]
