"""Settings for social posts: which platforms, approval, hashtags and each platform's keys.

DIGEST_SOCIAL_SCHEDULE (when posts go out) is declared with the other schedule settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import parse_bool, parse_float, parse_list, parse_positive_int, setting, url

SOCIAL_PLATFORMS = ("x", "bluesky", "mastodon", "threads", "linkedin", "facebook")

# What each platform needs before it can publish: (settings field, .env key).
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "mastodon": (
        ("mastodon_base_url", "DIGEST_MASTODON_BASE_URL"),
        ("mastodon_token", "DIGEST_MASTODON_TOKEN"),
    ),
    "bluesky": (
        ("bluesky_handle", "DIGEST_BLUESKY_HANDLE"),
        ("bluesky_app_password", "DIGEST_BLUESKY_APP_PASSWORD"),
    ),
    "x": (
        ("x_api_key", "DIGEST_X_API_KEY"),
        ("x_api_secret", "DIGEST_X_API_SECRET"),
        ("x_access_token", "DIGEST_X_ACCESS_TOKEN"),
        ("x_access_secret", "DIGEST_X_ACCESS_SECRET"),
    ),
    "linkedin": (("linkedin_token", "DIGEST_LINKEDIN_TOKEN"), ("linkedin_author", "DIGEST_LINKEDIN_AUTHOR")),
    "facebook": (
        ("facebook_page_id", "DIGEST_FACEBOOK_PAGE_ID"),
        ("facebook_page_token", "DIGEST_FACEBOOK_PAGE_TOKEN"),
    ),
    "threads": (("threads_token", "DIGEST_THREADS_TOKEN"),),
}


def parse_platforms(raw: str) -> list[str]:
    names = [n.lower() for n in parse_list(raw)]
    for name in names:
        if name not in SOCIAL_PLATFORMS:
            raise ValueError(f"{name!r} is not one of: {', '.join(SOCIAL_PLATFORMS)}")
    return list(dict.fromkeys(names))


def parse_aliases(raw: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in parse_list(raw):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{item!r} is not of the form phrase=Hashtag")
        pairs[key.strip()] = value.strip()
    return pairs


def _key(env: str, help: str, *, secret: bool = True, example: str | None = None) -> str:
    return setting(env, "", help, secret=secret, example=example, section="Social")


@dataclass(frozen=True, kw_only=True)
class SocialSettings:
    social_platforms: list[str] = setting(
        "DIGEST_SOCIAL_PLATFORMS",
        [],
        "Comma-separated platforms that get one post per article: x, bluesky, mastodon, threads, "
        "linkedin, facebook. Empty: no social posts.",
        parse=parse_platforms,
        example="mastodon,bluesky",
        section="Social",
    )
    social_approval: bool = setting(
        "DIGEST_SOCIAL_APPROVAL",
        True,
        "Posts wait for `digest social approve` before they are published. false: `digest send` "
        "and the scheduler publish them.",
        parse=parse_bool,
        section="Social",
    )
    hashtags: list[str] = setting(
        "DIGEST_HASHTAGS",
        [],
        "Your own hashtags (without #), used when an article matches them or to fill up; "
        "each platform takes only a few.",
        parse=parse_list,
        example="NorthKorea,HumanRights,Refugees",
        section="Social",
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
    mastodon_base_url: str = setting(
        "DIGEST_MASTODON_BASE_URL",
        "",
        "Address of your Mastodon server.",
        parse=url,
        example="https://mastodon.social",
        section="Social",
    )
    mastodon_token: str = _key(
        "DIGEST_MASTODON_TOKEN",
        "Mastodon access token with write:statuses (Preferences > Development > New application).",
    )
    mastodon_max_characters: int = setting(
        "DIGEST_MASTODON_MAX_CHARACTERS",
        500,
        "Your Mastodon server's post limit (500 on most servers).",
        parse=parse_positive_int,
        section="Social",
    )
    bluesky_base_url: str = setting(
        "DIGEST_BLUESKY_BASE_URL",
        "https://bsky.social",
        "Bluesky server (PDS) of your account.",
        parse=url,
        section="Social",
    )
    bluesky_handle: str = _key(
        "DIGEST_BLUESKY_HANDLE",
        "Bluesky handle of the account that posts.",
        secret=False,
        example="ourorg.bsky.social",
    )
    bluesky_app_password: str = _key(
        "DIGEST_BLUESKY_APP_PASSWORD",
        "Bluesky app password (Settings > Privacy and security > App passwords).",
    )
    x_base_url: str = setting(
        "DIGEST_X_BASE_URL", "https://api.x.com", "Address of the X API.", parse=url, section="Social"
    )
    x_api_key: str = _key("DIGEST_X_API_KEY", "X app's API key (consumer key), OAuth 1.0a.")
    x_api_secret: str = _key("DIGEST_X_API_SECRET", "X app's API key secret (consumer secret).")
    x_access_token: str = _key("DIGEST_X_ACCESS_TOKEN", "X access token of the account that posts.")
    x_access_secret: str = _key("DIGEST_X_ACCESS_SECRET", "X access token secret.")
    linkedin_base_url: str = setting(
        "DIGEST_LINKEDIN_BASE_URL",
        "https://api.linkedin.com",
        "Address of the LinkedIn API.",
        parse=url,
        section="Social",
    )
    linkedin_token: str = _key(
        "DIGEST_LINKEDIN_TOKEN", "LinkedIn access token (w_organization_social); it expires after 60 days."
    )
    linkedin_author: str = _key(
        "DIGEST_LINKEDIN_AUTHOR",
        "The page or person that posts on LinkedIn.",
        secret=False,
        example="urn:li:organization:12345",
    )
    linkedin_version: str = setting(
        "DIGEST_LINKEDIN_VERSION",
        "202510",
        "LinkedIn API version (YYYYMM); raise it when LinkedIn retires the one in use.",
        section="Social",
    )
    facebook_base_url: str = setting(
        "DIGEST_FACEBOOK_BASE_URL",
        "https://graph.facebook.com/v23.0",
        "Facebook Graph API address, with its version.",
        parse=url,
        section="Social",
    )
    facebook_page_id: str = _key(
        "DIGEST_FACEBOOK_PAGE_ID", "Id of the Facebook Page that posts.", secret=False
    )
    facebook_page_token: str = _key(
        "DIGEST_FACEBOOK_PAGE_TOKEN", "Facebook Page access token (pages_manage_posts)."
    )
    threads_base_url: str = setting(
        "DIGEST_THREADS_BASE_URL",
        "https://graph.threads.net/v1.0",
        "Threads API address, with its version.",
        parse=url,
        section="Social",
    )
    threads_user_id: str = setting(
        "DIGEST_THREADS_USER_ID", "me", "Threads user id of the account that posts.", section="Social"
    )
    threads_token: str = _key(
        "DIGEST_THREADS_TOKEN", "Threads long-lived access token (threads_content_publish); lasts 60 days."
    )

    def missing_social_keys(self) -> list[tuple[str, str]]:
        """(platform, key) for each listed platform's empty key. Keys are needed only to
        publish, so this is a warning for every command and a refusal only when publishing."""
        return [
            (platform, key)
            for platform in self.social_platforms
            for field, key in REQUIRED[platform]
            if not getattr(self, field)
        ]
