"""The one list of social platforms: the modules of this package (see :mod:`digest.registry`).

The DIGEST_SOCIAL_PLATFORMS choices, the platform keys read from `.env`, the limits
and the generated docs all come from here. Measuring a post for a platform by its
name asks the platform's class (its counting rule and limit); the counting helpers
below (:mod:`digest.social.measure`) never look a platform up.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from digest.registry import discover, member
from digest.registry import settings_classes as declared_settings
from digest.social.measure import Measure
from digest.social.platforms.base import Publisher


@functools.cache
def platforms() -> dict[str, type[Publisher]]:
    """Every platform class by name, in module order."""
    return discover("digest.social.platforms", Publisher)


def platform_names() -> list[str]:
    return list(platforms())


def named(name: str) -> type[Publisher] | None:
    """The platform ``name`` from its own module alone (see :func:`digest.registry.member`), else
    from every module; None if there is none."""
    return member("digest.social.platforms", Publisher, name) or platforms().get(name)


def platform_class(name: str) -> type[Publisher]:
    """The class named ``name``; KeyError naming the choices if there is none."""
    found = named(name)
    if found is None:
        raise KeyError(f"{name!r} is not one of: {', '.join(platforms())}")
    return found


def settings_classes() -> list[type]:
    return declared_settings(dict(platforms()))


def measure(platform: str, text: str, *, limit: int | None = None) -> Measure:
    """Length of ``text`` on ``platform`` against its limit (``limit`` overrides the class's,
    e.g. a server's own maximum). Raises KeyError for an unknown platform."""
    return platform_class(platform).measure(text, limit)


def measure_for(settings: Any, platform: str, text: str) -> Measure:
    """:func:`measure` with the limit these settings give the platform."""
    cls = platform_class(platform)
    return cls.measure(text, cls.limit_for(settings))


@dataclass(frozen=True)
class Limit:
    size: int
    unit: str
    max_hashtags: int
    bytes: int = 0  # a second limit in UTF-8 bytes, 0 for none


def limits() -> dict[str, Limit]:
    """Each platform's limit, from its class."""
    return {
        name: Limit(cls.limit, cls.unit, cls.max_hashtags, cls.bytes_limit)
        for name, cls in platforms().items()
    }


def missing_keys(settings: Any) -> list[tuple[str, str]]:
    """(platform, key) for each listed platform's empty key. Keys are needed only to publish,
    so this is a warning for every command and a refusal only when publishing."""
    return [
        (platform, key)
        for platform in settings.social_platforms
        for key, value in platform_class(platform).required_keys(settings)
        if not value
    ]
