"""Settings for social posts: which platforms, approval, hashtags. Each platform declares
its own keys in its module (``digest/social/platforms/<name>.py``).

DIGEST_SOCIAL_SCHEDULE (when posts go out) is declared with the other schedule settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import parse_bool, parse_float, parse_list, parse_names, setting


def parse_aliases(raw: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in parse_list(raw):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{item!r} is not of the form phrase=Hashtag")
        pairs[key.strip()] = value.strip()
    return pairs


def platform_key(env: str, help: str, *, secret: bool = True, example: str | None = None) -> str:
    """A platform's text key (empty by default, secret unless said otherwise), for its module."""
    return setting(env, "", help, secret=secret, example=example, section="Social")


@dataclass(frozen=True, kw_only=True)
class SocialSettings:
    social_platforms: list[str] = setting(
        "DIGEST_SOCIAL_PLATFORMS",
        [],
        "Comma-separated platforms that get one post per article; each needs its own keys "
        "(DIGEST_<PLATFORM>_...). Empty: no social posts.",
        parse=parse_names,  # each one of the platform modules' names, passed in by the caller (Plugins)
        section="Social",
        first_hour=True,
    )
    social_approval: bool = setting(
        "DIGEST_SOCIAL_APPROVAL",
        True,
        "Posts wait for `digest social approve` before they are published. false: `digest send` "
        "and the scheduler publish them.",
        parse=parse_bool,
        section="Social",
        first_hour=True,
    )
    hashtags: list[str] = setting(
        "DIGEST_HASHTAGS",
        [],
        "Your own hashtags (without #), used when an article matches them or to fill up; "
        "each platform takes only a few.",
        parse=parse_list,
        example="NorthKorea,HumanRights,Refugees",
        section="Social",
        first_hour=True,
    )
    hashtag_aliases: dict[str, str] = setting(
        "DIGEST_HASHTAG_ALIASES",
        {},
        "Key phrases to rewrite before they become hashtags, as phrase=Hashtag pairs.",
        parse=parse_aliases,
        example="DPRK=North Korea,탈북민=NorthKoreanRefugees",
        section="Social",
    )
    social_timeout: float = setting(
        "DIGEST_SOCIAL_TIMEOUT",
        20.0,
        "Seconds to wait for a social platform to answer; after that the outcome is unknown and "
        "digest looks for the post before trying again.",
        parse=parse_float,
        section="Social",
    )
