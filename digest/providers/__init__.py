"""Mailing providers, one module each, chosen by DIGEST_PROVIDER."""

from __future__ import annotations

from digest.config import Settings
from digest.errors import ConfigError
from digest.providers.base import Campaign, Outgoing, Provider, SendResult
from digest.providers.outbox import OutboxProvider

PROVIDERS: dict[str, type[Provider]] = {
    "outbox": OutboxProvider,
}


def make_provider(settings: Settings) -> Provider:
    try:
        cls = PROVIDERS[settings.provider]
    except KeyError:
        raise ConfigError(
            "DIGEST_PROVIDER",
            f"{settings.provider!r} is not available in this version",
            f"use one of: {', '.join(sorted(PROVIDERS))}",
        ) from None
    return cls(settings)


__all__ = ["PROVIDERS", "Campaign", "Outgoing", "Provider", "SendResult", "make_provider"]
