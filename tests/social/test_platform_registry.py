"""One class per social platform owns everything about it; no other module of digest names one.

The platform modules are the list (digest/social/platforms/registry.py): the
DIGEST_SOCIAL_PLATFORMS choices, the keys read from `.env`, the limits and counting
rules all come from the classes. A module dropped into the package is a platform.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import digest.social.platforms
from digest.config import example_env, readme_table
from digest.errors import ConfigError
from digest.plugins import plugins
from digest.social.platforms.base import Publisher
from digest.social.platforms.registry import (
    limits,
    measure,
    measure_for,
    missing_keys,
    platform_class,
    platform_names,
    platforms,
)

REPO = Path(__file__).resolve().parents[2]
PLATFORMS_DIR = REPO / "digest" / "social" / "platforms"

DUMMY = '''
"""A platform that counts words (a test of the registry)."""

from dataclasses import dataclass

from digest.config.social import platform_key
from digest.social.platforms.base import Publisher


@dataclass(frozen=True, kw_only=True)
class PigeonSettings:
    token: str = platform_key("DIGEST_PIGEON_TOKEN", "Token of the pigeon loft for the registry test.")


class Pigeon(Publisher):
    name = "pigeon"
    limit, unit, max_hashtags = 5, "words", 1
    settings_class = PigeonSettings
    required = ("token",)

    @classmethod
    def count(cls, text):
        return len(text.split())

    @classmethod
    def from_settings(cls, settings, store):
        return cls("http://127.0.0.1:9", settings.social_timeout)
'''


def test_the_modules_are_the_list() -> None:
    names = platform_names()
    defining = {p.stem for p in PLATFORMS_DIR.glob("*.py") if "(Publisher):" in p.read_text(encoding="utf-8")}
    assert set(names) == defining - {"base"} and len(names) >= 6
    for name, cls in platforms().items():
        assert issubclass(cls, Publisher) and cls.name == name
        assert cls.limit > 0 and cls.unit and cls.max_hashtags >= 1 and cls.settings_class is not None
        assert cls.required, name
        assert measure(name, "").used == 0 and measure(name, "a b").limit == cls.limit
    assert {n: lim.size for n, lim in limits().items()} == {n: c.limit for n, c in platforms().items()}
    table = readme_table(plugins()).splitlines()
    social_row = next(r for r in table if r.startswith("| `DIGEST_SOCIAL_PLATFORMS`"))
    assert all(name in social_row for name in names)


# Names that are also ordinary words or letters ("threads" of a server, a variable x):
# for them, look for the capitalised name and the name used as a value.
AMBIGUOUS = {"x", "threads"}


def _pattern(name: str) -> str:
    if name not in AMBIGUOUS:
        return rf"\b{name}\b"
    quoted = rf"""(?:==|!=|\(|\bin\b)\s*["']{name}["']|["']{name}["']\s*(?:==|!=|\))"""
    if name == "x":
        # The letter alone is a placeholder (``--flag X``) or a variable: look for the platform's
        # identifiers, its class and the prose that names it.
        return rf"""{quoted}|\bx_(?:weighted|links|rejects)\w*|_X_\w+|\bX\(|\bX's\b|\bon X\b|\bX API\b"""
    return rf"{quoted}|\b{name.capitalize()}\b"


def test_no_platform_is_named_outside_its_module() -> None:
    offenders = []
    for path in sorted((REPO / "digest").rglob("*.py")):
        if PLATFORMS_DIR in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        for name in platform_names():
            found = re.findall(_pattern(name), text, flags=re.IGNORECASE if name not in AMBIGUOUS else 0)
            if found:
                offenders.append((str(path.relative_to(REPO)), name, found[:3]))
    assert offenders == []


@pytest.fixture
def pigeon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    folder = tmp_path / "tests" / "more_platforms"  # "tests": see _import_the_whole_package (conftest)
    folder.mkdir(parents=True)
    (folder / "pigeon.py").write_text(textwrap.dedent(DUMMY), encoding="utf-8")
    path = [*digest.social.platforms.__path__, str(folder)]
    monkeypatch.setattr(digest.social.platforms, "__path__", path)
    platforms.cache_clear()
    yield
    sys.modules.pop("digest.social.platforms.pigeon", None)
    platforms.cache_clear()


def test_a_dropped_in_module_is_a_platform(pigeon, make_settings) -> None:  # type: ignore[no-untyped-def]
    assert "pigeon" in platform_names()
    assert "DIGEST_PIGEON_TOKEN=" in example_env(plugins())
    settings = make_settings(DIGEST_SOCIAL_PLATFORMS="pigeon")
    assert missing_keys(settings) == [("pigeon", "DIGEST_PIGEON_TOKEN")]
    m = measure_for(settings, "pigeon", "one two three four five six")
    assert (m.used, m.limit, m.unit, m.fits) == (6, 5, "words", False)
    ready = make_settings(DIGEST_SOCIAL_PLATFORMS="pigeon", DIGEST_PIGEON_TOKEN="t")
    assert missing_keys(ready) == []
    assert type(platform_class("pigeon").from_settings(ready, None)).__name__ == "Pigeon"


def test_unknown_platform_names_the_choices(make_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_SOCIAL_PLATFORMS="myspace")
    assert caught.value.key == "DIGEST_SOCIAL_PLATFORMS"
    assert all(name in str(caught.value) for name in platform_names())


def test_server_limit_comes_from_the_platform_settings(make_settings) -> None:  # type: ignore[no-untyped-def]
    name = next(n for n, c in platforms().items() if c.limit_for.__func__ is not Publisher.limit_for.__func__)  # type: ignore[attr-defined]
    cls = platform_class(name)
    key = next(f.metadata["env"] for f in cls.settings_class.__dataclass_fields__.values()  # type: ignore[union-attr]
               if f.name == "max_characters")
    settings = make_settings(**{key: "1000"})
    assert measure_for(settings, name, "a").limit == 1000
    assert measure_for(make_settings(), name, "a").limit == cls.limit
