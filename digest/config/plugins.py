"""What the plugins tell the settings, handed in from above.

Config sits at the bottom of the pipeline and imports no plugin. The mail providers,
social platforms and summarisers each declare their own settings class and names in
their registry; :mod:`digest.plugins` (a layer above them) gathers them into one
:class:`Plugins` and passes it to :func:`digest.config.load_settings`, ``inspect`` and
the docs generators. docs/architecture.md shows the layers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Plugins:
    """The plugins' part of the settings.

    - ``classes``: each plugin's own settings class (a frozen dataclass of
      :func:`digest.config.base.setting` fields), once each; read from `.env`, checked
      (its ``check_*`` methods) and documented like the shared settings, and found again
      with ``Settings.options(cls)``.
    - ``choices``: for a setting that names plugins (``DIGEST_PROVIDER``), the names it
      may take; a value (or each of a list) outside them is refused, and the help lists them.
    - ``checks``: checks of the whole settings that a plugin makes (the chosen provider has
      its keys); each raises ConfigError naming the key.
    - ``warnings``: lines about keys that only publishing needs (a listed platform without
      its keys); the preview leaves them out.
    """

    classes: tuple[type, ...] = ()
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)
    checks: tuple[Callable[[Any], None], ...] = ()
    warnings: tuple[Callable[[Any], list[str]], ...] = ()


@dataclass(frozen=True)
class PluginLookup:
    """Plugins found as a reading of the settings needs them, so that a command imports the
    chosen ones only (every plugin module imported costs start-up; issue 24).

    - ``chosen``: the :class:`Plugins` of the plugins some settings name (their provider, their
      social platforms), or None when they cannot be found without looking at every one;
    - ``every``: all of them, as `digest config` and the docs show them.

    The settings are read with ``chosen`` when that reads them exactly as ``every`` would
    (:func:`digest.config.loader.inspect_settings` says when), else with ``every``.
    """

    chosen: Callable[[Any], Plugins | None]
    every: Callable[[], Plugins]
