"""Settings of `digest serve`: the public address, proxies, the dashboard password; DKIM and DNS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digest.config.base import int_range, parse_path, parse_positive_int, setting
from digest.config.web_values import admin_password, proxy_address, public_address, signup_origins
from digest.dnslookup import parse_dns_server
from digest.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    public_url: str = setting(
        "DIGEST_PUBLIC_URL",
        "",
        "The https address where digest serve is reachable (behind Caddy or nginx): scheme and host "
        "only (http only for this machine). When set, DIGEST_UNSUBSCRIBE_URL defaults to "
        "{DIGEST_PUBLIC_URL}/u/{token} and emails link to the archive.",
        parse=public_address,
        example="https://news.example.org",
        section="Web",
        first_hour=True,
    )
    trusted_proxy: str = setting(
        "DIGEST_TRUSTED_PROXY",
        "",
        "IP address of the reverse proxy in front of digest serve (e.g. 127.0.0.1), whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed (never *). Empty: no proxy headers are trusted.",
        parse=proxy_address,
        example="127.0.0.1",
        section="Web",
    )
    serve_threads: int = setting(
        "DIGEST_SERVE_THREADS",
        8,
        "Requests digest serve handles at once (1 to 64; each holds a database connection).",
        parse=int_range(1, 64),
        section="Web",
    )
    admin_password: str = setting(
        "DIGEST_ADMIN_PASSWORD",
        "",
        "Password of the volunteers' dashboard at /admin (12 characters or more, not a common one); best a "
        "hash printed by "
        "`digest serve --hash-password`. Empty: the dashboard is off.",
        parse=admin_password,
        secret=True,
        section="Web",
        first_hour=True,
    )
    signups_per_ip: int = setting(
        "DIGEST_SIGNUPS_PER_IP",
        10,
        "Most sign-ups digest serve accepts from one IP address per hour (form spam); each address "
        "also gets at most one confirmation email per hour and three in all.",
        parse=parse_positive_int,
        section="Web",
    )
    signup_origins: list[str] = setting(
        "DIGEST_SIGNUP_ORIGINS",
        [],
        "Comma-separated sites whose pages may hold the sign-up form (scheme and host, e.g. "
        "https://example.org): their form posts to /subscribe without our CSRF token. A form on "
        "any other site is refused (403). Empty: only digest serve's own form.",
        parse=signup_origins,
        example="https://example.org,https://www.example.org",
        section="Web",
    )
    webhook_max_mb: int = setting(
        "DIGEST_WEBHOOK_MAX_MB",
        5,
        "Largest provider webhook body digest serve reads, in megabytes (a provider may post thousands "
        "of events in one batch, about 0.5 KB each); a bigger one is refused with 413.",
        parse=int_range(1, 100),
        section="Web",
    )
    dkim_domain: str = setting(
        "DIGEST_DKIM_DOMAIN",
        "",
        "Domain that signs the digest with DKIM (provider smtp only); empty: no signature by digest.",
        example="example.org",
        section="SMTP",
    )
    dkim_selector: str = setting(
        "DIGEST_DKIM_SELECTOR",
        "",
        "DKIM selector: the public key is published at <selector>._domainkey.<domain>.",
        example="digest2026",
        section="SMTP",
    )
    dkim_key_file: Path | None = setting(
        "DIGEST_DKIM_KEY_FILE",
        None,
        "PEM file of the DKIM private key (RSA, 2048 bits) whose public half is published at the selector.",
        parse=parse_path,
        example="/etc/digest/dkim.pem",
        section="SMTP",
    )

    dns_server: str = setting(
        "DIGEST_DNS_SERVER",
        "",
        "DNS server digest doctor asks, as host:port (e.g. 1.1.1.1:53); empty: the system's resolver.",
        parse=parse_dns_server,
        example="1.1.1.1:53",
        section="SMTP",
    )

    @property
    def unsubscribe_template(self) -> str:
        """DIGEST_UNSUBSCRIBE_URL, else the page of digest serve when DIGEST_PUBLIC_URL is set."""
        explicit: str = getattr(self, "unsubscribe_url", "")
        if explicit or not self.public_url:
            return explicit
        return f"{self.public_url}/u/{{token}}"

    @property
    def preferences_template(self) -> str:
        """The preferences page of digest serve for a {token}; empty without DIGEST_PUBLIC_URL
        (then the email has no "Manage preferences" link)."""
        return f"{self.public_url}/preferences/{{token}}" if self.public_url else ""

    def check_web(self) -> None:
        dkim = {"DIGEST_DKIM_DOMAIN": self.dkim_domain, "DIGEST_DKIM_SELECTOR": self.dkim_selector}
        dkim["DIGEST_DKIM_KEY_FILE"] = str(self.dkim_key_file or "")
        given = [k for k, v in dkim.items() if v]
        if given and len(given) < len(dkim):
            missing = next(k for k, v in dkim.items() if not v)
            raise ConfigError(missing, f"is empty but {given[0]} is set", "set all three DKIM keys or none")
        if self.dkim_key_file is not None and not self.dkim_key_file.is_file():
            raise ConfigError(
                "DIGEST_DKIM_KEY_FILE", f"{self.dkim_key_file} does not exist", "fix the path of the PEM file"
            )
