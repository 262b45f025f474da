"""What `digest config` prints: the keys you set first, each problem beside its key.

A value is shown only the way the loader would read it back: a parsed value through
``display_value`` (which the parser accepts again), a refused one as the raw text with
the reason beside it. Secrets are never shown.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from digest.config.base import display_value
from digest.config.loader import Inspection

Row = tuple[str, str, str]  # key, value as shown, note (where it came from, or the problem)


def shown_raw(raw: str, secret: bool) -> str:
    """A refused value, escaped (no control character reaches the terminal) and capped."""
    if secret:
        return "(set, hidden)"
    text = raw.encode("unicode_escape").decode("ascii") if not raw.isprintable() else raw
    return text if len(text) <= 60 else text[:60] + "..."


def config_rows(
    found: Inspection, declared: list[tuple[type, dataclasses.Field[Any]]], *, all_keys: bool
) -> tuple[list[Row], int]:
    """Rows for the keys set to a value (and any key with a problem), then, with ``all_keys``, the rest.

    A key left empty takes its default, so it counts as not set: a copied `.env.example` shows
    only what it fills in. ``declared``: (class holding it, field) for every setting. Returns the
    rows and how many keys were left out at their defaults.
    """
    fields = {f.metadata["env"]: (cls, f) for cls, f in declared}
    given = [k for k, raw in found.values.items() if raw.strip() or k in found.errors]
    chosen = [k for k in given if k in fields] + [k for k in found.errors if k not in found.values]
    chosen += [k for k in given if k not in fields and k in found.errors]
    rows = [_row(k, fields.get(k), found) for k in dict.fromkeys(chosen)]
    rest = [k for k in fields if k not in set(chosen)]
    if all_keys:
        rows += [_row(k, fields[k], found) for k in rest]
    return rows, 0 if all_keys else len(rest)


def _row(key: str, declared: tuple[type, dataclasses.Field[Any]] | None, found: Inspection) -> Row:
    cls, f = declared if declared is not None else (None, None)
    secret = bool(f and f.metadata.get("secret"))
    error = found.errors.get(key)
    raw = found.values.get(key)
    if error is not None:
        value = shown_raw(raw, secret) if raw is not None else ""
        return key, value, f"error: {error.problem}" + (f"; {error.fix}" if error.fix else "")
    if f is None:
        return key, shown_raw(raw or "", secret), ""
    holder = found.settings if cls is type(found.settings) else found.settings.options(cls)
    value = display_value(f, getattr(holder, f.name))
    note = f"from {found.origin[key]}" if key in found.origin else "default"
    return key, value, note


def render_rows(rows: list[Row]) -> list[str]:
    width = max((len(key) for key, _, _ in rows), default=0)
    return [f"{key:<{width}} = {value}" + (f"    # {note}" if note else "") for key, value, note in rows]
