"""The machinery behind settings: declared fields, parsers and the loader.

Every setting is a dataclass field declared with :func:`setting`, which records
its ``.env`` key, help text and parser. The loader reads each key once, parses
it, and turns any problem into a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError

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
    choices: Callable[[], Sequence[str]] | None = None,
) -> Any:
    """Declare one setting. ``parse`` raises ValueError with a fix-it message.

    ``choices``: a function naming the allowed values (asked when a value is read and
    when the docs are generated, so a registry can supply them without being imported
    here); the value must be one of them.
    """
    if choices is not None:
        parse = one_of(choices)
    meta = {
        "env": env,
        "help": help,
        "parse": parse,
        "secret": secret,
        "example": example,
        "section": section,
        "choices": choices,
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


def parse_int(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{value} is negative; use 0 or more")
    return value


def parse_positive_int(raw: str) -> int:
    value = parse_int(raw)
    if value == 0:
        raise ValueError("0 is not allowed; use 1 or more")
    return value


def parse_float(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if value < 0:
        raise ValueError(f"{value} is negative; use 0 or more")
    return value


def parse_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_path(raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def parse_timezone(raw: str) -> str:
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a known IANA time zone; use a name such as Asia/Seoul or Europe/Berlin"
        ) from None
    return name


def parse_email(raw: str) -> str:
    """Accept ``a@b.org`` or ``Name <a@b.org>``; check the address part."""
    from email.utils import parseaddr

    from email_validator import EmailNotValidError, validate_email

    name, address = parseaddr(raw.strip())
    if not address:
        raise ValueError(f"{raw!r} is not an email address; use name@example.org")
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


def one_of(names: Callable[[], Sequence[str]]) -> Parser:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        allowed = list(names())
        if value not in allowed:
            raise ValueError(f"{raw!r} is not one of: {', '.join(allowed)}")
        return value

    return parse


def help_text(f: dataclasses.Field[Any]) -> str:
    """The help of a setting as the docs show it, with its choices when it has a list of them."""
    choices = f.metadata.get("choices")
    if choices is None:
        return str(f.metadata["help"])
    return f"{f.metadata['help']} One of: {', '.join(choices())}."


def url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{raw!r} is not a web address; start it with https://")
    return value


def fields_of(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if "env" in f.metadata]


def read_fields(cls: type, values: Mapping[str, str]) -> dict[str, Any]:
    """Parse every declared field of ``cls`` from ``values`` (env key -> raw text)."""
    parsed: dict[str, Any] = {}
    for f in fields_of(cls):
        key = f.metadata["env"]
        raw = values.get(key)
        if raw is None or raw.strip() == "":
            continue
        try:
            parsed[f.name] = f.metadata["parse"](raw)
        except ValueError as exc:
            raise ConfigError(key, str(exc), "fix it in .env") from None
    return parsed


def display_value(f: dataclasses.Field[Any], value: Any) -> str:
    """Render a value for `digest config`, masking secrets."""
    if f.metadata.get("secret"):
        return "(set, hidden)" if value else "(not set)"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
