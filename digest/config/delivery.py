"""Settings of the delivery side that every provider shares: retries, timeouts, unsubscribes.

Each provider declares its own keys in its module (``digest/providers/<name>.py``),
built with the helpers below: every HTTP provider has ``DIGEST_<PROVIDER>_API_KEY``
and ``DIGEST_<PROVIDER>_BASE_URL`` (the API root: EU regions, self-hosting and tests
point it elsewhere). A missing key of the *chosen* provider is a ConfigError naming
it; the others may stay empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.attempts import MAX_ATTEMPTS, MAX_WAIT, RetryPolicy
from digest.config.base import (
    MAX_INT,
    int_range,
    parse_bool,
    parse_float,
    parse_list,
    parse_positive_int,
    setting,
    url,
)
from digest.config.schedule import duration, parse_wait
from digest.config.web_values import link_base
from digest.pacing import Caps


def parse_unsubscribe_url(raw: str) -> str:
    value = link_base(raw)
    if "{token}" not in value:
        raise ValueError(
            f"{raw!r} has no {{token}} placeholder; use e.g. https://example.org/unsubscribe?token={{token}}"
        )
    return value


def provider_key(env: str, help: str, example: str = "", secret: bool = False) -> str:
    """A provider's text key (empty by default), for the settings class of its module."""
    return setting(env, "", help, secret=secret, example=example or None, section="Delivery")


def provider_base_url(env: str, provider: str, default: str, example: str = "") -> str:
    """A provider's ``DIGEST_<NAME>_BASE_URL``: the API root, changed for regions, self-hosting, tests."""
    return setting(
        env,
        default,
        f"API root of {provider}; change it for an EU region, self-hosting or tests.",
        parse=url,
        example=example or None,
        section="Delivery",
    )


def provider_ids(env: str, help: str) -> list[str]:
    """A provider's comma-separated list ids."""
    return setting(env, [], help, parse=parse_list, section="Delivery")  # type: ignore[no-any-return]


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
        MAX_ATTEMPTS,
        "Tries per delivery on rate limits, server errors and refused connections before it counts "
        "as failed.",
        parse=parse_positive_int,
        section="Delivery",
    )
    send_max_wait: float = setting(
        "DIGEST_SEND_MAX_WAIT",
        MAX_WAIT,
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
    send_max_per_hour: int = setting(
        "DIGEST_SEND_MAX_PER_HOUR",
        0,
        "Most email messages your provider account may take in any hour (e.g. 100 for a new account "
        "at some providers); a send that reaches it stops and the schedule sends the rest when the "
        "hour allows. 0: no cap.",
        parse=int_range(0, MAX_INT),
        section="Delivery",
    )
    send_max_per_day: int = setting(
        "DIGEST_SEND_MAX_PER_DAY",
        0,
        "Most email messages your provider account may take in any 24 hours; 0: no cap.",
        parse=int_range(0, MAX_INT),
        section="Delivery",
    )
    send_warmup: bool = setting(
        "DIGEST_SEND_WARMUP",
        False,
        "Warm up a new sending domain: at most 200 messages on the first day, then twice the busiest "
        "earlier day (1.5x past 100,000); the schedule sends the rest on later days.",
        parse=parse_bool,
        section="Delivery",
    )

    @property
    def caps(self) -> Caps:
        """The sending caps: DIGEST_SEND_MAX_PER_HOUR, DIGEST_SEND_MAX_PER_DAY, DIGEST_SEND_WARMUP."""
        return Caps(self.send_max_per_hour, self.send_max_per_day, self.send_warmup)

    reconcile_after_text: str = setting(
        "DIGEST_RECONCILE_AFTER",
        "5m",
        "How long after a call's outcome became unknown (a server error or time-out after it left) "
        "digest asks the provider's own records whether it got it (providers that keep records digest "
        "can read: see the providers page): "
        "what it got is marked sent at once; what it never got is sent again once, only after the "
        "provider's settle window (about 30 minutes). Write 5m, 90s or 0s.",
        parse=parse_wait,
        section="Delivery",
    )

    @property
    def reconcile_after(self) -> float:
        """DIGEST_RECONCILE_AFTER in seconds."""
        return duration(self.reconcile_after_text).total_seconds()

    @property
    def retry(self) -> RetryPolicy:
        """The one retry policy of email and social: DIGEST_SEND_MAX_ATTEMPTS, DIGEST_SEND_MAX_WAIT."""
        return RetryPolicy(max_attempts=self.send_max_attempts, max_wait=self.send_max_wait)
