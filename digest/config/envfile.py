"""Reading a `.env` file line by line, so that no setting in it is silently lost.

python-dotenv drops a line it cannot parse with a warning (``DIGEST_ORG_NAME="Hanbit Bridge``,
its quote never closed, took the organisation's name with it, and a real send went out under
the sample one). Here its parser's own bindings are read, with their line numbers, and each
of these is a :class:`~digest.errors.ConfigError` naming the line and the fix:

- a line dotenv cannot parse (an unclosed quote, text after a closing quote, no ``=``);
- a quoted value that runs on over lines holding other settings (a quote closed too late);
- an unquoted value whose quotes do not pair up (``DIGEST_ORG_NAME=Hanbit Bridge"``);
- a key clearly meant as ours but not spelt as digest reads it: ``digest_timezone`` (case),
  ``TIMEZONE`` (no prefix), ``DIGSET_TIMEZONE`` (the prefix misspelt), a misspelt name after
  the prefix;
- one of our keys set on two lines (dotenv would keep the last and drop the first unseen).

Values are never shown: a line may hold a password.
"""

from __future__ import annotations

import difflib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from digest.errors import ConfigError

PREFIX = "DIGEST_"
# A line that sets something: `NAME=`, maybe after `export` (how the next setting starts).
_ASSIGNMENT = re.compile(r"\s*(?:export\s+)?([^\s=#][^=]*?)\s*=")


@dataclass(frozen=True)
class EnvLine:
    """One setting of the file: its line number, key and value."""

    line: int
    key: str
    value: str


def parse_env_text(
    text: str, where: str, known: list[str], *, judged: bool = True
) -> tuple[list[EnvLine], list[ConfigError]]:
    """The settings of a `.env` text and every problem with its lines (see the module docstring).

    ``where`` names the file in messages (``.env``); ``known`` is every key digest reads.
    ``judged=False``: a name not in ``known`` is kept as a line, not weighed as a misspelling of
    one (the guess compares it with every key, for a message nobody reads there).
    """
    from dotenv.parser import parse_stream

    entries: list[EnvLine] = []
    errors: list[ConfigError] = []
    for binding in parse_stream(io.StringIO(text)):
        original, key, value = binding.original.string, binding.key, binding.value
        label = f"{where} line {binding.original.line}"
        if not binding.error and key is None:
            continue  # a comment or a blank line
        if binding.error or key is None or (value is None and not _is_name(key)):
            errors.append(_unparsed(label, original))
        elif judged and (problem := _key_problem(key, known)):
            errors.append(ConfigError(label, *problem))
        elif value is None:
            errors.append(ConfigError(label, f"{key} has no =, so this line is not read",
                                      f"write {key}=value, or put # at its start to keep it as a comment"))
        elif key in known and (problem := _value_problem(value, original, known)):
            errors.append(ConfigError(f"{label} ({key})", *problem))
        else:
            entries.append(EnvLine(binding.original.line, key, value))
    return _interpolated(entries), errors + _repeated(entries, where, known)


def _repeated(entries: list[EnvLine], where: str, known: list[str]) -> list[ConfigError]:
    """Each of our keys set on more than one line: which value was meant is for the volunteer."""
    lines: dict[str, list[int]] = {}
    for e in entries:
        if e.key in known:
            lines.setdefault(e.key, []).append(e.line)
    return [
        ConfigError(
            f"{where} lines {', '.join(map(str, found))} ({key})",
            f"{key} is set on {len(found)} lines; only the last would be read",
            "keep the line you mean and delete the others (or put # at their start)",
        )
        for key, found in lines.items()
        if len(found) > 1
    ]


def _interpolated(entries: list[EnvLine]) -> list[EnvLine]:
    """``${NAME}`` in values filled in as python-dotenv does (earlier lines, then the environment)."""
    from dotenv.variables import parse_variables

    seen: dict[str, str | None] = {}
    out = []
    for e in entries:
        scope = {**os.environ, **seen}
        value = "".join(atom.resolve(scope) for atom in parse_variables(e.value))
        seen[e.key] = value
        out.append(EnvLine(e.line, e.key, value))
    return out


def _unparsed(label: str, original: str) -> ConfigError:
    """Why dotenv could not read the line ``label`` names, and what to write instead."""
    first = original.split("\n", 1)[0]
    found = _ASSIGNMENT.match(first)
    if found is None:
        return ConfigError(label, "this line is not a setting (NAME=value), so it is not read",
                           "write it as NAME=value, or put # at its start to keep it as a comment")
    name = found.group(1).strip().strip("\"'")
    label += f" ({name})" if _is_name(name) else ""
    value = first[found.end():].strip()
    if not _is_name(name):
        return ConfigError(label, f"{name[:40]!r} cannot be a setting's name (a space or a sign in it)",
                           "write the name in capitals, digits and _ only, e.g. DIGEST_ORG_NAME=...")
    quote = value[:1]
    if quote in ("'", '"') and value.count(quote) < 2 + value.count("\\" + quote):
        return ConfigError(label, f"the quote ({quote}) that opens the value is never closed, "
                           "so this line is not read", f"add the closing {quote} at the end of the value")
    if quote in ("'", '"'):
        return ConfigError(label, "text follows the value's closing quote",
                           "put the whole value inside the quotes, or start a comment with ' #'")
    return ConfigError(label, "cannot be read as NAME=value", "check its quotes and its =")


def _key_problem(key: str, known: list[str]) -> tuple[str, str] | None:
    """(problem, fix) when ``key`` is meant as one of ours but digest would not read it."""
    upper = key.upper()
    if key in known:
        return None
    bare = upper.strip("\"' ")
    if bare != upper and bare in known:
        return f"{key} is not read: the name is in quotes", f"write {bare}=value"
    if upper in known:
        return f"{key} is not read: setting names are in capitals", f"write {upper}"
    if PREFIX + upper in known:
        return f"{key} is not read: digest reads only names starting {PREFIX}", f"write {PREFIX}{upper}"
    head, _, tail = upper.partition("_")
    if PREFIX + tail in known and difflib.SequenceMatcher(None, head, PREFIX[:-1]).ratio() >= 0.6:
        return f"{key} is not read: the {PREFIX} prefix is misspelt", f"write {PREFIX}{tail}"
    if re.match(r"DIGEST[^A-Z0-9]", upper) or _is_near(upper, known):
        guess = closest_key(upper, known)
        fix = f"did you mean {guess}?" if guess else "remove it, or see .env.example for the keys we read"
        return f"{key} is not a setting digest knows", fix
    return None  # another program's variable: not ours to judge


def _value_problem(value: str, original: str, known: list[str]) -> tuple[str, str] | None:
    """(problem, fix) for a value of ours that dotenv read but that is plainly not what was meant."""
    text = original.split("=", 1)[1].strip() if "=" in original else ""
    if "\n" in value:
        names = set(known) | {key.removeprefix(PREFIX) for key in known}
        for later in original.split("\n")[1:]:
            found = _ASSIGNMENT.match(later)
            if found and found.group(1).strip().upper() in names:
                return ("its quote is closed only some lines later, so the settings in between "
                        "are read as part of its value", "close the quote at the end of this line's value")
    elif text[:1] not in ("'", '"') and value.count('"') % 2:
        return 'a quote (") in the value has no partner', 'put the whole value in quotes: NAME="value"'
    return None


def _is_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name))


def _is_near(upper: str, known: list[str]) -> bool:
    """A name that is one of ours but for its separators (``DIGESTTIMEZONE``, ``DIGEST-TIMEZONE``)."""
    squeezed = re.sub(r"[^A-Z0-9]", "", upper)
    return any(squeezed == key.replace("_", "") for key in known)


def closest_key(name: str, known: list[str]) -> str:
    """The known key a misspelt one most likely meant ('' when none is close)."""
    matches = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.6)
    return matches[0] if matches else ""


def env_file_problem(path: Path, label: str) -> ConfigError | None:
    """Why ``path`` (which is there, maybe only as a link) cannot be read as a settings file: a
    link to nothing, a loop of links, a folder, no permission; None when it can be."""
    fix = "fix or recreate it: cp .env.example .env"
    problem, dangling = link_problem(path)
    if dangling:
        relink = "point it at your settings file, or remove it and cp .env.example .env"
        return ConfigError(label, problem, relink)
    if problem:
        return ConfigError(label, problem, fix)
    if not path.is_file():
        return ConfigError(label, f"{path} is not a file", fix)
    return None


def link_problem(path: Path) -> tuple[str, bool]:
    """(why ``path`` cannot be reached, whether it is a link to nothing): a link to something gone,
    links that point at each other, no permission on a folder above; ('', False) when it can be
    reached, and when nothing is there at all (no link either)."""
    try:
        path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return f"{path} is a link to {_target(path)}, which does not exist", True
        return "", False
    except OSError as exc:  # ELOOP (links that point at each other), EACCES on a folder above
        return f"{path} cannot be opened ({exc.strerror or exc})", False
    return "", False


def _target(path: Path) -> str:
    try:
        return str(path.readlink())
    except OSError:
        return "a file"
