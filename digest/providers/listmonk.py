"""listmonk (self-hosted): one campaign per edition, started by setting its status.

API: https://listmonk.app/docs/apis/campaigns/. ``DIGEST_LISTMONK_BASE_URL`` is the
API root (the listmonk address followed by ``/api``).
"""

from __future__ import annotations

from digest.providers.base import Campaign
from digest.providers.http import CampaignProvider

SENT = {"scheduled", "running", "paused", "finished"}


class ListmonkProvider(CampaignProvider):
    name = "listmonk"
    key_setting = "DIGEST_LISTMONK_API_KEY"
    unsubscribe_tag = "{{ UnsubscribeURL }}"
    manage_tag = "{{ ManageURL }}"

    def base_url(self) -> str:
        return str(self.settings.listmonk_base_url)

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {}, (str(self.settings.listmonk_username), str(self.settings.listmonk_api_key))

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        body = {
            "name": f"digest {campaign.edition_key}",
            "subject": campaign.subject,
            "lists": [int(i) for i in self.settings.listmonk_list_ids],
            "type": "regular",
            "content_type": "html",
            "body": self.html_body(campaign),
            "altbody": self.text_body(campaign),
            "tags": ["digest", idem_key[:16]],
        }
        return str(self.request("POST", "/campaigns", json=body).json()["data"]["id"])

    def campaign_state(self, campaign_id: str) -> str:
        status = str(self.request("GET", f"/campaigns/{campaign_id}").json()["data"].get("status", ""))
        if status == "draft":
            return "draft"
        return "sent" if status in SENT else "failed"

    def start(self, campaign_id: str, idem_key: str) -> None:
        self.request("PUT", f"/campaigns/{campaign_id}/status", json={"status": "running"})

    def test_draft(self, campaign_id: str, address: str) -> None:
        self.request("POST", f"/campaigns/{campaign_id}/test", json={"subscribers": [address]})
