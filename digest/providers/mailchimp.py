"""Mailchimp Marketing API: create a regular campaign, set its content, send it.

No idempotency keys; a campaign can be sent once, and its id is kept in the
ledger before the send, so a resumed run reads the campaign's status first.
API: https://mailchimp.com/developer/marketing/api/campaigns/; after the send, GET /reports/{id}
(emails_sent, bounces.hard_bounces/soft_bounces/syntax_errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from digest.config import Settings
from digest.config.base import setting, url
from digest.config.delivery import provider_key
from digest.errors import ConfigError
from digest.providers.base import Campaign, CampaignStats
from digest.providers.http import CampaignProvider


@dataclass(frozen=True, kw_only=True)
class MailchimpSettings:
    api_key: str = provider_key(
        "DIGEST_MAILCHIMP_API_KEY", "Mailchimp API key (ends in the data centre, e.g. -us21).", secret=True
    )
    base_url: str = setting(
        "DIGEST_MAILCHIMP_BASE_URL",
        "",
        "API root of mailchimp. Empty: https://<dc>.api.mailchimp.com/3.0 from the key's suffix.",
        parse=url,
        section="Delivery",
    )
    list_id: str = provider_key("DIGEST_MAILCHIMP_LIST_ID", "Mailchimp Audience ID to send to.")


class MailchimpProvider(CampaignProvider):
    name = "mailchimp"
    settings_class = MailchimpSettings
    required = {
        "api_key": "create one in Mailchimp: Account > Extras > API keys",
        "list_id": "the Audience ID, from Audience > Settings",
    }
    options: MailchimpSettings
    key_setting = "DIGEST_MAILCHIMP_API_KEY"
    unsubscribe_tag = "*|UNSUB|*"
    manage_tag = "*|UPDATE_PROFILE|*"
    draft_statuses = frozenset({"save"})
    sent_statuses = frozenset({"sending", "sent", "schedule", "paused"})

    @classmethod
    def check_settings(cls, settings: Settings) -> None:
        super().check_settings(settings)
        options = settings.options(MailchimpSettings)
        if not options.base_url and "-" not in options.api_key:
            raise ConfigError(
                "DIGEST_MAILCHIMP_API_KEY",
                "does not end in a data centre such as -us21",
                "copy the whole key, or set DIGEST_MAILCHIMP_BASE_URL",
            )

    def base_url(self) -> str:
        if self.options.base_url:
            return self.options.base_url
        dc = self.options.api_key.rsplit("-", 1)[-1]
        return f"https://{dc}.api.mailchimp.com/3.0"

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        # Mailchimp takes any user name with the key as the password.
        return {}, ("digest", self.options.api_key)

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        name, address = parseaddr(self.shared.sender)
        body = {
            "type": "regular",
            "recipients": {"list_id": self.options.list_id},
            "settings": {
                "subject_line": campaign.subject,
                "title": f"digest {campaign.edition_key}",
                "from_name": name or self.shared.org_name,
                "reply_to": address,
            },
        }
        campaign_id = self.create("/campaigns", body, "id")
        content = {"html": self.html_body(campaign), "plain_text": self.text_body(campaign)}
        self.request("PUT", f"/campaigns/{campaign_id}/content", json=content, safe_to_repeat=True)
        return campaign_id

    def campaign_state(self, campaign_id: str) -> str:
        return self.state_of(self.answer(self.request("GET", f"/campaigns/{campaign_id}")).get("status"))

    def campaign_stats(self, campaign_id: str) -> CampaignStats:
        report = self.answer(self.request("GET", f"/reports/{campaign_id}"))
        kinds = ("hard_bounces", "soft_bounces", "syntax_errors")
        return CampaignStats(
            sent=self.count(report, "emails_sent"),
            bounced=sum(self.count(report, "bounces", kind) for kind in kinds),
        )

    def start(self, campaign_id: str, idem_key: str) -> None:
        self.request("POST", f"/campaigns/{campaign_id}/actions/send")

    def test_draft(self, campaign_id: str, address: str) -> None:
        body = {"test_emails": [address], "send_type": "html"}
        self.request("POST", f"/campaigns/{campaign_id}/actions/test", json=body)
