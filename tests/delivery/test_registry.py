"""The provider registry: the modules of digest/providers are the only list of providers.

The drop-in test writes a new provider module into a folder on the package's path
(where pip or a maintainer would put one) and uses it through the ordinary entry
points, with no other file edited: settings, the required-key check, the docs and
a real send through the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config import describe, example_env, readme_table
from digest.errors import ConfigError
from digest.plugins import plugins
from digest.providers import make_provider, providers
from digest.providers.registry import provider_names, settings_classes
from tests.delivery.conftest import add_subscribers
from tests.fakes.dropin import provider_module

DUMMY = '''
"""A provider that appends one line per message to a file (a test of the registry)."""

from dataclasses import dataclass

from digest.config.base import setting
from digest.config.delivery import provider_key
from digest.providers.base import Provider, SendResult


@dataclass(frozen=True, kw_only=True)
class DummySettings:
    token: str = provider_key("DIGEST_DUMMY_TOKEN", "Dummy API token for the registry test.", secret=True)
    log_name: str = setting(
        "DIGEST_DUMMY_LOG", "dummy.log", "File in the data folder the dummy appends to.", section="Delivery"
    )


class DummyProvider(Provider):
    name = "dummy"
    kind = "message"
    batch_size = 7
    settings_class = DummySettings
    required = {"token": "any text will do"}

    def send_batch(self, batch, idem_key):
        path = self.shared.data_dir / self.options.log_name
        with path.open("a", encoding="utf-8") as log:
            for item in batch:
                log.write(f"{self.options.token} {item.recipient.email} {len(batch)}\\n")
        return SendResult(provider_id=idem_key[:8])
'''


@pytest.fixture
def dropped_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """digest/providers extended by a folder holding only dummy.py."""
    with provider_module(tmp_path / "more_providers", monkeypatch, "dummy", DUMMY) as folder:
        yield folder


def test_the_built_in_providers_are_found_by_their_modules() -> None:
    found = providers()
    assert {"outbox", "smtp", "sendgrid", "sendgrid-campaign", "mailgun", "postmark"} <= set(found)
    assert {"buttondown", "mailchimp", "listmonk", "brevo"} <= set(found)
    for name, cls in found.items():
        assert cls.name == name and cls.__module__.startswith("digest.providers.")
    # sendgrid and sendgrid-campaign share one settings class: its keys are declared once.
    assert found["sendgrid"].settings_class is found["sendgrid-campaign"].settings_class
    assert len(settings_classes()) == len(set(settings_classes()))


def provider_row() -> str:
    return next(r for r in readme_table(plugins()).splitlines() if r.startswith("| `DIGEST_PROVIDER`"))


def test_every_key_is_listed_once_in_the_docs() -> None:
    lines = example_env(plugins()).splitlines()
    keys = [line.split("=", 1)[0] for line in lines if line.startswith("DIGEST_")]
    assert len(keys) == len(set(keys))
    assert "DIGEST_SENDGRID_API_KEY" in keys and "DIGEST_SMTP_HOST" in keys
    assert all(name in provider_row() for name in provider_names())


def test_unknown_provider_names_the_choices(make_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_PROVIDER="carrier-pigeon")
    assert caught.value.key == "DIGEST_PROVIDER"
    assert "sendgrid-campaign" in str(caught.value) and "\n" not in str(caught.value)


def test_a_dropped_in_module_is_a_provider_without_other_edits(dropped_in, make_settings) -> None:  # type: ignore[no-untyped-def]
    assert "dummy" in provider_names()
    example = example_env(plugins())
    assert "DIGEST_DUMMY_TOKEN=" in example and "DIGEST_DUMMY_LOG=dummy.log" in example
    assert "dummy" in provider_row()
    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_PROVIDER="dummy")
    assert str(caught.value).startswith("DIGEST_DUMMY_TOKEN: is required for DIGEST_PROVIDER=dummy")
    settings = make_settings(DIGEST_PROVIDER="dummy", DIGEST_DUMMY_TOKEN="s3cret")
    assert ("DIGEST_DUMMY_TOKEN", "(set, hidden)") in [(k, v) for k, v, _h in describe(settings, plugins())]
    provider = make_provider(settings)
    assert type(provider).__name__ == "DummyProvider" and provider.options.token == "s3cret"


def test_a_dropped_in_provider_sends_through_the_ledger(dropped_in, world) -> None:  # type: ignore[no-untyped-def]
    w = world(DIGEST_PROVIDER="dummy", DIGEST_DUMMY_TOKEN="t0k", DIGEST_DUMMY_LOG="sent.log")
    emails = add_subscribers(w.engine, 20)
    report = w.send()
    again = w.send()
    assert report.status == "sent" and report.counts == {"sent": 3}  # 20 in batches of 7
    lines = (w.settings.data_dir / "sent.log").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split()[1] for line in lines) == emails  # one copy each, none twice
    assert {line.split()[0] for line in lines} == {"t0k"}
    assert max(int(line.split()[2]) for line in lines) == 7  # the module's batch_size is the limit
    assert "nothing sent again" in again.message
    assert {r.channel for r in w.rows()} == {"email:dummy"}
