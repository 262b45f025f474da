"""Buttondown: one email per edition, created as a draft and then published.

A plain ``POST /emails`` defaults to sending at once, so the draft status is
always given; ``X-Idempotency-Key`` makes a repeated create or publish harmless.
API: https://docs.buttondown.com/api-emails-create, /api-emails-publish, /api-idempotency-keys;
after the send, GET /emails/{id}/analytics (recipients, deliveries, permanent_failures).
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.delivery import provider_base_url, provider_key
from digest.providers.base import Campaign, CampaignStats
from digest.providers.http import CampaignProvider

# Buttondown decides between Markdown and HTML itself; this comment forces HTML.
HTML_MODE = "<!-- buttondown-editor-mode: fancy -->\n"


@dataclass(frozen=True, kw_only=True)
class ButtondownSettings:
    api_key: str = provider_key(
        "DIGEST_BUTTONDOWN_API_KEY", "Buttondown API key (Settings > API).", secret=True
    )
    base_url: str = provider_base_url(
        "DIGEST_BUTTONDOWN_BASE_URL", "buttondown", "https://api.buttondown.com/v1"
    )


class ButtondownProvider(CampaignProvider):
    name = "buttondown"
    settings_class = ButtondownSettings
    required = {"api_key": "copy it from Buttondown: Settings > API"}
    options: ButtondownSettings
    key_setting = "DIGEST_BUTTONDOWN_API_KEY"
    idempotent = True
    unsubscribe_tag = "{{ unsubscribe_url }}"
    sent_statuses = frozenset({"scheduled", "about_to_send", "in_flight", "throttled", "sent", "imported"})

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {"Authorization": f"Token {self.options.api_key}"}, None

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        body = {"subject": campaign.subject, "body": HTML_MODE + self.html_body(campaign), "status": "draft"}
        response = self.request(
            "POST",
            "/emails",
            json=body,
            headers={"X-Idempotency-Key": f"{idem_key}-create"},
            safe_to_repeat=True,
        )
        return str(self.answer(response, "id"))

    def campaign_state(self, campaign_id: str) -> str:
        return self.state_of(self.answer(self.request("GET", f"/emails/{campaign_id}")).get("status"))

    def campaign_stats(self, campaign_id: str) -> CampaignStats:
        data = self.answer(self.request("GET", f"/emails/{campaign_id}/analytics"))
        # Temporary failures are retried by Buttondown; only permanent ones are bounces.
        return CampaignStats(
            sent=self.count(data, "recipients"),
            bounced=self.count(data, "permanent_failures"),
            delivered=self.count(data, "deliveries"),
        )

    def start(self, campaign_id: str, idem_key: str) -> None:
        self.request(
            "POST",
            f"/emails/{campaign_id}/publish",
            json={},
            headers={"X-Idempotency-Key": f"{idem_key}-publish"},
            safe_to_repeat=True,
        )

    def test_draft(self, campaign_id: str, address: str) -> None:
        self.request("POST", f"/emails/{campaign_id}/send-draft", json={"recipients": [address]})
