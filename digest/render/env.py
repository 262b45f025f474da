"""The Jinja2 environment: autoescaped HTML, strict undefined, staff overrides first.

One environment per language, built per render: the i18n extension installs the
catalog into the environment, so sharing one between languages would leak the
last language into the next render.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from digest.render.i18n import translations
from digest.render.wrap import text_link, wrap_width

LANGUAGE_GLOBAL = "catalog_language"


def builtin_templates() -> Path:
    """The folder of the built-in templates, shipped in the package as ``digest.templates``.

    Found through the import system, not relative to this file: the repository keeps
    them in its top-level ``templates/``, an installed wheel inside ``digest/``.
    """
    from importlib.resources import files

    return Path(str(files("digest.templates")))


def template_env(
    override_dir: Path | None = None,
    language: str = "en",
    undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
) -> jinja2.Environment:
    """Templates from ``override_dir`` (DIGEST_TEMPLATES_DIR) win over the built-in ones.

    ``select_autoescape`` matches on the final suffix only, so ``digest.html.j2``
    would not be escaped with just ``["html"]``; list the compound suffixes too.
    ``undefined`` is StrictUndefined except when the preview hunts for every
    undefined name at once.
    """
    folders = [str(p) for p in (override_dir, builtin_templates()) if p is not None]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "htm.j2"),
            default_for_string=True,
            default=False,
        ),
        undefined=undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals[LANGUAGE_GLOBAL] = language
    # Plain-text wrapping counts display columns: Hangul and Han take two.
    env.filters["wordwrap"] = wrap_width
    env.filters["text_link"] = text_link
    return env


def env_language(env: jinja2.Environment) -> str | None:
    """The language whose catalog ``env`` has installed (None for a foreign environment)."""
    value = env.globals.get(LANGUAGE_GLOBAL)
    return value if isinstance(value, str) else None
