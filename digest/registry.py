"""How every extension point finds its members: the modules of one package.

A module in the package that defines a subclass of the point's base class with a
``name`` is a member; nothing else lists it (pelican finds namespace plugins the
same way, with :func:`pkgutil.iter_modules` over the package's ``__path__``). Used
by the mail providers (:mod:`digest.providers.registry`) and the social platforms
(:mod:`digest.social.platforms.registry`).

A member is usually defined in the module of its own name (``sendgrid-campaign`` in
``sendgrid_campaign``): :func:`member` imports only that module, so a command that needs the
chosen provider does not import all of them (each brings its own libraries and classes; issue
24). Anything it cannot settle that way goes to :func:`discover`.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from typing import TypeVar

T = TypeVar("T", bound=type)


def discover(package: str, base: T) -> dict[str, T]:
    """Every named subclass of ``base`` defined in a module of ``package``, by name, in module order."""
    module = importlib.import_module(package)
    found: dict[str, T] = {}
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda m: m.name):
        child = importlib.import_module(f"{package}.{info.name}")
        for value in vars(child).values():
            if _defines(value, child.__name__, base):
                if value.name in found and found[value.name] is not value:
                    raise RuntimeError(f"{package}: two modules define {value.name!r}; rename one")
                found[value.name] = value
    return found


def member(package: str, base: T, name: str) -> T | None:
    """The member ``name`` when the module of that name (``-`` read as ``_``) defines it, importing
    that module only; None when it does not, or there is no such module (another module may define
    it: :func:`discover` looks at every one)."""
    stem = name.replace("-", "_")
    module = f"{package}.{stem}"
    if not stem.isidentifier() or stem.startswith("_") or importlib.util.find_spec(module) is None:
        return None
    child = importlib.import_module(module)
    return next((v for v in vars(child).values() if _defines(v, module, base) and v.name == name), None)


def _defines(value: object, module: str, base: type) -> bool:
    return (
        isinstance(value, type)
        and issubclass(value, base)
        and value.__module__ == module
        and bool(getattr(value, "name", ""))
    )


def settings_classes(members: dict[str, type]) -> list[type]:
    """The members' settings classes, each once (two members may share one)."""
    out: list[type] = []
    for cls in members.values():
        declared = getattr(cls, "settings_class", None)
        if declared is not None and declared not in out:
            out.append(declared)
    return out
