"""Social platform clients, one module each; the modules are the list
(:mod:`digest.social.platforms.registry`), so this file names none of them."""

from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved

__all__ = ["PartRequest", "Publisher", "Ref", "Saved"]
