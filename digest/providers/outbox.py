"""The embedded default: write each message as an `.eml` file; nothing leaves the machine.

``outbox/<edition>/<address>.eml`` holds what a subscriber got (an address with
characters a file name should not have gets a hash as well, see :func:`file_stem`). A `digest send
--test` copy (its idempotency key starts with :data:`~digest.providers.base.TEST_KEY_PREFIX`) goes to
``outbox/<edition>/tests/<address>.eml`` instead, so a test copy to an address
that is also on the list never replaces that subscriber's message.

Since nothing is sent, the outbox is a rehearsal (``rehearsal = True``): the README's first
command sends the sample edition here, and a real provider configured afterwards still
sends this period's edition with its articles (see :mod:`digest.deliver.firstrun`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from digest.files import private_dir, write_private
from digest.links import campaign_slug
from digest.providers.base import TEST_KEY_PREFIX, Outgoing, Provider, SendResult, Shared, wire_bytes

# An address made only of these is its own file name (as stored: lower case).
_PLAIN = re.compile(r"[a-z0-9@._-]{1,200}")
TESTS_FOLDER = "tests"


class OutboxProvider(Provider):
    name = "outbox"
    batch_size = 50
    idempotent = True  # a resend overwrites the same file
    rehearsal = True  # nothing leaves the machine

    def folder(self, edition_key: str) -> Path:
        return edition_folder(self.shared.data_dir, edition_key)

    def path_for(self, item: Outgoing, idem_key: str) -> Path:
        """Where ``item`` is written: by address, test copies in their own folder."""
        folder = self.folder(item.edition_key)
        if idem_key.startswith(TEST_KEY_PREFIX):
            folder = folder / TESTS_FOLDER
        return folder / f"{file_stem(item.recipient.email)}.eml"

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        for item in batch:
            path = self.path_for(item, idem_key)
            data_dir = self.shared.data_dir
            for folder in (data_dir / "outbox", path.parent.parent, path.parent):
                if folder.is_relative_to(data_dir):
                    private_dir(folder)
            tmp = path.with_suffix(".eml.tmp")
            write_private(tmp, wire_bytes(item.message))  # 0600: it holds the address and its token
            tmp.replace(path)  # atomic: a crash never leaves half a message
        return SendResult(provider_id=idem_key[:12])

    @classmethod
    def where_sent(cls, shared: Shared, edition_key: str, people: int) -> str:
        folder = edition_folder(shared.data_dir, edition_key)
        files = len(list(folder.glob("*.eml"))) if folder.is_dir() else 0
        return f"{files} .eml file(s) in {folder}/ (nothing left this computer; open them in a mail program)"

    def copy_note(self, item: Outgoing, idem_key: str, result: SendResult) -> str:
        return f" (written to {self.path_for(item, idem_key)})"


def edition_folder(data_dir: Path, edition_key: str) -> Path:
    return data_dir / "outbox" / campaign_slug(edition_key)


def file_stem(address: str) -> str:
    """A file name for ``address``, never the same for two addresses.

    A plain address is used as it is. Any other (``a+b@``, upper case, very long,
    non-ASCII) keeps a readable cleaned-up form plus ``~`` and a hash of the exact
    address: ``~`` never occurs in a plain name, so the two kinds cannot meet either.
    """
    if _PLAIN.fullmatch(address) and not address.startswith("."):
        return address
    readable = re.sub(r"[^a-z0-9@._-]+", "_", address.lower())[:120].lstrip(".")
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"{readable}~{digest}"
