"""Settings: read once from the environment and `.env`, validated, then passed explicitly.

Real environment variables win over the `.env` file. Every key is declared once,
in one of the section classes composed into :class:`Settings`; `.env.example` and
the README table are generated from those declarations (`digest config --example`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from digest.config.base import display_value, fields_of, read_fields
from digest.config.content import ContentSettings
from digest.config.core import CoreSettings
from digest.config.delivery import DeliverySettings, SmtpSettings
from digest.config.schedule import ScheduleSettings
from digest.config.social import SocialSettings
from digest.config.summariser import SummariserSettings
from digest.config.web import WebSettings
from digest.errors import ConfigError

__all__ = ["Settings", "load_settings", "describe", "example_env"]


@dataclass(frozen=True, kw_only=True)
class Settings(
    ScheduleSettings, CoreSettings, DeliverySettings, SmtpSettings, ContentSettings, SummariserSettings,
    SocialSettings, WebSettings,
):
    """All settings. Capabilities add their own section classes as bases."""

    def check(self) -> None:
        for name in sorted(dir(self)):
            if name.startswith("check_"):
                getattr(self, name)()


def load_settings(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    read_dotenv: bool = True,
) -> Settings:
    """Read `.env` (or ``env_file``) and the environment into validated Settings.

    Raises ConfigError (naming the key) on the first bad value.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    path = env_file if env_file is not None else Path(".env")
    if env_file is not None and not path.is_file():
        raise ConfigError("--env-file", f"{path} does not exist", "give the path of your .env file")
    if read_dotenv and path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update({k: v for k, v in environ.items() if k.startswith("DIGEST_")})
    _sample_when_unset(values)
    settings = Settings(**read_fields(Settings, values))
    settings.check()
    return settings


def sample_folder() -> Path:
    """The sample articles shipped in the package (the repository's ``content/``)."""
    from importlib.resources import files

    return Path(str(files("digest.sample")))


def _sample_when_unset(values: dict[str, str]) -> None:
    """Read the shipped sample articles when no source is set and ``./content`` is missing.

    So a fresh install works from any folder, as in the README's first step. Only with the
    outbox: with a real provider, missing sources stay an error rather than sending samples.
    """
    if values.get("DIGEST_SOURCES", "").strip() or Path("content").exists():
        return
    if values.get("DIGEST_PROVIDER", "").strip() not in ("", "outbox"):
        return
    values["DIGEST_SOURCES"] = str(sample_folder())


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy with some fields changed (for tests and one-off commands)."""
    return dataclasses.replace(settings, **changes)


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(key, value, help) for every setting, secrets masked."""
    rows = []
    for f in fields_of(Settings):
        rows.append((f.metadata["env"], display_value(f, getattr(settings, f.name)), f.metadata["help"]))
    return rows


def _default_text(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        value = ""
    if f.metadata.get("secret"):
        return ""
    return display_value(f, value)


def example_env() -> str:
    """The text of `.env.example`: every key, grouped, with a comment and its default."""
    out = [
        "# digest settings. Copy to .env and edit; real environment variables win over this file.",
        "# Empty or commented-out keys take the default shown.",
        "",
    ]
    section = None
    for f in sorted(fields_of(Settings), key=lambda f: _section_order(f.metadata["section"])):
        if f.metadata["section"] != section:
            section = f.metadata["section"]
            out += ["", f"## {section}"]
        out.append(f"# {f.metadata['help']}")
        if f.metadata.get("example"):
            out.append(f"# Example: {f.metadata['env']}={f.metadata['example']}")
        out.append(f"{f.metadata['env']}={_default_text(f)}")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def readme_table() -> str:
    """Markdown table of every key for the README."""
    rows = ["| key | default | what it does |", "|---|---|---|"]
    for f in sorted(fields_of(Settings), key=lambda f: _section_order(f.metadata["section"])):
        default = _default_text(f) or "(empty)"
        rows.append(f"| `{f.metadata['env']}` | `{default}` | {f.metadata['help']} |")
    return "\n".join(rows) + "\n"


SECTION_ORDER = [
    "Sources",
    "State",
    "Schedule",
    "Content",
    "Safety",
    "Delivery",
    "SMTP",
    "Social",
    "Summariser",
    "Web",
    "General",
]


def _section_order(section: str) -> int:
    return SECTION_ORDER.index(section) if section in SECTION_ORDER else len(SECTION_ORDER)
