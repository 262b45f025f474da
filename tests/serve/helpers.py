"""Helpers of the serve tests: the app over a fresh store, forms with their CSRF token, emails
caught in the outbox."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests

from tests.paths import SAMPLE


def app_client(root: Path, people: Iterable[str] = (), **env: str) -> tuple[Any, Any]:
    """`digest serve`'s app as a Flask test client over a fresh store in ``root`` (settings from
    ``env`` only), with ``people`` subscribed; and the store's engine (the caller disposes of it)."""
    from digest import subscribers
    from digest.plugins import load_settings
    from digest.serve import create_app
    from digest.store import open_store

    values = {"DIGEST_DATA_DIR": str(root / "var"), "DIGEST_SOURCES": str(SAMPLE), **env}
    settings = load_settings(environ=values, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    for address in people:
        subscribers.add(engine, address)
    return create_app(settings, engine).test_client(), engine


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def submit(session: requests.Session, url: str, **fields: str) -> requests.Response:
    """GET the form at ``url`` and POST it back with its hidden fields (the CSRF token) and ``fields``."""
    page = session.get(url)
    assert page.status_code == 200, page.status_code
    return session.post(url, data={**hidden_fields(page.text), **fields}, allow_redirects=False)


def outbox_messages(root: Path, address: str) -> list[EmailMessage]:
    found = sorted((root / "var" / "outbox").rglob(f"{address}.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in found]  # type: ignore[misc]


def first_link(message: EmailMessage, path: str) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"(https?://\S+" + re.escape(path) + r"\S+)", text)
    assert found, text
    return found.group(1)
