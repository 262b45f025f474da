"""The built-in plugins, gathered for the settings: what config may not import itself.

Config is the bottom of the pipeline; the mail providers, social platforms and summarisers
sit above it and declare their own settings classes and names in their registries. This
module, above all of them, hands those to the settings (a
:class:`~digest.config.plugins.Plugins`), with the checks that need a plugin: the chosen
provider's required keys, and the listed platforms' keys (a warning, since only publishing
needs them). The commands (and tests) read settings with :func:`load_settings` here, which
imports only the plugins the settings choose (:func:`chosen`) when that reads them as every
plugin would; `digest config` and the docs see every plugin (:func:`plugins`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import PluginLookup, Plugins, Settings
from digest.config import inspect as inspect_with
from digest.config import load_settings as load_with
from digest.config.loader import Inspection
from digest.providers.registry import named as named_provider
from digest.providers.registry import provider_class, provider_names
from digest.providers.registry import settings_classes as provider_settings
from digest.registry import settings_classes
from digest.summarise.registry import summariser_names

if TYPE_CHECKING:
    from digest.social.platforms.base import Publisher

# The social platforms' registry (and with it their base class, the HTTP transport and the image
# rules) is imported in the functions below only when platforms are listed or all are wanted:
# most settings list none, and every command reads the settings (issue 24).


def plugins() -> Plugins:
    """Every plugin's settings class and names, as the registries find them now (each registry
    imports its modules once; a test that drops a module in clears that registry's cache)."""
    from digest.social.platforms.registry import platform_names
    from digest.social.platforms.registry import settings_classes as platform_settings

    return Plugins(
        classes=(*provider_settings(), *platform_settings()),
        choices={
            "DIGEST_PROVIDER": provider_names(),
            "DIGEST_SOCIAL_PLATFORMS": platform_names(),
            "DIGEST_SUMMARISER": summariser_names(),
        },
        checks=(check_provider,),
        warnings=(platform_key_warnings,),
    )


def chosen(settings: Settings) -> Plugins | None:
    """The plugins ``settings`` choose (the provider, the listed platforms), each imported from
    its own module; None when one is not found there. The names they may take are those chosen:
    any other goes to :func:`plugins`, whose error lists every one."""
    provider = named_provider(settings.provider)
    platforms = [_named_platform(name) for name in settings.social_platforms]
    if provider is None or None in platforms:
        return None
    members = {f"provider {provider.name}": provider, **{f"platform {p.name}": p for p in platforms if p}}
    return Plugins(
        classes=tuple(settings_classes(members)),
        choices={
            "DIGEST_PROVIDER": [provider.name],
            "DIGEST_SOCIAL_PLATFORMS": [p.name for p in platforms if p],
            "DIGEST_SUMMARISER": summariser_names(),
        },
        checks=(check_provider,),
        warnings=(platform_key_warnings,),
    )


def _named_platform(name: str) -> type[Publisher] | None:
    from digest.social.platforms.registry import named

    return named(name)


LOOKUP = PluginLookup(chosen=chosen, every=plugins)


def load_settings(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    read_dotenv: bool = True,
    warn: Callable[[str], None] | None = None,
    social_warnings: bool = True,
    skip: Collection[str] = (),
) -> Settings:
    """:func:`digest.config.load_settings` with the built-in plugins: the settings a command runs with."""
    return load_with(
        env_file, environ, plugins=LOOKUP, read_dotenv=read_dotenv, warn=warn,
        social_warnings=social_warnings, skip=skip,
    )


def inspect(
    env_file: Path | None = None, environ: Mapping[str, str] | None = None, *, read_dotenv: bool = True
) -> Inspection:
    """:func:`digest.config.inspect` with the built-in plugins: every problem collected (`digest config`)."""
    return inspect_with(env_file, environ, plugins=plugins(), read_dotenv=read_dotenv)


def check_provider(settings: Settings) -> None:
    """The chosen provider has what it needs (its module says what that is)."""
    provider_class(settings.provider).check_settings(settings)


def platform_key_warnings(settings: Settings) -> list[str]:
    """One line per listed platform without its keys, naming every empty key at once."""
    if not settings.social_platforms:
        return []
    from digest.social.platforms.registry import missing_keys

    by_platform: dict[str, list[str]] = {}
    for platform, key in missing_keys(settings):
        by_platform.setdefault(platform, []).append(key)
    lines = []
    for platform, keys in by_platform.items():
        also = f" (and {', '.join(keys[1:])})" if keys[1:] else ""
        lines.append(
            f"{keys[0]}{also}: empty, so {platform} posts are previewed but not published; "
            f"set {'them' if also else 'it'} in .env, or remove {platform} from DIGEST_SOCIAL_PLATFORMS"
        )
    return lines
