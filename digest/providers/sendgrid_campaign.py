"""SendGrid Marketing Single Sends: the campaign kind of SendGrid (DIGEST_PROVIDER=sendgrid-campaign).

Create the single send (a draft), then schedule it for ``now``; its status tells a
resumed run whether it already went. A test copy goes through mail/send.
API: https://www.twilio.com/docs/sendgrid/api-reference/single-sends; after the send, GET
/v3/marketing/stats/singlesends/{id} (results[].stats: requests, delivered, bounces).
"""

from __future__ import annotations

from digest.errors import ProviderError
from digest.providers.base import Campaign, CampaignStats, Content, Outgoing
from digest.providers.http import CampaignProvider
from digest.providers.sendgrid import SendGridAuth, SendGridProvider
from digest.types import Recipient


class SendGridCampaignProvider(SendGridAuth, CampaignProvider):
    name = "sendgrid-campaign"
    required = {
        **SendGridAuth.required,
        "list_ids": "the Marketing list ids, comma-separated",
        "sender_id": "the numeric id of a verified sender",
    }
    unsubscribe_tag = "{{{unsubscribe}}}"
    manage_tag = "{{{unsubscribe_preferences}}}"
    sent_statuses = frozenset({"scheduled", "triggered"})

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        config: dict[str, object] = {
            "subject": campaign.subject,
            "html_content": self.html_body(campaign),
            "plain_content": self.text_body(campaign),
            "sender_id": int(self.options.sender_id),
        }
        if self.options.unsubscribe_group:
            config["suppression_group_id"] = self.options.unsubscribe_group
        else:
            config["custom_unsubscribe_url"] = self.shared.unsubscribe_page
        body = {
            "name": f"digest {campaign.edition_key}",
            "send_to": {"list_ids": list(self.options.list_ids)},
            "email_config": config,
        }
        return self.create("/v3/marketing/singlesends", body, "id")

    def campaign_state(self, campaign_id: str) -> str:
        answer = self.answer(self.request("GET", f"/v3/marketing/singlesends/{campaign_id}"))
        return self.state_of(answer.get("status"))

    def campaign_stats(self, campaign_id: str) -> CampaignStats:
        answer = self.answer(self.request("GET", f"/v3/marketing/stats/singlesends/{campaign_id}"))
        # One row per A/B variation and phase ("all" when not grouped); none before any stats exist.
        rows = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise ProviderError(self.name, "its statistics have no results", retryable=True)
        return CampaignStats(
            sent=sum(self.count(r, "stats", "requests") for r in rows),
            bounced=sum(self.count(r, "stats", "bounces") for r in rows),
            delivered=sum(self.count(r, "stats", "delivered") for r in rows),
        )

    def start(self, campaign_id: str, idem_key: str) -> None:
        self.request("PUT", f"/v3/marketing/singlesends/{campaign_id}/schedule", json={"send_at": "now"})

    def test_draft(self, campaign_id: str, address: str) -> None:
        raise NotImplementedError("send_test goes through mail/send")

    def send_test(self, campaign: Campaign, address: str, idem_key: str):  # type: ignore[no-untyped-def]
        from datetime import UTC, datetime

        mail = SendGridProvider(self.options, self.shared)
        try:
            content = Content(
                campaign.edition_key,
                campaign.subject,
                campaign.html,
                campaign.text,
                self.shared.sender,
                datetime.now(UTC),
            )
            return mail.send_batch([Outgoing(campaign.edition_key, Recipient(address), content)], idem_key)
        finally:
            mail.close()
