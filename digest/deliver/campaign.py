"""Campaign providers under the ledger: record the campaign id, then start it; reconcile first.

The one delivery row of a campaign keeps the provider's campaign id as soon as
the draft exists. Before anything is started again, the provider's own status
decides: already sent (or sending, or scheduled) -> sent, still a draft -> go on.
"""

from __future__ import annotations

from digest.errors import ProviderError
from digest.providers.base import Campaign, SendResult
from digest.providers.http import CampaignProvider
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
