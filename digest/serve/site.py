"""What every view shares, kept on the app and reached through ``flask.current_app``.

The app factory (:mod:`digest.serve.app`) builds one :class:`Site` and keeps it in
``app.extensions``; views read it with :func:`site`, as Flask's own tutorial reaches
``current_app``. So the blueprints never import the app module, and the factory
imports them, never the other way round.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from digest.compose.linkcheck import LinkCache
from digest.serve.throttle import FailureDelays, Throttle

if TYPE_CHECKING:
    from flask import Flask

    from digest.config import Settings
    from digest.store import Engine
    from digest.store.one_click import OneClick

EXTENSION = "digest"
MAX_HELD_LOGINS = 4  # log-ins held waiting at once; a flood past it is answered 429 (threads stay free)


@dataclass(frozen=True)
class Site:
    """What every view needs, kept on the app (never in module state)."""

    settings: Settings
    engine: Engine
    key: bytes
    ip_throttle: Throttle
    one_click: OneClick  # the one-click statement, on a connection per thread
    admin_hash: str = ""
    admin_mark: str = ""  # names the password the dashboard's log-ins were opened with
    wake: threading.Event = field(default_factory=threading.Event)  # the side-email worker's bell
    login_delays: FailureDelays = field(default_factory=FailureDelays)
    login_held: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(MAX_HELD_LOGINS)
    )
    address_throttle: Throttle = field(default_factory=lambda: Throttle(limit=5, window=3600))
    # The preview's link check: a link asked in the last 15 minutes is not asked again.
    links: LinkCache = field(default_factory=lambda: LinkCache(max_age=900.0))
    # Pages rendered once, with a hole for the one value that changes (words.render_filled).
    pages: dict[tuple[object, ...], str] = field(default_factory=dict)


def site(app: Flask | None = None) -> Site:
    """The :class:`Site` of ``app``, by default of the app handling this request."""
    from flask import current_app

    found: Site = (app or current_app).extensions[EXTENSION]
    return found
