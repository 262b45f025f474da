"""Campaign providers under the ledger: record the campaign id, then start it; reconcile first.

The one delivery row of a campaign keeps the provider's campaign id as soon as
the draft exists. Before anything is started again, the provider's own status
decides: already sent (or sending, or scheduled) -> sent, still a draft -> go on.
"""

from __future__ import annotations

from typing import Any

from digest.config import Settings
from digest.deliver.resolve import CAMPAIGN
from digest.errors import ConfigError, ProviderError
from digest.providers.base import Campaign, Provider, SendResult
from digest.providers.http import CampaignProvider
from digest.providers.registry import provider_class
from digest.store.ledger import DeliveryRow, Ledger


def send_campaign_row(
    ledger: Ledger, provider: CampaignProvider, row: DeliveryRow, campaign: Campaign
) -> SendResult:
    campaign_id = row.provider_id
    if campaign_id:
        state = provider.campaign_state(campaign_id)
        if state == "sent":
            return SendResult(provider_id=campaign_id)
        if state == "failed":
            raise ProviderError(
                provider.name, f"campaign {campaign_id} is in a failed state; look at it in {provider.name}"
            )
    else:
        campaign_id = provider.create_draft(campaign, row.idem_key)
        ledger.set_provider_id(row.id, campaign_id)
    provider.start(campaign_id, row.idem_key)
    return SendResult(provider_id=campaign_id)


def reconcile(ledger: Ledger, provider: CampaignProvider, key: str, channel: str) -> int:
    """Settle ``unknown`` campaign rows from the provider's status. Returns how many were settled."""
    settled = 0
    for row in ledger.deliveries(key, channel, statuses=("unknown",)):
        if not row.provider_id:
            # The create call never answered: at most a draft exists, nothing went out.
            settled += ledger.requeue([row.id], "no campaign was created; trying again")
            continue
        try:
            state = provider.campaign_state(row.provider_id)
        except ProviderError as exc:
            ledger.event("warning", "reconcile", f"cannot read campaign {row.provider_id}: {exc}", key)
            continue
        if state == "sent":
            ledger.finish(row.id, "sent", provider_id=row.provider_id, error="")
        elif state == "draft":
            ledger.requeue([row.id], f"campaign {row.provider_id} is still a draft; starting it")
        else:
            ledger.finish(row.id, "failed", error=f"campaign {row.provider_id} failed at {provider.name}")
        settled += 1
    return settled


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


def campaign_stats(ledger: Ledger, provider: Provider, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
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
    for key in keys:
        for row in ledger.deliveries(key, provider.channel(), statuses=("sent",)):
            if row.target != CAMPAIGN or not row.provider_id:
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
