"""Brevo email campaigns: create, then send now.

Brevo's idempotency key exists only for its transactional ``/smtp/email`` API, so
a campaign is guarded by the ledger and by reading its status before a resend.
Rate limits come with ``x-sib-ratelimit-reset`` (seconds).
API: https://developers.brevo.com/reference/createemailcampaign, /sendemailcampaignnow; after the
send, GET /emailCampaigns/{id}?statistics=globalStats (sent, delivered, hardBounces, softBounces).

The webhook (``/webhooks/brevo``): Brevo signs nothing, so the webhook carries a long random
secret as its bearer token (or the basic-auth password of its address). Its events have no id:
message id, event and time (``ts_epoch``, milliseconds UTC, the only reliable clock in the
payload) make one, so a retry is stored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from digest.config.base import setting
from digest.config.delivery import provider_base_url, provider_ids, provider_key
from digest.providers.base import Campaign, CampaignStats
from digest.providers.http import CampaignProvider, parse_retry_after
from digest.providers.webhook import (
    MailEvent,
    SecretWebhook,
    epoch_time,
    is_address,
    made_up_secret,
    short_hash,
)

if TYPE_CHECKING:
    import requests

@dataclass(frozen=True, kw_only=True)
class BrevoSettings:
    api_key: str = provider_key("DIGEST_BREVO_API_KEY", "Brevo API key (SMTP & API > API keys).", secret=True)
    base_url: str = provider_base_url("DIGEST_BREVO_BASE_URL", "brevo", "https://api.brevo.com/v3")
    list_ids: list[str] = provider_ids("DIGEST_BREVO_LIST_IDS", "Brevo contact list ids to send to.")
    webhook_key: str = setting(
        "DIGEST_BREVO_WEBHOOK_KEY",
        "",
        "A long random token for Brevo's webhook (Brevo signs nothing; 24 or more letters, digits, - or _): "
        "its bearer token, or the basic-auth password, of .../webhooks/brevo. Empty: that address is off.",
        parse=made_up_secret,
        secret=True,
        section="Web",
    )


class BrevoProvider(CampaignProvider):
    name = "brevo"
    settings_class = BrevoSettings
    required = {
        "api_key": "create one in Brevo: SMTP & API > API keys",
        "list_ids": "the numeric ids of the contact lists, comma-separated",
    }
    options: BrevoSettings
    key_setting = "DIGEST_BREVO_API_KEY"
    unsubscribe_tag = "{{ unsubscribe }}"
    manage_tag = "{{ update_profile }}"
    sent_statuses = frozenset({"sent", "queued", "in_process", "archive"})

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {"api-key": self.options.api_key}, None

    def retry_hint(self, response: requests.Response) -> float | None:
        reset = parse_retry_after(response.headers.get("x-sib-ratelimit-reset"))
        return reset if reset is not None else super().retry_hint(response)

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        name, address = parseaddr(self.shared.sender)
        body = {
            "name": f"digest {campaign.edition_key}",
            "subject": campaign.subject,
            "sender": {"name": name or self.shared.org_name, "email": address},
            "htmlContent": self.html_body(campaign),
            "recipients": {"listIds": [int(i) for i in self.options.list_ids]},
        }
        return self.create("/emailCampaigns", body, "id")

    def campaign_state(self, campaign_id: str) -> str:
        return self.state_of(self.answer(self.request("GET", f"/emailCampaigns/{campaign_id}")).get("status"))

    def campaign_stats(self, campaign_id: str) -> CampaignStats:
        answer = self.answer(self.request("GET", f"/emailCampaigns/{campaign_id}?statistics=globalStats"))
        stats = ("statistics", "globalStats")
        return CampaignStats(
            sent=self.count(answer, *stats, "sent"),
            bounced=self.count(answer, *stats, "hardBounces") + self.count(answer, *stats, "softBounces"),
            delivered=self.count(answer, *stats, "delivered"),
        )

    def start(self, campaign_id: str, idem_key: str) -> None:
        self.request("POST", f"/emailCampaigns/{campaign_id}/sendNow")

    def test_draft(self, campaign_id: str, address: str) -> None:
        self.request("POST", f"/emailCampaigns/{campaign_id}/sendTest", json={"emailTo": [address]})


KINDS = {
    "delivered": "delivered",
    "hard_bounce": "bounced",
    "soft_bounce": "bounced",
    "spam": "complained",
    "complaint": "complained",
    "unsubscribe": "unsubscribed",
    "unsubscribed": "unsubscribed",  # both spellings: which one Brevo sends is not documented
    "blocked": "rejected",
    "invalid_email": "rejected",
    "deferred": "deferred",
}


class BrevoWebhook(SecretWebhook):
    name = "brevo"
    settings_class = BrevoSettings

    def event(self, item: dict[str, Any]) -> MailEvent | None:
        name = str(item.get("event", ""))
        if not is_address(item.get("email")):
            return None
        message_id = str(item.get("message-id", ""))
        stamp = item.get("ts_epoch")
        return MailEvent(
            event_id=f"brevo:{short_hash(message_id, name, item['email'], stamp)}",
            provider="brevo",
            kind=KINDS.get(name, "other"),
            hard=name == "hard_bounce",
            recipient=item["email"],
            message_id=message_id,
            at=epoch_time(stamp, millis=True),
            detail=str(item.get("reason", "")),
            send_id=str(item.get("camp_id") or ""),  # a campaign's events name it, as its ledger row does
        )
