"""listmonk (self-hosted): one campaign per edition, started by setting its status.

API: https://listmonk.app/docs/apis/campaigns/. ``DIGEST_LISTMONK_BASE_URL`` is the
API root (the listmonk address followed by ``/api``). After the send, the campaign's ``sent`` and
the ``total`` of GET /bounces?campaign_id= (https://listmonk.app/docs/apis/bounces/) are its counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import setting, url
from digest.config.delivery import provider_ids, provider_key
from digest.providers.base import Campaign, CampaignStats
from digest.providers.http import CampaignProvider


@dataclass(frozen=True, kw_only=True)
class ListmonkSettings:
    base_url: str = setting(
        "DIGEST_LISTMONK_BASE_URL",
        "",
        "API root of your listmonk (its address followed by /api).",
        parse=url,
        example="https://lists.example.org/api",
        section="Delivery",
    )
    username: str = provider_key("DIGEST_LISTMONK_USERNAME", "listmonk API user name (Admin > Users).")
    api_key: str = provider_key("DIGEST_LISTMONK_API_KEY", "listmonk API user's token.", secret=True)
    list_ids: list[str] = provider_ids("DIGEST_LISTMONK_LIST_IDS", "listmonk list ids to send to.")


class ListmonkProvider(CampaignProvider):
    name = "listmonk"
    settings_class = ListmonkSettings
    required = {
        "base_url": "the address of your listmonk followed by /api",
        "username": "an API user from listmonk: Admin > Users",
        "api_key": "that API user's token",
        "list_ids": "the numeric ids of the lists to send to, comma-separated",
    }
    options: ListmonkSettings
    key_setting = "DIGEST_LISTMONK_API_KEY"
    unsubscribe_tag = "{{ UnsubscribeURL }}"
    manage_tag = "{{ ManageURL }}"
    sent_statuses = frozenset({"scheduled", "running", "paused", "finished"})

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {}, (self.options.username, self.options.api_key)

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        body = {
            "name": f"digest {campaign.edition_key}",
            "subject": campaign.subject,
            "lists": [int(i) for i in self.options.list_ids],
            "type": "regular",
            "content_type": "html",
            "body": self.html_body(campaign),
            "altbody": self.text_body(campaign),
            "tags": ["digest", idem_key[:16]],
        }
        return self.create("/campaigns", body, "data", "id")

    def campaign_state(self, campaign_id: str) -> str:
        answer = self.answer(self.request("GET", f"/campaigns/{campaign_id}"), "data")
        return self.state_of(answer.get("status"))

    def campaign_stats(self, campaign_id: str) -> CampaignStats:
        sent = self.count(self.answer(self.request("GET", f"/campaigns/{campaign_id}")), "data", "sent")
        # One bounce per page is enough: the answer carries the total.
        query = f"/bounces?campaign_id={int(campaign_id)}&per_page=1"
        bounced = self.count(self.answer(self.request("GET", query)), "data", "total")
        return CampaignStats(sent=sent, bounced=bounced)

    def start(self, campaign_id: str, idem_key: str) -> None:
        self.request("PUT", f"/campaigns/{campaign_id}/status", json={"status": "running"})

    def test_draft(self, campaign_id: str, address: str) -> None:
        self.request("POST", f"/campaigns/{campaign_id}/test", json={"subscribers": [address]})
