"""Settings of the checks before a send (the pre-flight's link check)."""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import parse_bool, parse_float, setting


def parse_seconds(raw: str) -> float:
    value = parse_float(raw)
    if not 0 < value <= 600:
        raise ValueError(f"{raw!r} must be more than 0 and at most 600 seconds")
    return value


@dataclass(frozen=True, kw_only=True)
class ReviewSettings:
    link_check: bool = setting(
        "DIGEST_LINK_CHECK",
        True,
        "Check every link of the email and the posts (dead, redirected elsewhere, shortened, http where "
        "https works) in digest preview and the dashboard's preview. Findings are reported, "
        "never blocking. false: no link is asked.",
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
