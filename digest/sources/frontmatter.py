"""YAML front matter, read safely: capped in size, no aliases, dates left as text.

A YAML alias bomb (a few lines of ``&a``/``*a`` that expand to gigabytes) is
refused at the first alias; articles have no use for aliases. Timestamps are
not built by the YAML parser (``0000-00-00`` would fail the whole file there);
:class:`~digest.sources.fields.FieldReader` reads them, dropping a bad one.
"""

from __future__ import annotations

import re
from typing import Any

from digest.errors import SourceError

FRONT_MATTER_MAX = 64_000
_FENCE = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE
)


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """(metadata, body). Raises SourceError naming ``where`` when the front matter cannot be used."""
    match = _FENCE.match(text)
    if not match:
        return {}, text
    block = match.group(1)
    if len(block) > FRONT_MATTER_MAX:
        raise SourceError(f"{where}: front matter is over {FRONT_MATTER_MAX:,} characters")
    meta = _load(block, where)
    return meta, text[match.end() :]


def _load(block: str, where: str) -> dict[str, Any]:
    import yaml

    try:
        meta = yaml.load(block, Loader=_loader())  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        reason = f"is not valid YAML ({type(exc).__name__})"
        if "alias" in str(exc):
            reason = "uses YAML aliases (*name), which articles may not"
        raise SourceError(f"{where}: front matter {reason}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise SourceError(f"{where}: front matter is not valid YAML ({type(exc).__name__})") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SourceError(f"{where}: front matter is not a list of 'key: value' lines")
    return {str(k): v for k, v in meta.items()}


def _loader() -> Any:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "aliases are not allowed in front matter", event.start_mark
                )
            return super().compose_node(parent, index)

    NoAliasLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return NoAliasLoader
