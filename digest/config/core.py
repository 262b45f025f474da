"""Settings every part of digest needs: sources, state, cadence, identity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from digest.config.base import (
    choice,
    int_range,
    parse_bool,
    parse_email,
    parse_float,
    parse_int,
    parse_list,
    parse_name,
    parse_path,
    parse_positive_int,
    parse_timezone,
    setting,
    url,
)
from digest.config.schedule import SCHEDULE_CHECK
from digest.errors import ConfigError

if TYPE_CHECKING:
    from digest.schedule import Cadence


def parse_sources(raw: str) -> list[str]:
    """Comma-separated sources; each that is not an address must be a path the system can look up."""
    sources = parse_list(raw)
    for source in sources:
        if "://" not in source:
            parse_path(source)
    return sources


def parse_cron(raw: str) -> str:
    # Imported when a value is read: digest.schedule brings APScheduler, which `digest --help` need not.
    from digest.schedule import validate_cron

    return validate_cron(raw)


# The embedded default provider: it sends nothing (a rehearsal), so sample content and the
# sample identity are fine with it. Its module says so (``rehearsal = True``); config, which
# imports no provider, only knows it as the default.
DEFAULT_PROVIDER = "outbox"


def is_default_provider(value: str) -> bool:
    """Whether DIGEST_PROVIDER is unset or the embedded default."""
    return value.strip() in ("", DEFAULT_PROVIDER)


@dataclass(frozen=True, kw_only=True)
class CoreSettings:
    sources: list[str] = setting(
        "DIGEST_SOURCES",
        ["content"],
        "Comma-separated article sources: folders or files (.md, .txt, .html), "
        "RSS, Atom or JSON feeds (URL or file) and article page URLs.",
        parse=parse_sources,
        example="content,https://example.org/feed.xml",
        section="Sources",
        first_hour=True,
    )
    lookback_days: int = setting(
        "DIGEST_LOOKBACK_DAYS",
        7,
        "How many days back the first edition looks for articles, counted from the first time digest "
        "read the sources on this data folder; later ones take what appeared since the last sent edition.",
        parse=int_range(1, 3650),
        section="Sources",
        first_hour=True,
    )
    fetch_timeout: float = setting(
        "DIGEST_FETCH_TIMEOUT",
        15.0,
        "Seconds a whole fetch of a feed or page may take (redirects included) before it is given up.",
        parse=parse_float,
        section="Sources",
    )
    fetch_allow_private: bool = setting(
        "DIGEST_FETCH_ALLOW_PRIVATE",
        False,
        "Let feeds and pages be fetched from loopback, private and link-local addresses "
        "(an intranet); by default every fetch and redirect must reach a public address.",
        parse=parse_bool,
        section="Sources",
    )
    fetch_max_bytes: int = setting(
        "DIGEST_FETCH_MAX_BYTES",
        5_000_000,
        "Largest feed, page or article file read, in bytes; bigger ones are skipped.",
        parse=parse_positive_int,
        section="Sources",
    )
    data_dir: Path = setting(
        "DIGEST_DATA_DIR",
        Path("var"),
        "Folder for the database, the outbox, logs and the generated secret key.",
        parse=parse_path,
        section="State",
    )
    database_url: str = setting(
        "DIGEST_DATABASE_URL",
        "",
        "Database for the send ledger. Empty: SQLite in the data folder. "
        "Use postgresql://user:password@host/dbname when several instances run.",
        secret=True,
        example="postgresql://digest:secret@localhost/digest",
        section="State",
    )
    provider: str = setting(
        "DIGEST_PROVIDER",
        DEFAULT_PROVIDER,
        "Mailing provider. outbox writes .eml files to the data folder and sends nothing.",
        parse=parse_name,  # one of the provider modules' names, which the caller passes in (Plugins)
        section="Delivery",
        first_hour=True,
    )
    schedule: str = setting(
        "DIGEST_SCHEDULE",
        "0 9 * * 1",
        "When the digest goes out: a 5-field cron line in DIGEST_TIMEZONE "
        "(minute hour day-of-month month day-of-week; 1 or mon is Monday).",
        parse=parse_cron,
        section="Schedule",
        first_hour=True,
        checked_by=SCHEDULE_CHECK,
    )
    timezone: str = setting(
        "DIGEST_TIMEZONE",
        "UTC",
        "IANA time zone of the schedule and of dates in the email.",
        parse=parse_timezone,
        example="Asia/Seoul",
        section="Schedule",
        first_hour=True,
    )
    language: str = setting(
        "DIGEST_LANGUAGE",
        "en",
        "Language of the email and posts: en or ko.",
        parse=choice("en", "ko"),
        section="Organisation",
        first_hour=True,
    )
    org_name: str = setting(
        "DIGEST_ORG_NAME",
        "Bridge of Hope (sample)",
        "Your organisation's name, shown in the email and the subject.",
        section="Organisation",
        first_hour=True,
    )
    sender: str = setting(
        "DIGEST_FROM",
        "Bridge of Hope <newsletter@example.org>",
        "From address of the digest: an address, or Name <address>.",
        parse=parse_email,
        section="Organisation",
        first_hour=True,
    )
    postal_address: str = setting(
        "DIGEST_POSTAL_ADDRESS",
        "PO Box 0000, Example City (sample address)",
        "Postal address printed in the footer (anti-spam laws require one).",
        section="Organisation",
        multiline=True,
        first_hour=True,
    )
    site_url: str = setting(
        "DIGEST_SITE_URL",
        "https://example.org",
        "Your website; links without their own address point here.",
        parse=url,
        section="Organisation",
        first_hour=True,
    )
    summary_sentences: int = setting(
        "DIGEST_SUMMARY_SENTENCES",
        3,
        "Most sentences in an article's blurb.",
        parse=parse_positive_int,
        section="Content",
    )
    summary_max_words: int = setting(
        "DIGEST_SUMMARY_MAX_WORDS",
        70,
        "Most words in an article's blurb (whole sentences are kept).",
        parse=parse_positive_int,
        section="Content",
    )
    max_articles: int = setting(
        "DIGEST_MAX_ARTICLES",
        10,
        "Articles shown in full; the rest go into a short 'more stories' list.",
        parse=parse_int,
        section="Content",
    )
    max_more_stories: int = setting(
        "DIGEST_MAX_MORE_STORIES",
        20,
        "Most titles in the 'more stories' list (newest first); older ones are left out and listed in "
        "the preview. The list is also trimmed until the email fits DIGEST_HTML_BUDGET.",
        parse=parse_int,
        section="Content",
    )
    protected_terms_file: Path | None = setting(
        "DIGEST_PROTECTED_TERMS_FILE",
        None,
        "Text file of names and places that must never go out, one per line. Any match stops the send.",
        parse=parse_path,
        example="protected-terms.txt",
        section="Safety",
        first_hour=True,
    )

    def check_core(self) -> None:
        """Cross-field checks; each raises ConfigError naming the key."""
        if self.protected_terms_file is not None and not self.protected_terms_file.is_file():
            raise ConfigError(
                "DIGEST_PROTECTED_TERMS_FILE",
                f"{self.protected_terms_file} does not exist",
                "create it (one term per line) or fix the path",
            )
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError(
                "DIGEST_DATABASE_URL",
                "only sqlite:/// and postgresql:// addresses are supported",
                "use postgresql://user:password@host/dbname or leave it empty",
            )

    def check_sources(self) -> None:
        """The sources are set and their folders and files are there. Only the commands that read
        them check it (SOURCES_CHECK): a subscriber import run outside the clone does not need them."""
        if not self.sources:
            raise ConfigError(
                "DIGEST_SOURCES", "no sources are set", "list at least one folder, file or feed URL"
            )
        for source in self.sources:
            if "://" in source:
                continue
            if not Path(source).expanduser().exists():
                raise ConfigError(
                    "DIGEST_SOURCES",
                    f"{source} does not exist",
                    "fix the path, or give a feed or page address starting with https://",
                )

    @property
    def cadence(self) -> Cadence:
        """When editions go out: DIGEST_SCHEDULE in DIGEST_TIMEZONE."""
        from digest.schedule import parse_cadence

        return parse_cadence(self.schedule, self.timezone)

    @property
    def db_url(self) -> str:
        """The effective database address (SQLite under the data folder by default)."""
        if self.database_url:
            return self.database_url
        # Quoted: a "?", "#" or "%" in a folder's name is part of the name, not of the address.
        return f"sqlite:///{quote(str((self.data_dir / 'digest.db').resolve()))}"
