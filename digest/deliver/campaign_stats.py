"""A campaign provider's own counts of each sent campaign, for `digest status`.

Read with the reads `digest status` makes (:mod:`digest.store.quick`), so a status that needs
no provider never loads the ledger's engine.
"""

from __future__ import annotations

from typing import Any

from digest.config import Settings
from digest.errors import ConfigError, ProviderError
from digest.providers.base import Provider
from digest.providers.http import CampaignProvider
from digest.providers.registry import provider_class
from digest.store.quick import Reads, deliveries_on, reader_of
from digest.store.rows import CAMPAIGN


def stats_source(settings: Settings) -> CampaignProvider | None:
    """The configured provider when it keeps the list and has its credentials: `digest status`
    reads each sent campaign's counts from it. None otherwise (`digest send` names a missing key)."""
    try:
        cls = provider_class(settings.provider)
        if not issubclass(cls, CampaignProvider):
            return None
        cls.check_settings(settings)
    except ConfigError:
        return None
    return cls.from_settings(settings)


def campaign_stats(source: Reads, provider: Provider, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Edition key -> the sent and bounce counts of its sent campaigns, read from ``provider``.

    Only campaigns sent through ``provider`` (the credentials at hand can read no other).
    A read that fails is kept as ``warning`` (one line) for `digest status`: statistics
    are informative, so they never fail the command. After a failure that would repeat
    for every campaign (no answer, a refused key, a server error) the rest are not asked,
    so a provider that is down costs one timeout, not one per edition.
    """
    found: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
    if not isinstance(provider, CampaignProvider):
        return found
    gave_up = ""
    reader, channel = reader_of(source), provider.channel()
    for key in keys:
        for row in deliveries_on(reader, channel, key, ("sent",)):
            if row.channel != channel or row.target != CAMPAIGN or not row.provider_id:
                continue
            entry: dict[str, Any] = {"provider": provider.name, "campaign_id": row.provider_id}
            if gave_up:
                entry["warning"] = f"not asked after an earlier failure: {gave_up}"
            else:
                try:
                    stats = provider.campaign_stats(row.provider_id)
                except ProviderError as exc:
                    entry["warning"] = "cannot read its statistics: " + " ".join(str(exc).split())
                    gave_up = "" if _only_this_campaign(exc) else " ".join(str(exc).split())
                else:
                    if stats is None:
                        continue
                    entry.update(sent=stats.sent, bounced=stats.bounced, delivered=stats.delivered)
            found[key].append(entry)
    return found


def _only_this_campaign(exc: ProviderError) -> bool:
    """A 4xx about this campaign (say, deleted at the provider), not the key, the limit or the server."""
    code = exc.status_code
    return code is not None and 400 <= code < 500 and code not in (401, 403, 429)
