"""Social posts: per-platform snippets that always fit, an approval queue, and publishing.

Public API used by other parts:
- :func:`posts_for_edition` (preview): every post an edition would make, with counts and errors;
- :func:`queue_edition` (`digest send`): record an edition's posts in the ledger;
- :func:`publish_due` (scheduler): publish the approved posts that are due.
"""

from digest.social.compose import posts_for_edition
from digest.social.measure import LIMITS, PLATFORMS, measure

__all__ = ["LIMITS", "PLATFORMS", "measure", "posts_for_edition"]
