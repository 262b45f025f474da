"""The one list of mail providers: the modules of this package.

A module in ``digest/providers/`` that defines a :class:`~digest.providers.base.Provider`
subclass with a ``name`` is a provider; adding one needs no edit anywhere else. The
``DIGEST_PROVIDER`` choices, the settings read from `.env` and the generated docs
(`.env.example`, the README table) all come from here. Modules are found with
:func:`pkgutil.iter_modules` over the package's ``__path__`` (as pelican finds its
namespace plugins) and imported once per process.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import TYPE_CHECKING

from digest.errors import ConfigError

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.providers.base import Provider


@functools.cache
def providers() -> dict[str, type[Provider]]:
    """Every provider class by name, in module order."""
    import digest.providers as package
    from digest.providers.base import Provider

    found: dict[str, type[Provider]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if _defines_provider(value, module.__name__, Provider):
                if value.name in found and found[value.name] is not value:
                    raise RuntimeError(f"two providers are named {value.name!r}: rename one")
                found[value.name] = value
    return found


def _defines_provider(value: object, module: str, base: type) -> bool:
    return (
        isinstance(value, type)
        and issubclass(value, base)
        and value.__module__ == module
        and bool(getattr(value, "name", ""))
    )


def provider_names() -> list[str]:
    return list(providers())


def provider_class(name: str) -> type[Provider]:
    """The class named ``name``; ConfigError naming DIGEST_PROVIDER if there is none."""
    try:
        return providers()[name]
    except KeyError:
        raise ConfigError(
            "DIGEST_PROVIDER",
            f"{name!r} is not available in this version",
            f"use one of: {', '.join(sorted(providers()))}",
        ) from None


def settings_classes() -> list[type]:
    """The providers' settings classes, each once (two providers may share one)."""
    out: list[type] = []
    for cls in providers().values():
        if cls.settings_class is not None and cls.settings_class not in out:
            out.append(cls.settings_class)
    return out


def make_provider(settings: Settings) -> Provider:
    return provider_class(settings.provider)(settings)
