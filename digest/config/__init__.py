"""Settings: read once from the environment and `.env`, validated, then passed explicitly.

Real environment variables win over the `.env` file. Every key is declared once:
the shared ones in the section classes composed into :class:`Settings`, and each
plugin's own keys (a mail provider's, a social platform's) in its module. Config
imports no plugin: the caller passes their settings classes and names in a
:class:`~digest.config.plugins.Plugins` (``digest.plugins.plugins()`` gathers them;
``digest.plugins.load_settings`` is the one call the commands and tests make). The
parsed plugin settings are kept in ``Settings.extensions`` and read with
:meth:`Settings.options`. `.env.example` (the keys marked ``first_hour``) and the docs'
table of every key are generated from those declarations (`digest config --example
[--all]`, `--markdown`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from digest.config.base import display_value, fields_of, help_text
from digest.config.checks import StartupChecks
from digest.config.content import ContentSettings
from digest.config.core import CoreSettings, is_default_provider
from digest.config.delivery import DeliverySettings
from digest.config.loader import Inspection, inspect_settings
from digest.config.plugins import PluginLookup, Plugins
from digest.config.review import ReviewSettings
from digest.config.schedule import SCHEDULE_CHECK, ScheduleSettings
from digest.config.social import SocialSettings
from digest.config.summariser import SummariserSettings
from digest.config.web import WebSettings
from digest.terms_file import TermsFile

if TYPE_CHECKING:
    from digest.protect import ProtectedTerms

__all__ = [
    "SCHEDULE_CHECK", "PluginLookup", "Plugins", "Settings", "declared_fields", "describe", "example_env",
    "inspect", "load_settings",
]

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Settings(
    ScheduleSettings, CoreSettings, DeliverySettings, ContentSettings, SummariserSettings,
    SocialSettings, WebSettings, ReviewSettings, StartupChecks,
):
    """All settings. Capabilities add their own section classes as bases.

    ``extensions`` holds the parsed settings of every plugin, by class.
    """

    extensions: Mapping[type, Any] = field(default_factory=dict)
    # The run's protected terms, re-read only when the file changes (see digest/terms_file.py).
    terms_file: TermsFile = field(default_factory=TermsFile, init=False, compare=False, repr=False)

    def protected_terms(self) -> ProtectedTerms:
        """The terms in DIGEST_PROTECTED_TERMS_FILE as the file is now, read once per change."""
        return self.terms_file.current(self.protected_terms_file)

    def options(self, cls: type[T]) -> T:
        """The parsed instance of an extension's settings class (its defaults if never read)."""
        found = self.extensions.get(cls)
        return found if found is not None else cls()


# The check only the commands that read the sources need (see CoreSettings.check_sources).
SOURCES_CHECK = "check_sources"


def load_settings(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    plugins: Plugins | PluginLookup,
    read_dotenv: bool = True,
    warn: Callable[[str], None] | None = None,
    social_warnings: bool = True,
    skip: Collection[str] = (),
) -> Settings:
    """Read `.env` (or ``env_file``) and the environment into validated Settings.

    Raises ConfigError (naming the key) on the first problem: a bad value, an unknown
    DIGEST_ key in the file, a file that cannot be read. ``warn`` gets each warning
    (an unknown key in the environment; with ``social_warnings``, a listed social
    platform without its keys, which only publishing needs). ``plugins``: their settings
    classes and names, or how to find them (``digest.plugins.load_settings`` passes the built-in
    ones, looked up as the settings choose them). ``skip``: checks
    a command does not need (SOURCES_CHECK for one that never reads the sources, SCHEDULE_CHECK
    for one that never uses the schedule: its cron lines are then kept as written, unread).
    """
    found = inspect(env_file, environ, plugins=plugins, read_dotenv=read_dotenv, skip=skip)
    error = found.first_error()
    if error is not None:
        raise error
    for line in found.warnings + (found.social_warnings if social_warnings else []):
        if warn is not None:
            warn(line)
    settings: Settings = found.settings
    return settings


def inspect(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    plugins: Plugins | PluginLookup,
    read_dotenv: bool = True,
    skip: Collection[str] = (),
) -> Inspection:
    """Every setting read and checked, with every problem collected (for `digest config`)."""
    environ = os.environ if environ is None else environ
    return inspect_settings(
        Settings, plugins, env_file, environ, read_dotenv=read_dotenv, prepare=_sample_when_unset, skip=skip
    )


def sample_folder() -> Path:
    """The sample articles shipped in the package (the repository's ``content/``)."""
    from importlib.resources import files

    return Path(str(files("digest.sample")))


def _sample_when_unset(values: dict[str, str]) -> None:
    """Read the shipped sample articles when the sources are the default (unset, or ``content``
    as `.env.example` has it) and ``./content`` is missing.

    So a fresh install works from any folder, as in the README's first step, with or without a
    copied `.env.example`. Only with the default provider, which sends nothing: with a real
    provider, missing sources stay an error rather than sending samples.
    """
    if values.get("DIGEST_SOURCES", "").strip() not in ("", "content") or Path("content").exists():
        return
    if not is_default_provider(values.get("DIGEST_PROVIDER", "")):
        return
    values["DIGEST_SOURCES"] = str(sample_folder())


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy with some fields changed (for tests and one-off commands)."""
    return dataclasses.replace(settings, **changes)


def declared_fields(plugins: Plugins) -> list[tuple[type, dataclasses.Field[Any]]]:
    """Every declared setting, with the class that holds it: Settings' own, then the plugins'.

    A key shared by two providers is declared once (by one settings class) and listed once.
    """
    out: list[tuple[type, dataclasses.Field[Any]]] = [(Settings, f) for f in fields_of(Settings)]
    for cls in plugins.classes:
        out += [(cls, f) for f in fields_of(cls)]
    return out


def describe(settings: Settings, plugins: Plugins) -> list[tuple[str, str, str]]:
    """(key, value, help) for every setting, secrets masked."""
    rows = []
    for cls, f in declared_fields(plugins):
        holder = settings if cls is Settings else settings.options(cls)
        value = display_value(f, getattr(holder, f.name))
        rows.append((f.metadata["env"], value, _help(f, plugins)))
    return rows


def _help(f: dataclasses.Field[Any], plugins: Plugins) -> str:
    return help_text(f, plugins.choices.get(f.metadata["env"]))


def _sorted_fields(plugins: Plugins) -> list[dataclasses.Field[Any]]:
    fields = [f for _cls, f in declared_fields(plugins)]
    return sorted(fields, key=lambda f: _section_order(f.metadata["section"]))


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


EXAMPLE_HEAD = {
    # .env.example: the keys marked first_hour=True, each with one line of help.
    True: [
        "# digest: the settings a volunteer sets in the first hour. Copy to .env and edit;",
        "# real environment variables win over this file. An empty key takes its default.",
        "# Every other setting (each provider's and social platform's own keys too):",
        "# digest config --example --all, or the configuration page of the docs.",
    ],
    False: [
        "# digest settings. Copy to .env and edit; real environment variables win over this file.",
        "# Empty or commented-out keys take the default shown.",
    ],
}


def example_env(plugins: Plugins, *, first_hour: bool = False) -> str:
    """A documented `.env`: every key, grouped, with a comment and its default (`--example --all`);
    with ``first_hour``, only the keys declared ``first_hour=True`` (`.env.example`), one line of
    help each."""
    out = [*EXAMPLE_HEAD[first_hour], ""]
    section = None
    for f in _sorted_fields(plugins):
        if first_hour and not f.metadata.get("first_hour"):
            continue
        if f.metadata["section"] != section:
            section = f.metadata["section"]
            out += ["", f"## {section}"]
        example = f.metadata.get("example")
        if first_hour:
            out.append(f"# {_help(f, plugins)}" + (f" Example: {example}" if example else ""))
        else:
            out.append(f"# {_help(f, plugins)}")
            if example:
                out.append(f"# Example: {f.metadata['env']}={example}")
        out.append(f"{f.metadata['env']}={_default_text(f)}")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def readme_table(plugins: Plugins) -> str:
    """Markdown table of every key, for the configuration page of the docs."""
    rows = ["| key | default | what it does |", "|---|---|---|"]
    for f in _sorted_fields(plugins):
        default = _default_text(f) or "(empty)"
        # Help is prose, not HTML: `Name <address>` must show as written, and a | would end the cell.
        text = _help(f, plugins).replace("<", "&lt;").replace("|", "\\|")
        rows.append(f"| `{f.metadata['env']}` | `{default}` | {text} |")
    return "\n".join(rows) + "\n"


SECTION_ORDER = [
    "Organisation",
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
