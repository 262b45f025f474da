"""The embedded default: write each message as an `.eml` file; nothing leaves the machine.

``outbox/<edition>/<address>.eml`` holds what a subscriber got. A `digest send
--test` copy (its idempotency key starts with :data:`TEST_KEY_PREFIX`) goes to
``outbox/<edition>/tests/<address>.eml`` instead, so a test copy to an address
that is also on the list never replaces that subscriber's message.
"""

from __future__ import annotations

import re
from pathlib import Path

from digest.files import private_dir, write_private
from digest.links import campaign_slug
from digest.providers.base import Outgoing, Provider, SendResult, wire_bytes

# Idempotency keys of test copies (digest.deliver.testcopy makes them).
TEST_KEY_PREFIX = "test-"
TESTS_FOLDER = "tests"


class OutboxProvider(Provider):
    name = "outbox"
    kind = "message"
    batch_size = 50
    idempotent = True  # a resend overwrites the same file

    def folder(self, edition_key: str) -> Path:
        return self.settings.data_dir / "outbox" / campaign_slug(edition_key)

    def path_for(self, item: Outgoing, idem_key: str) -> Path:
        """Where ``item`` is written: by address, test copies in their own folder."""
        folder = self.folder(item.edition_key)
        if idem_key.startswith(TEST_KEY_PREFIX):
            folder = folder / TESTS_FOLDER
        safe = re.sub(r"[^A-Za-z0-9@._-]+", "_", item.recipient.email)
        return folder / f"{safe}.eml"

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        for item in batch:
            path = self.path_for(item, idem_key)
            for folder in (self.settings.data_dir / "outbox", path.parent.parent, path.parent):
                if folder.is_relative_to(self.settings.data_dir):
                    private_dir(folder)
            tmp = path.with_suffix(".eml.tmp")
            write_private(tmp, wire_bytes(item.message))  # 0600: it holds the address and its token
            tmp.replace(path)  # atomic: a crash never leaves half a message
        return SendResult(provider_id=idem_key[:12])
