"""A provider's webhook lives in its module: a module dropped into digest/providers with a
:class:`Webhook` subclass is served at /webhooks/<name>, its key read from its own settings
class, with no other file edited: `digest serve` dispatches /webhooks/<name> through the registry.
And the web side, the store, the commands and the jobs name no provider."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.providers import providers
from digest.store.mail_events import counts
from digest.store.signups import lookup
from tests.fakes.dropin import provider_module
from tests.serve.conftest import REPO
from tests.serve.helpers import app_client, sent_to

CARRIER = '''
"""A provider whose webhook takes its secret in a header (a test of the webhook registry)."""

from dataclasses import dataclass

from digest.config.base import setting
from digest.providers.base import Provider
from digest.providers.webhook import MailEvent, Webhook, WebhookRefused, epoch_time


@dataclass(frozen=True, kw_only=True)
class CarrierSettings:
    webhook_key: str = setting(
        "DIGEST_CARRIER_WEBHOOK_KEY", "", "Carrier's webhook secret.", secret=True, section="Web"
    )


class CarrierProvider(Provider):
    name = "carrier"
    settings_class = CarrierSettings


class CarrierWebhook(Webhook):
    name = "carrier"
    settings_class = CarrierSettings

    def events(self, inbound):
        if inbound.header("X-Carrier-Secret") != self.key:
            raise WebhookRefused(401, "wrong secret")
        item = inbound.json_object()
        return [
            MailEvent(
                event_id=f"carrier:{item['id']}",
                provider="carrier",
                kind=item["kind"],
                hard=True,
                recipient=item["to"],
                message_id=item.get("message", ""),
                at=epoch_time(item.get("at")),
            )
        ]
'''


@pytest.fixture
def dropped_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with provider_module(tmp_path / "more_providers", monkeypatch, "carrier", CARRIER) as folder:
        yield folder


def test_a_dropped_in_webhook_is_served_with_its_own_key(dropped_in, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, engine = app_client(tmp_path, ["gone@example.org"], DIGEST_CARRIER_WEBHOOK_KEY="pigeon-secret")
    try:
        sent_to(engine, ["gone@example.org"], "c-1", provider="carrier")
        event = {"id": "e1", "kind": "bounced", "to": "gone@example.org", "at": 1764583200, "message": "c-1"}
        body = json.dumps(event)
        wrong = client.post("/webhooks/carrier", data=body, headers={"X-Carrier-Secret": "guess"})
        assert wrong.status_code == 401 and counts(engine) == {}
        for _ in range(2):  # the carrier's retry is stored once
            right = {"X-Carrier-Secret": "pigeon-secret"}
            assert client.post("/webhooks/carrier", data=body, headers=right).status_code == 200
        assert counts(engine) == {"bounced": 1}
        assert lookup(engine, "gone@example.org").status == "bounced"  # type: ignore[union-attr]
        assert client.post("/webhooks/pigeon", data=body).status_code == 404  # no such webhook
    finally:
        engine.dispose()


def test_a_webhook_without_its_key_is_off(dropped_in, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, engine = app_client(tmp_path)
    try:
        body = json.dumps({"id": "e1", "kind": "bounced", "to": "a@example.org"})
        answer = client.post("/webhooks/carrier", data=body, headers={"X-Carrier-Secret": ""})
        assert answer.status_code == 404
    finally:
        engine.dispose()


def _provider_names_in(path: Path, names: set[str]) -> set[str]:
    """Provider names the code of a module uses: as a string of its own ("smtp"), in an identifier
    (``mailgun_webhook_key``) or in an import. Prose (help text, comments, docstrings) may name one."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value.strip().lower())
        elif isinstance(node, (ast.Name, ast.Attribute, ast.alias, ast.ImportFrom)):
            text = getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "name", None)
            text = text or getattr(node, "module", "") or ""
            found.update(re.split(r"[._]", text.lower()))
    return found & names


def test_the_web_side_store_commands_and_jobs_name_no_provider() -> None:
    """What a provider is and does is said in its module; the interfaces and the store ask the
    registry (or the provider class) instead."""
    names = set(providers()) - {"outbox"}  # the embedded default, named by tests and docs alike
    found = []
    for folder in ("digest/serve", "digest/store", "digest/cli", "jobs"):
        for path in sorted((REPO / folder).rglob("*.py")):
            found += [f"{path.relative_to(REPO)}: {n}" for n in sorted(_provider_names_in(path, names))]
    assert found == []
