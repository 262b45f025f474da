"""The one list of social platforms: the modules of this package (see :mod:`digest.registry`).

The DIGEST_SOCIAL_PLATFORMS choices, the platform keys read from `.env`, the limits
and the generated docs all come from here.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.social.platforms.base import Publisher


@functools.cache
def platforms() -> dict[str, type[Publisher]]:
    """Every platform class by name, in module order."""
    from digest.registry import discover
    from digest.social.platforms.base import Publisher

    return discover("digest.social.platforms", Publisher)


def platform_names() -> list[str]:
    return list(platforms())


def platform_class(name: str) -> type[Publisher]:
    """The class named ``name``; KeyError naming the choices if there is none."""
    try:
        return platforms()[name]
    except KeyError:
        raise KeyError(f"{name!r} is not one of: {', '.join(platforms())}") from None


def settings_classes() -> list[type]:
    from digest.registry import settings_classes

    return settings_classes(dict(platforms()))
