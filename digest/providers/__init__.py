"""Mailing providers, one module each, chosen by DIGEST_PROVIDER.

The modules of this package are the list (see :mod:`digest.providers.registry`);
this file names none of them.
"""

from __future__ import annotations

from digest.providers.base import Campaign, Content, Outgoing, Provider, SendResult
from digest.providers.registry import make_provider, provider_class, providers

__all__ = [
    "Campaign",
    "Content",
    "Outgoing",
    "Provider",
    "SendResult",
    "make_provider",
    "provider_class",
    "providers",
]
