"""Reading the settings imports the chosen plugins only (issue 24), and reads them exactly as
reading them with every plugin does: the same values, every plugin's keys, the same errors and
warnings word for word, whatever the `.env` and the environment hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import SCHEDULE_CHECK, SOURCES_CHECK, declared_fields, inspect
from digest.config.loader import Inspection
from digest.plugins import LOOKUP, plugins
from digest.providers.registry import providers, rehearsal_among, rehearsal_only
from digest.social.platforms.registry import platforms
from tests.paths import SAMPLE

PROBE = """
import json, sys
from digest.plugins import load_settings
load_settings(environ=json.loads(sys.argv[1]), read_dotenv=False)
print(json.dumps(sorted(sys.modules)))
"""


def _imported_by_settings(environ: dict[str, str], tmp_path: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    values = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE), **environ}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(values)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _plugin_modules() -> dict[str, str]:
    """Each provider's and platform's module, by its name."""
    return {name: cls.__module__ for name, cls in (*providers().items(), *platforms().items())}


SMTP = {"DIGEST_PROVIDER": "smtp", "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_FROM": "a@example.org"}
SOCIAL = {"DIGEST_SOCIAL_PLATFORMS": "mastodon,bluesky", "DIGEST_MASTODON_TOKEN": "t"}


@pytest.mark.parametrize(
    ("environ", "chosen"),
    [
        ({}, {"outbox"}),
        ({"DIGEST_PROVIDER": "outbox"}, {"outbox"}),
        (SOCIAL, {"outbox", "mastodon", "bluesky"}),
        (SMTP, {"smtp"}),
    ],
)
def test_settings_import_only_the_chosen_plugins(
    environ: dict[str, str], chosen: set[str], tmp_path: Path
) -> None:
    loaded = _imported_by_settings(environ, tmp_path)
    modules = _plugin_modules()
    assert {modules[name] for name in chosen} <= loaded  # the probe read these settings
    others = {module for name, module in modules.items() if name not in chosen} - {modules[n] for n in chosen}
    assert not others & loaded, sorted(others & loaded)
    if not environ.get("DIGEST_SOCIAL_PLATFORMS"):  # nor the platforms' base, transport and image rules
        assert not {"digest.social.platforms.base", "digest.transport"} & loaded


def test_another_plugins_key_makes_every_plugin_read(tmp_path: Path) -> None:
    """A key only another provider reads is that provider's, not an unknown one: read as before."""
    loaded = _imported_by_settings({"DIGEST_MAILGUN_API_KEY": "key-1"}, tmp_path)
    assert set(_plugin_modules().values()) <= loaded


# Lines a volunteer's .env may hold: the shared settings, the chosen plugins' and other plugins'
# keys, near-misses of both, another program's variables, a quote closed lines later.
LINES = """DIGEST_PROVIDER=outbox
DIGEST_PROVIDER=smtp
DIGEST_PROVIDER=mailgun
DIGEST_PROVIDER=mailgunn
DIGEST_PROVIDER=sendgrid-campaign
DIGEST_PROVIDER=base
DIGEST_PROVIDER=Outbox
DIGEST_SOCIAL_PLATFORMS=mastodon
DIGEST_SOCIAL_PLATFORMS=x, bluesky
DIGEST_SOCIAL_PLATFORMS=myspace
DIGEST_SMTP_HOST=127.0.0.1
DIGEST_SMTP_USERNAME=news
DIGEST_SMTP_PASSWORD=pw
DIGEST_FROM=a@example.org
DIGEST_MAILGUN_API_KEY=key-1
DIGEST_MAILGUN_DOMAIN=mg.example.org
DIGEST_MASTODON_TOKEN=t
DIGEST_MASTODON_BASE_URL=https://social.example.org
DIGEST_BOUNCE_MAILBOX=imaps://b@mail.example.org/INBOX
SMTP_HOST=mail.example.org
smtp_password=pw
DIGEST_MAILGUN_APIKEY=k
DIGSET_MASTODON_TOKEN=t
DIGEST_ORG_NAME=Hanbit
DIGEST_TIMEZONE=Asia/Seoul
DIGEST_LANGUAGE=ko
DIGEST_TIMEZNE=Asia/Seoul
DIGEST_SUMMARISER=llm
DIGEST_SCHEDULE=0 9 * * 1
DIGEST_SOCIAL_SCHEDULE=0 25 * * *
POSTGRES_PASSWORD=pw
PATH_EXTRA=/opt/bin""".splitlines()
LINES.append('DIGEST_ORG_NAME="Hanbit\nDIGEST_MAILGUN_DOMAIN=mg.example.org\n"')


def _read(found: Inspection) -> dict[str, Any]:
    """Everything a reading gives: each declared key's value (every plugin's too), the problems
    and the warnings, as text."""
    values = {}
    for cls, f in declared_fields(plugins()):
        holder = found.settings if cls is type(found.settings) else found.settings.options(cls)
        values[f.metadata["env"]] = repr(getattr(holder, f.name))
    return {
        "values": values,
        "errors": {key: str(error) for key, error in found.errors.items()},
        "warnings": [found.warnings, found.social_warnings, found.sample_warnings],
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file=st.lists(st.sampled_from(LINES), max_size=6),
    environ=st.lists(st.sampled_from([line for line in LINES if "\n" not in line]), max_size=3),
    skip=st.sampled_from([(), (SCHEDULE_CHECK,), (SOURCES_CHECK, SCHEDULE_CHECK)]),
)
def test_the_chosen_plugins_read_settings_as_every_plugin_does(
    file: list[str], environ: list[str], skip: tuple[str, ...], tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(file) + "\n", encoding="utf-8")
    values = dict(line.split("=", 1) for line in environ)
    values.update({"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE)})
    chosen = inspect(env_file, values, plugins=LOOKUP, skip=skip)
    assert _read(chosen) == _read(inspect(env_file, values, plugins=plugins(), skip=skip))


def test_rehearsal_channels_are_told_from_the_providers_they_name() -> None:
    """`digest status` looks up only the providers its editions went to (rehearsal_among)."""
    channels = [cls.channel() for cls in providers().values()]
    assert channels == [f"email:{name}" for name in providers()]  # what rehearsal_among reads
    found = rehearsal_among([*channels, "email:gone", "social:mastodon", "outbox"])
    assert found == rehearsal_only() and found  # the outbox is one
