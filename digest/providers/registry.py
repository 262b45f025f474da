"""The one list of mail providers: the modules of this package.

A module in ``digest/providers/`` that defines a :class:`~digest.providers.base.Provider`
subclass with a ``name`` is a provider; adding one needs no edit anywhere else. The
``DIGEST_PROVIDER`` choices, the settings read from `.env` and the generated docs
(`.env.example`, the settings table of the docs) all come from here. Modules are found with
:func:`pkgutil.iter_modules` over the package's ``__path__`` (as pelican finds its
namespace plugins, see :mod:`digest.registry`) and imported once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from digest.errors import ConfigError

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.providers.base import Provider
    from digest.providers.webhook import Webhook


@functools.cache
def providers() -> dict[str, type[Provider]]:
    """Every provider class by name, in module order."""
    from digest.providers.base import Provider
    from digest.registry import discover

    return discover("digest.providers", Provider)


def provider_names() -> list[str]:
    return list(providers())


def named(name: str) -> type[Provider] | None:
    """The provider ``name`` from its own module alone (see :func:`digest.registry.member`), else
    from every module; None if there is none."""
    from digest.providers.base import Provider
    from digest.registry import member

    return member("digest.providers", Provider, name) or providers().get(name)


def provider_class(name: str) -> type[Provider]:
    """The class named ``name``; ConfigError naming DIGEST_PROVIDER if there is none."""
    found = named(name)
    if found is not None:
        return found
    raise ConfigError(
        "DIGEST_PROVIDER",
        f"{name!r} is not available in this version",
        f"use one of: {', '.join(sorted(providers()))}",
    )


def settings_classes() -> list[type]:
    """The providers' settings classes, each once (two providers may share one)."""
    from digest.registry import settings_classes

    return settings_classes(dict(providers()))


def rehearsal_only() -> tuple[str, ...]:
    """The ledger channels of every rehearsal provider (which sends nothing): an edition that
    went only there was a rehearsal, whatever the provider now, and is never published."""
    return tuple(cls.channel() for cls in providers().values() if cls.rehearsal)


def rehearsal_channels(chosen: str) -> tuple[str, ...]:
    """The ledger channels of the rehearsal providers, whose editions do not count for provider
    ``chosen``: they use up neither its period nor its articles. Empty when ``chosen`` is one
    of them (its own rehearsals count for it)."""
    return () if _rehearsal(chosen) else rehearsal_only()


def rehearsal_among(channels: Iterable[str]) -> tuple[str, ...]:
    """The rehearsal providers' channels among ``channels`` (those :func:`rehearsal_only` lists),
    importing only the modules of the providers they name: a provider's channel is
    ``email:<name>`` (:meth:`~digest.providers.base.Provider.channel`)."""
    return tuple(c for c in channels if c.startswith("email:") and _rehearsal(c.removeprefix("email:")))


def _rehearsal(name: str) -> bool:
    found = named(name)
    return found is not None and found.rehearsal


def make_provider(settings: Settings) -> Provider:
    return provider_class(settings.provider).from_settings(settings)


def webhook_class(name: str) -> type[Webhook] | None:
    """The webhook served at ``/webhooks/<name>``: a :class:`~digest.providers.webhook.Webhook`
    subclass with that name in a provider's module (found like the providers); None if there is none."""
    from digest.providers.webhook import Webhook
    from digest.registry import discover

    return discover("digest.providers", Webhook).get(name)
