"""The machinery behind settings: declared fields, parsers and the loader.

Every setting is a dataclass field declared with :func:`setting`, which records
its ``.env`` key, help text and parser. The loader reads each key once, parses
it, and turns any problem into a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Parser = Callable[[str], Any]


def setting(
    env: str,
    default: Any,
    help: str,
    *,
    parse: Parser = str,
    secret: bool = False,
    example: str | None = None,
    section: str = "General",
    multiline: bool = False,
    first_hour: bool = False,
    checked_by: str = "",
) -> Any:
    """Declare one setting. ``parse`` raises ValueError with a fix-it message.

    ``multiline`` lets free text (an intro, a footer) hold line breaks and tabs; every
    other value is one line, so no setting can smuggle a header or a log line in.
    ``first_hour`` puts the key in `.env.example`, which holds only what a volunteer sets in
    the first hour (every key is in `digest config --example --all` and the docs). A setting
    that names plugins (``DIGEST_PROVIDER``) gets their names from the caller
    (:class:`digest.config.plugins.Plugins`), not from here. ``checked_by``: the check
    (``check_*`` method) that ``parse`` belongs to, when parsing costs start-up (a cron line
    needs APScheduler): a reading that skips that check keeps the value as written.
    """
    meta = {
        "env": env,
        "help": help,
        "parse": parse,
        "secret": secret,
        "example": example,
        "section": section,
        "multiline": multiline,
        "first_hour": first_hour,
        "checked_by": checked_by,
    }
    if isinstance(default, (list, dict, set)):
        frozen = type(default)(default)
        return dataclasses.field(default_factory=lambda: type(frozen)(frozen), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{raw!r} is not true or false; use true or false")


# Bounds that hold for every number setting: past them a value is a typo, and the
# standard library (timedelta, socket timeouts, SQLite integers) would fail at run time.
MAX_INT = 1_000_000_000
MAX_FLOAT = 1_000_000_000.0
MAX_SECONDS = 86_400.0


def parse_int(raw: str) -> int:
    text = raw.strip()
    if len(text) > 12:
        raise ValueError(f"{_short(raw)} is too large; use at most {MAX_INT}")
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{_short(raw)} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{value} is negative; use 0 or more")
    if value > MAX_INT:
        raise ValueError(f"{value} is too large; use at most {MAX_INT}")
    return value


def int_range(low: int, high: int) -> Parser:
    """A whole number from ``low`` to ``high``."""

    def parse(raw: str) -> int:
        value = parse_int(raw)
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range; use {low} to {high}")
        return value

    return parse


def parse_positive_int(raw: str) -> int:
    value = parse_int(raw)
    if value == 0:
        raise ValueError("0 is not allowed; use 1 or more")
    return value


def parse_float(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f"{_short(raw)} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{_short(raw)} is not a finite number; use e.g. 30")
    if value < 0:
        raise ValueError(f"{value} is negative; use 0 or more")
    if value > MAX_FLOAT:
        raise ValueError(f"{value} is too large; use at most {MAX_FLOAT:.0f}")
    return value


def _short(raw: str) -> str:
    """The value as quoted in an error: capped so a huge value cannot flood the line."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")


def check_text(raw: str, multiline: bool) -> None:
    """No control characters (a newline only in multi-line text): they break headers and logs."""
    allowed = {"\n", "\t", "\r"} if multiline else set()
    for ch in raw:
        if ch not in allowed and unicodedata.category(ch) == "Cc":
            raise ValueError(f"contains a control character (U+{ord(ch):04X}); remove it")


def parse_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


NAME_MAX, PATH_MAX = 255, 4095  # bytes in one file name, and in a whole path (Linux)


def parse_path(raw: str) -> Path:
    """A path the system can look up: ``~`` of a known user, no name longer than the system takes."""
    try:
        path = Path(raw.strip()).expanduser()
    except RuntimeError:  # ~name of a user this machine does not have
        raise ValueError(f"{_short(raw)} starts with ~ but names no user of this machine") from None
    sizes = [len(part.encode("utf-8", "surrogateescape")) for part in (str(path), *path.parts)]
    if sizes[0] > PATH_MAX or max(sizes[1:], default=0) > NAME_MAX:
        raise ValueError(f"{_short(raw)} is too long for a path; give the file's or folder's real path")
    return path


def path_text(raw: str) -> str:
    """A path kept as written (``~`` expanded where it is used), checked as :func:`parse_path` does."""
    parse_path(raw)
    return raw.strip()


def parse_timezone(raw: str) -> str:
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to be a file
        raise ValueError(
            f"{name!r} is not a known IANA time zone; use a name such as Asia/Seoul or Europe/Berlin"
        ) from None
    return name


def parse_email(raw: str) -> str:
    """Accept ``a@b.org`` or ``Name <a@b.org>``; check the address part."""
    from email.utils import parseaddr

    from email_validator import EmailNotValidError, validate_email

    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in raw):
        raise ValueError("contains a control or invisible character; write the address on one line")
    name, address = parseaddr(raw.strip())
    if not address:
        raise ValueError(f"{_short(raw)} is not an email address; use name@example.org")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{address!r} is not a valid address ({exc})") from None
    return raw.strip()


def choice(*allowed: str) -> Parser:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"{raw!r} is not one of: {', '.join(allowed)}")
        return value

    return parse


def parse_name(raw: str) -> str:
    """A plugin's name (``DIGEST_PROVIDER``): checked against the plugins' names by the loader."""
    return raw.strip().lower()


def parse_names(raw: str) -> list[str]:
    """A list of plugin names, each once, in the order given."""
    return list(dict.fromkeys(name.lower() for name in parse_list(raw)))


def check_choice(value: Any, raw: str, allowed: Sequence[str]) -> None:
    """Raise ValueError naming the choices when a parsed name (or one of a list) is not among them."""
    for name in value if isinstance(value, list) else [value]:
        if name not in allowed:
            shown = raw if isinstance(value, str) else name
            raise ValueError(f"{shown!r} is not one of: {', '.join(allowed)}")


def help_text(f: dataclasses.Field[Any], choices: Sequence[str] | None = None) -> str:
    """The help of a setting as the docs show it, with its choices when it has a list of them."""
    if choices is None:
        return str(f.metadata["help"])
    return f"{f.metadata['help']} One of: {', '.join(choices)}."


def url(raw: str) -> str:
    from urllib.parse import urlsplit

    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{_short(raw)} is not a web address; start it with https://")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError(f"{_short(raw)} contains a space or an invisible character")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError as exc:
        raise ValueError(f"{_short(raw)} is not a valid web address ({exc})") from None
    if not parts.hostname or not valid_host(parts.hostname):
        raise ValueError(f"{_short(raw)} has no valid host name; use e.g. https://example.org")
    return value


def valid_host(host: str) -> bool:
    """A DNS name (letters, digits, hyphens; dot-separated labels) or an IP address."""
    import ipaddress
    import re

    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    # Underscores are not DNS but appear in container and intranet names; empty labels never work.
    label = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\Z")
    return len(ascii_host) <= 253 and all(label.match(part) for part in labels)


def fields_of(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if "env" in f.metadata]


def parse_field(f: dataclasses.Field[Any], raw: str, skip: Collection[str] = ()) -> Any:
    """One field's value from its text, with the rules every setting shares. Raises ValueError.
    A field whose check (``checked_by``) is in ``skip`` is taken as written, not parsed."""
    key = f.metadata["env"]
    check_text(raw, f.metadata.get("multiline", False))
    if f.metadata.get("checked_by") and f.metadata["checked_by"] in skip:
        return raw.strip()
    value = f.metadata["parse"](raw)
    # Timeouts and ports are checked by name so that every provider's own keys follow the rule.
    if key.endswith("_TIMEOUT") and isinstance(value, float) and not 0 < value <= MAX_SECONDS:
        raise ValueError(f"{value:g} is out of range; use more than 0 and at most {MAX_SECONDS:.0f} seconds")
    if key.endswith("_PORT") and isinstance(value, int) and not 1 <= value <= 65535:
        raise ValueError(f"{value} is not a port; use 1 to 65535")
    return value


def display_value(f: dataclasses.Field[Any], value: Any) -> str:
    """Render a value for `digest config`, masking secrets."""
    if f.metadata.get("secret"):
        return "(set, hidden)" if value else "(not set)"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        # The same phrase=Value,... form the parser reads, so what is shown can be pasted back.
        return ",".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
