"""Reading settings: the `.env` file and the environment, every key checked, all problems collected.

Two callers: :func:`digest.config.load_settings` wants the first problem as a ConfigError
(exit 2 at start-up, before anything is done), and `digest config` wants every problem shown
beside its key while the rest still prints. Both go through :func:`inspect_settings`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digest.config.base import check_choice, fields_of, parse_field
from digest.config.envfile import EnvLine, closest_key, env_file_problem, parse_env_text
from digest.config.plugins import PluginLookup, Plugins
from digest.errors import ConfigError

# A .env is a few kilobytes; anything this big is the wrong file.
MAX_ENV_FILE_BYTES = 1_000_000
ENV_FILE = ".env"


@dataclass
class Inspection:
    """What was read, from where, and what is wrong with it (key -> one-line problem)."""

    values: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    errors: dict[str, ConfigError] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    social_warnings: list[str] = field(default_factory=list)
    sample_warnings: list[str] = field(default_factory=list)  # shown by `digest config` only
    unread: list[str] = field(default_factory=list)  # keys of the file that are not ours (another program's)
    settings: Any = None

    def add(self, error: ConfigError) -> None:
        self.errors.setdefault(error.key, error)

    def first_error(self) -> ConfigError | None:
        return next(iter(self.errors.values()), None)


def read_env_file(
    path: Path, known: list[str], judged: bool = True
) -> tuple[list[EnvLine], list[ConfigError]]:
    """The settings of a `.env` file and the problems of its lines (see digest.config.envfile);
    a file that cannot be read at all is a ConfigError."""
    key = str(path) if path.name != ENV_FILE else ENV_FILE
    fix = "fix or recreate it: cp .env.example .env"
    problem = env_file_problem(path, key)
    if problem is not None:
        raise problem
    try:
        if path.stat().st_size > MAX_ENV_FILE_BYTES:
            raise ConfigError(key, f"{path} is over {MAX_ENV_FILE_BYTES:,} bytes, not a settings file", fix)
        data = path.read_bytes()
    except OSError as exc:
        why = f"{path} cannot be read ({exc.strerror or exc})"
        raise ConfigError(key, why, "check its permissions") from None
    if b"\x00" in data:
        raise ConfigError(key, f"{path} is a binary file, not settings", fix)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            key, f"{path} is not UTF-8 text (byte {exc.start})", "save it as UTF-8 in your editor"
        ) from None
    return parse_env_text(text, key, known, judged=judged)


def unknown_key_error(name: str, known: list[str]) -> ConfigError:
    guess = closest_key(name, known)
    fix = f"did you mean {guess}?" if guess else "remove it, or see .env.example for the keys digest reads"
    return ConfigError(name, "is not a setting digest knows", fix)


def gather(
    env_file: Path | None, environ: Mapping[str, str], read_dotenv: bool, found: Inspection, known: list[str],
    judged: bool = True,
) -> None:
    """Fill ``found.values``/``origin`` from the file, then the environment (which wins).
    ``judged=False`` (a first reading that only looks for the plugins chosen, its problems unread):
    names not in ``known`` (the plugins' own, among them) are passed over without a guess at what
    they meant, which costs milliseconds a name."""
    path = env_file if env_file is not None else Path(ENV_FILE)
    there = os.path.lexists(path)  # a link to nothing is there, and wrong: not the same as no file
    if env_file is not None and not there:
        found.add(ConfigError("--env-file", f"{path} does not exist", "give the path of your .env file"))
    elif read_dotenv and there:
        try:
            lines, problems = read_env_file(path, known, judged)
        except ConfigError as exc:
            lines, problems = [], [exc]
        for problem in problems:
            found.add(problem)
        for line in lines:
            if line.key in known:
                found.values[line.key], found.origin[line.key] = line.value, ENV_FILE
            else:
                found.unread.append(line.key)
    for name, value in environ.items():
        if not name.startswith("DIGEST_"):
            continue
        if name not in known:
            # Other programs (and our tests' DIGEST_TEST_*) may set variables; only warn.
            if judged and not name.startswith("DIGEST_TEST_"):
                warning = str(unknown_key_error(name, known)) + " (ignored, from the environment)"
                found.warnings.append(warning)
            continue
        found.values[name], found.origin[name] = value, "environment"


def inspect_settings(
    cls: type,
    plugins: Plugins | PluginLookup,
    env_file: Path | None,
    environ: Mapping[str, str],
    *,
    read_dotenv: bool = True,
    prepare: Callable[[dict[str, str]], None] | None = None,
    skip: Collection[str] = (),
) -> Inspection:
    """Read and check every setting of ``cls`` and of each plugin's settings class; never raises
    for a setting's problem. ``prepare`` may fill in values that depend on others (the sample
    articles) before parsing. Given a :class:`PluginLookup`, the settings are read with the plugins
    they choose when that reads them exactly as every plugin would (see :func:`_alike`)."""
    read = functools.partial(
        _inspect, cls, env_file=env_file, environ=environ, read_dotenv=read_dotenv, prepare=prepare, skip=skip
    )
    if isinstance(plugins, Plugins):
        return read(plugins)
    chosen = plugins.chosen(_unchecked(cls, env_file, environ, read_dotenv, prepare, skip))
    if chosen is not None:
        found = read(chosen)
        if _alike(found) and plugins.chosen(found.settings) == chosen:
            return found
    return read(plugins.every())


def _unchecked(
    cls: type, env_file: Path | None, environ: Mapping[str, str], read_dotenv: bool,
    prepare: Callable[[dict[str, str]], None] | None,
    skip: Collection[str],
) -> Any:
    """``cls`` read without any plugin and unchecked: enough to see which plugins it names."""
    found = Inspection()
    gather(env_file, environ, read_dotenv, found, [f.metadata["env"] for f in fields_of(cls)], judged=False)
    if prepare is not None:
        prepare(found.values)
    return cls(**_parse_fields(cls, found, Plugins(), skip))


def _alike(found: Inspection) -> bool:
    """Whether every plugin would have read these settings as the chosen ones did: nothing is
    wrong (a problem's message may name, or guess, another plugin's key), every key set is one of
    theirs (another's near-miss of a name may be one), no value runs over several lines (a quote
    closed lines later is told by the keys in between)."""
    return not (
        found.errors or found.warnings or found.unread or any("\n" in v for v in found.values.values())
    )


def _inspect(
    cls: type,
    plugins: Plugins,
    *,
    env_file: Path | None,
    environ: Mapping[str, str],
    read_dotenv: bool,
    prepare: Callable[[dict[str, str]], None] | None,
    skip: Collection[str],
) -> Inspection:
    known = [f.metadata["env"] for c in (cls, *plugins.classes) for f in fields_of(c)]
    found = Inspection()
    gather(env_file, environ, read_dotenv, found, known)
    if prepare is not None:
        prepare(found.values)
    parts = {c: c(**_parse_fields(c, found, plugins, skip)) for c in plugins.classes}
    found.settings = cls(**_parse_fields(cls, found, plugins, skip), extensions=parts)
    # The shared settings' checks, then the plugins' checks of them, then each plugin's own.
    checks = _checks_of(found.settings, skip) + [functools.partial(c, found.settings) for c in plugins.checks]
    for check in checks + [check for part in parts.values() for check in _checks_of(part)]:
        try:
            check()
        except ConfigError as exc:
            found.add(exc)
    found.social_warnings = [line for warn in plugins.warnings for line in warn(found.settings)]
    found.sample_warnings = list(getattr(found.settings, "sample_warnings", lambda: [])())
    return found


def _checks_of(part: object, skip: Collection[str] = ()) -> list[Callable[[], None]]:
    """A settings object's ``check_*`` methods, by name (but those named in ``skip``)."""
    names = [name for name in sorted(dir(part)) if name.startswith("check_") and name not in skip]
    return [getattr(part, name) for name in names]


def _parse_fields(
    cls: type, found: Inspection, plugins: Plugins, skip: Collection[str] = ()
) -> dict[str, Any]:
    """The fields of ``cls`` that are set and parse; each refusal goes into ``found.errors``. A
    field parsed by a check in ``skip`` (``checked_by``) is kept as written."""
    parsed: dict[str, Any] = {}
    for f in fields_of(cls):
        key = f.metadata["env"]
        raw = found.values.get(key)
        if raw is None or raw.strip() == "":
            continue
        try:
            value = parse_field(f, raw, skip)
            if key in plugins.choices:
                check_choice(value, raw, plugins.choices[key])
        except ValueError as exc:
            found.add(ConfigError(key, str(exc), "fix it in .env"))
            continue
        parsed[f.name] = value
    return parsed
