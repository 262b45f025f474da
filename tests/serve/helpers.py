"""Helpers of the serve tests: forms with their CSRF token, emails caught in the outbox."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import requests


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
