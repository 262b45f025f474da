"""Social platform clients, one module each. PUBLISHERS maps the DIGEST_SOCIAL_PLATFORMS name
to its class; :func:`digest.social.publish.make_publisher` builds one from Settings."""

from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved
from digest.social.platforms.bluesky import Bluesky
from digest.social.platforms.facebook import Facebook
from digest.social.platforms.linkedin import LinkedIn
from digest.social.platforms.mastodon import Mastodon
from digest.social.platforms.threads import Threads
from digest.social.platforms.x import X

PUBLISHERS: dict[str, type[Publisher]] = {
    "x": X,
    "bluesky": Bluesky,
    "mastodon": Mastodon,
    "threads": Threads,
    "linkedin": LinkedIn,
    "facebook": Facebook,
}

__all__ = ["PUBLISHERS", "PartRequest", "Publisher", "Ref", "Saved"]
