"""The Jinja2 environment: autoescaped HTML, strict undefined, staff overrides first."""

from __future__ import annotations

from pathlib import Path

import jinja2

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def template_env(override_dir: Path | None = None) -> jinja2.Environment:
    """Templates from ``override_dir`` (DIGEST_TEMPLATES_DIR) win over the built-in ones.

    ``select_autoescape`` matches on the final suffix only, so ``digest.html.j2``
    would not be escaped with just ``["html"]``; list the compound suffixes too.
    """
    folders = [str(p) for p in (override_dir, BUILTIN_TEMPLATES) if p is not None]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "htm.j2"),
            default_for_string=True,
            default=False,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
