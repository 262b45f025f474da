"""Settings of the checks before a send (the pre-flight's link check) and of the approval of
each edition by email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from digest.config.base import choice, parse_bool, parse_email, parse_float, parse_list, setting
from digest.config.schedule import duration, parse_duration


def parse_seconds(raw: str) -> float:
    value = parse_float(raw)
    if not 0 < value <= 600:
        raise ValueError(f"{raw!r} must be more than 0 and at most 600 seconds")
    return value


def parse_addresses(raw: str) -> list[str]:
    """A comma-separated list of addresses, each checked, each once."""
    return list(dict.fromkeys(parse_email(part) for part in parse_list(raw)))


@dataclass(frozen=True, kw_only=True)
class ReviewSettings:
    link_check: bool = setting(
        "DIGEST_LINK_CHECK",
        True,
        "Check every link of the email and the posts (dead, redirected elsewhere, shortened, http where "
        "https works) in digest preview, the dashboard's preview and the approval email. Findings are "
        "reported, never blocking. false: no link is asked.",
        parse=parse_bool,
        section="Checks",
    )
    link_check_timeout: float = setting(
        "DIGEST_LINK_CHECK_TIMEOUT",
        10.0,
        "Seconds one link may take to answer (redirects included) in the link check.",
        parse=parse_seconds,
        section="Checks",
    )
    link_check_deadline: float = setting(
        "DIGEST_LINK_CHECK_DEADLINE",
        30.0,
        "Seconds the whole link check of an edition may take; links not answered by then are reported "
        "as not checked.",
        parse=parse_seconds,
        section="Checks",
    )
    approval: str = setting(
        "DIGEST_APPROVAL",
        "off",
        "email: every edition waits for an approver's yes. DIGEST_APPROVAL_LEAD before each slot the "
        "scheduler freezes it and emails each of DIGEST_APPROVERS the email, its posts and the "
        "pre-flight report with Approve and Hold links. off: editions go out at their slot.",
        parse=choice("off", "email"),
        section="Approval",
    )
    approvers: list[str] = setting(
        "DIGEST_APPROVERS",
        [],
        "Who approves editions (DIGEST_APPROVAL=email): addresses, separated by commas.",
        parse=parse_addresses,
        example="editor@example.org, director@example.org",
        section="Approval",
    )
    approval_lead_text: str = setting(
        "DIGEST_APPROVAL_LEAD",
        "24h",
        "How long before each slot the edition is frozen and the approval request mailed. "
        "Write 24h, 2d or 90m.",
        parse=parse_duration,
        section="Approval",
    )
    approval_silence: str = setting(
        "DIGEST_APPROVAL_SILENCE",
        "hold",
        "What happens at the slot when nobody answered: hold (nothing is sent; an approval later, within "
        "DIGEST_MAX_LATENESS, still sends it) or send.",
        parse=choice("hold", "send"),
        section="Approval",
    )

    @property
    def approval_lead(self) -> timedelta:
        return duration(self.approval_lead_text)

    def check_approval(self) -> None:
        """DIGEST_APPROVAL=email needs someone to ask."""
        if self.approval != "email":
            return
        from digest.errors import ConfigError

        if not self.approvers:
            raise ConfigError("DIGEST_APPROVERS", "is empty but DIGEST_APPROVAL=email",
                              "list the approvers' addresses, or set DIGEST_APPROVAL=off")
        if not getattr(self, "public_url", ""):
            raise ConfigError("DIGEST_PUBLIC_URL", "is empty but DIGEST_APPROVAL=email needs it for the "
                              "Approve and Hold links", "set it to the address of digest serve")
