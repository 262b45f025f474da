"""Social platform clients, one module each; :func:`digest.social.publish.make_publisher`
builds the one a DIGEST_SOCIAL_PLATFORMS name asks for."""

from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved

__all__ = ["PartRequest", "Publisher", "Ref", "Saved"]
