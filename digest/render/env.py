"""The Jinja2 environment: autoescaped HTML, strict undefined, staff overrides first.

One environment per language, built per render: the i18n extension installs the
catalog into the environment, so sharing one between languages would leak the
last language into the next render.

Given a data folder, compiled templates are kept in it between runs (``templates-compiled/``):
compiling them anew took a fifth of `digest sources` (issue 24). The compiled code does not depend
on the language (the catalog is looked up as the template runs), so every language shares it.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from digest.render.i18n import translations
from digest.render.wrap import text_link, wrap_width

LANGUAGE_GLOBAL = "catalog_language"
# select_autoescape's arguments (what it decides is compiled into each template): the escaped
# suffixes, whether a template from a string is escaped, whether any other is.
ESCAPED, STRINGS_ESCAPED, OTHERS_ESCAPED = ("html", "htm", "xml", "html.j2", "htm.j2"), True, False


def builtin_templates() -> Path:
    """The folder of the built-in templates, shipped in the package as ``digest.templates``.

    Found through the import system, not relative to this file: the repository keeps
    them in its top-level ``templates/``, an installed wheel inside ``digest/``.
    """
    from importlib.resources import files

    return Path(str(files("digest.templates")))


COMPILED = "templates-compiled"  # the folder of compiled templates, in the data folder


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in a folder, keyed also by the environment's shape.

    Jinja checks each entry against its template's source (an edited override compiles again)
    and the running Jinja and Python, but not against the options the code was compiled with
    (trimming, autoescaping, newstyle gettext): ``shape`` names them, so a change compiles afresh.
    """

    def __init__(self, folder: Path, shape: str) -> None:
        super().__init__(str(folder))
        self.shape = shape

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.shape}|{name}", filename)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a folder that cannot take it (full, read-only) only means compiling next time


def template_env(
    override_dir: Path | None = None,
    language: str = "en",
    undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
    data_dir: Path | None = None,
) -> jinja2.Environment:
    """Templates from ``override_dir`` (DIGEST_TEMPLATES_DIR) win over the built-in ones.

    ``select_autoescape`` matches on the final suffix only, so ``digest.html.j2``
    would not be escaped with just ``["html"]``; list the compound suffixes too.
    ``undefined`` is StrictUndefined except when the preview hunts for every
    undefined name at once. ``data_dir``: the data folder, when it exists, keeps the compiled
    templates (see the module's docstring).
    """
    folders = [str(p) for p in (override_dir, builtin_templates()) if p is not None]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=ESCAPED, default_for_string=STRINGS_ESCAPED, default=OTHERS_ESCAPED
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
    if data_dir is not None and data_dir.is_dir():
        env.bytecode_cache = _compiled(data_dir / COMPILED, env)
    return env


def _compiled(folder: Path, env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None  # compiled afresh, as without a data folder
    shape = (
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, sorted(env.extensions), getattr(env, "newstyle_gettext", False),
        ESCAPED, STRINGS_ESCAPED, OTHERS_ESCAPED,
    )
    return CompiledTemplates(folder, repr(shape))


def env_language(env: jinja2.Environment) -> str | None:
    """The language whose catalog ``env`` has installed (None for a foreign environment)."""
    value = env.globals.get(LANGUAGE_GLOBAL)
    return value if isinstance(value, str) else None
