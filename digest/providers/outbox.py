"""The embedded default: write each message as an `.eml` file; nothing leaves the machine."""

from __future__ import annotations

import re
from pathlib import Path

from digest.links import campaign_slug
from digest.providers.base import Outgoing, Provider, SendResult, wire_bytes


class OutboxProvider(Provider):
    name = "outbox"
    kind = "message"
    batch_size = 50
    idempotent = True  # a resend overwrites the same file

    def folder(self, edition_key: str) -> Path:
        return self.settings.data_dir / "outbox" / campaign_slug(edition_key)

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        for item in batch:
            folder = self.folder(item.edition_key)
            folder.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9@._-]+", "_", item.recipient.email)
            path = folder / f"{safe}.eml"
            tmp = path.with_suffix(".eml.tmp")
            tmp.write_bytes(wire_bytes(item.message))
            tmp.replace(path)  # atomic: a crash never leaves half a message
        return SendResult(provider_id=idem_key[:12])
