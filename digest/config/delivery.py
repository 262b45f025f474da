"""Settings of the delivery side: provider credentials, SMTP, retries and unsubscribes.

Every HTTP provider has ``DIGEST_<PROVIDER>_API_KEY`` and ``DIGEST_<PROVIDER>_BASE_URL``
(the API root: EU regions, self-hosting and tests point it elsewhere). A missing
credential of the *chosen* provider is a ConfigError naming the key; the others
may stay empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import (
    choice,
    parse_float,
    parse_int,
    parse_list,
    parse_positive_int,
    setting,
    url,
)
from digest.errors import ConfigError


def parse_unsubscribe_url(raw: str) -> str:
    value = url(raw)
    if "{token}" not in value:
        raise ValueError(
            f"{raw!r} has no {{token}} placeholder; use e.g. https://example.org/unsubscribe?token={{token}}"
        )
    return value


def _key(provider: str, what: str, help: str, example: str = "", secret: bool = False) -> str:
    return setting(
        f"DIGEST_{provider.upper()}_{what}",
        "",
        help,
        secret=secret,
        example=example or None,
        section="Delivery",
    )


def _base(provider: str, default: str, example: str = "") -> str:
    return setting(
        f"DIGEST_{provider.upper()}_BASE_URL",
        default,
        f"API root of {provider}; change it for an EU region, self-hosting or tests.",
        parse=url,
        example=example or None,
        section="Delivery",
    )


def _ids(provider: str, help: str) -> list[str]:
    return setting(  # type: ignore[no-any-return]
        f"DIGEST_{provider.upper()}_LIST_IDS", [], help, parse=parse_list, section="Delivery"
    )


# For each provider: the settings it cannot work without (field name, env key, fix).
REQUIRED: dict[str, list[tuple[str, str]]] = {
    "buttondown": [("buttondown_api_key", "copy it from Buttondown: Settings > API")],
    "mailchimp": [
        ("mailchimp_api_key", "create one in Mailchimp: Account > Extras > API keys"),
        ("mailchimp_list_id", "the Audience ID, from Audience > Settings"),
    ],
    "listmonk": [
        ("listmonk_base_url", "the address of your listmonk followed by /api"),
        ("listmonk_username", "an API user from listmonk: Admin > Users"),
        ("listmonk_api_key", "that API user's token"),
        ("listmonk_list_ids", "the numeric ids of the lists to send to, comma-separated"),
    ],
    "brevo": [
        ("brevo_api_key", "create one in Brevo: SMTP & API > API keys"),
        ("brevo_list_ids", "the numeric ids of the contact lists, comma-separated"),
    ],
    "sendgrid": [("sendgrid_api_key", "create one in SendGrid: Settings > API Keys")],
    "sendgrid-campaign": [
        ("sendgrid_api_key", "create one in SendGrid: Settings > API Keys"),
        ("sendgrid_list_ids", "the Marketing list ids, comma-separated"),
        ("sendgrid_sender_id", "the numeric id of a verified sender"),
    ],
    "mailgun": [
        ("mailgun_api_key", "copy it from Mailgun: API Security"),
        ("mailgun_domain", "your sending domain, e.g. mg.example.org"),
    ],
    "postmark": [("postmark_api_key", "the Server API token from Postmark: Servers > API Tokens")],
    "smtp": [("smtp_host", "your mail server's host name, e.g. smtp.example.org")],
}


@dataclass(frozen=True, kw_only=True)
class DeliverySettings:
    secret_key: str = setting(
        "DIGEST_SECRET_KEY",
        "",
        "Key that signs unsubscribe links. Empty: one is generated and kept in the data folder.",
        secret=True,
        section="Delivery",
    )
    unsubscribe_url: str = setting(
        "DIGEST_UNSUBSCRIBE_URL",
        "",
        "One-click unsubscribe address with a {token} placeholder (your website passes the token to "
        "digest subscribers unsubscribe). Empty: {DIGEST_PUBLIC_URL}/u/{token} (the page of digest "
        "serve) when DIGEST_PUBLIC_URL is set, else a mailto link to DIGEST_FROM only.",
        parse=parse_unsubscribe_url,
        example="https://example.org/unsubscribe?token={token}",
        section="Delivery",
    )
    send_max_attempts: int = setting(
        "DIGEST_SEND_MAX_ATTEMPTS",
        5,
        "Tries per delivery on rate limits, server errors and refused connections before it counts "
        "as failed.",
        parse=parse_positive_int,
        section="Delivery",
    )
    send_max_wait: float = setting(
        "DIGEST_SEND_MAX_WAIT",
        300.0,
        "Longest wait in seconds between tries within one run; a longer wait (e.g. a provider's "
        "Retry-After) ends the run and digest send resumes later.",
        parse=parse_float,
        section="Delivery",
    )
    http_timeout: float = setting(
        "DIGEST_HTTP_TIMEOUT",
        30.0,
        "Seconds to wait for a provider's answer. A timeout after sending counts as unknown, never resent.",
        parse=parse_float,
        section="Delivery",
    )
    buttondown_api_key: str = _key(
        "buttondown", "API_KEY", "Buttondown API key (Settings > API).", secret=True
    )
    buttondown_base_url: str = _base("buttondown", "https://api.buttondown.com/v1")
    mailchimp_api_key: str = _key(
        "mailchimp", "API_KEY", "Mailchimp API key (ends in the data centre, e.g. -us21).", secret=True
    )
    mailchimp_base_url: str = setting(
        "DIGEST_MAILCHIMP_BASE_URL",
        "",
        "API root of mailchimp. Empty: https://<dc>.api.mailchimp.com/3.0 from the key's suffix.",
        parse=url,
        section="Delivery",
    )
    mailchimp_list_id: str = _key("mailchimp", "LIST_ID", "Mailchimp Audience ID to send to.")
    listmonk_base_url: str = setting(
        "DIGEST_LISTMONK_BASE_URL",
        "",
        "API root of your listmonk (its address followed by /api).",
        parse=url,
        example="https://lists.example.org/api",
        section="Delivery",
    )
    listmonk_username: str = _key("listmonk", "USERNAME", "listmonk API user name (Admin > Users).")
    listmonk_api_key: str = _key("listmonk", "API_KEY", "listmonk API user's token.", secret=True)
    listmonk_list_ids: list[str] = _ids("listmonk", "listmonk list ids to send to.")
    brevo_api_key: str = _key("brevo", "API_KEY", "Brevo API key (SMTP & API > API keys).", secret=True)
    brevo_base_url: str = _base("brevo", "https://api.brevo.com/v3")
    brevo_list_ids: list[str] = _ids("brevo", "Brevo contact list ids to send to.")
    sendgrid_api_key: str = _key(
        "sendgrid", "API_KEY", "SendGrid API key (Settings > API Keys).", secret=True
    )
    sendgrid_base_url: str = _base("sendgrid", "https://api.sendgrid.com")
    sendgrid_list_ids: list[str] = _ids(
        "sendgrid", "SendGrid Marketing list ids (provider sendgrid-campaign)."
    )
    sendgrid_sender_id: str = _key(
        "sendgrid", "SENDER_ID", "SendGrid verified sender id (sendgrid-campaign)."
    )
    sendgrid_unsubscribe_group: int = setting(
        "DIGEST_SENDGRID_UNSUBSCRIBE_GROUP",
        0,
        "SendGrid unsubscribe group id; 0: sendgrid-campaign uses DIGEST_UNSUBSCRIBE_URL instead.",
        parse=parse_int,
        section="Delivery",
    )
    mailgun_api_key: str = _key("mailgun", "API_KEY", "Mailgun API key (API Security).", secret=True)
    mailgun_base_url: str = _base("mailgun", "https://api.mailgun.net/v3", "https://api.eu.mailgun.net/v3")
    mailgun_domain: str = _key("mailgun", "DOMAIN", "Mailgun sending domain.", example="mg.example.org")
    postmark_api_key: str = _key("postmark", "API_KEY", "Postmark Server API token.", secret=True)
    postmark_base_url: str = _base("postmark", "https://api.postmarkapp.com")
    postmark_stream: str = setting(
        "DIGEST_POSTMARK_STREAM",
        "broadcast",
        "Postmark message stream; newsletters must use a Broadcast stream.",
        section="Delivery",
    )

    def check_delivery(self) -> None:
        provider = getattr(self, "provider", "outbox")
        for name, fix in REQUIRED.get(provider, []):
            if not getattr(self, name):
                problem = f"is required for DIGEST_PROVIDER={provider}"
                raise ConfigError(f"DIGEST_{name.upper()}", problem, fix)
        if provider == "mailchimp" and not self.mailchimp_base_url and "-" not in self.mailchimp_api_key:
            raise ConfigError(
                "DIGEST_MAILCHIMP_API_KEY",
                "does not end in a data centre such as -us21",
                "copy the whole key, or set DIGEST_MAILCHIMP_BASE_URL",
            )


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    smtp_host: str = setting(
        "DIGEST_SMTP_HOST", "", "SMTP server host name.", example="smtp.example.org", section="SMTP"
    )
    smtp_port: int = setting(
        "DIGEST_SMTP_PORT", 587, "SMTP port: 587 for starttls, 465 for tls.", parse=parse_int, section="SMTP"
    )
    smtp_security: str = setting(
        "DIGEST_SMTP_SECURITY",
        "starttls",
        "How to encrypt: starttls, tls (implicit, port 465) or none (only for a server on this machine).",
        parse=choice("starttls", "tls", "none"),
        section="SMTP",
    )
    smtp_username: str = setting("DIGEST_SMTP_USERNAME", "", "SMTP login; empty: no login.", section="SMTP")
    smtp_password: str = setting(
        "DIGEST_SMTP_PASSWORD",
        "",
        "Password of DIGEST_SMTP_USERNAME on the SMTP server.",
        secret=True,
        section="SMTP",
    )
    smtp_connections: int = setting(
        "DIGEST_SMTP_CONNECTIONS",
        2,
        "Parallel connections to the SMTP server; each is reused for many messages.",
        parse=parse_positive_int,
        section="SMTP",
    )
    smtp_rate: float = setting(
        "DIGEST_SMTP_RATE",
        0.0,
        "Most messages per second over all connections (your provider's limit); 0: no limit.",
        parse=parse_float,
        section="SMTP",
    )
    smtp_timeout: float = setting(
        "DIGEST_SMTP_TIMEOUT", 30.0, "Seconds to wait for the SMTP server.", parse=parse_float, section="SMTP"
    )
    smtp_ca_file: str = setting(
        "DIGEST_SMTP_CA_FILE",
        "",
        "Certificate authority file to trust for a server with its own certificate; empty: the system's.",
        section="SMTP",
    )

    def check_smtp(self) -> None:
        if self.smtp_username and not self.smtp_password:
            raise ConfigError(
                "DIGEST_SMTP_PASSWORD", "is empty but DIGEST_SMTP_USERNAME is set", "set both or neither"
            )
