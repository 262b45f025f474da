"""An address taken out of every file under the data folder (`digest subscribers forget`).

The database is erased through the store; this is everything else digest (or a volunteer) left
in the folder: the outbox's messages, test copies, logs, a preview or an export saved there.
The address is looked for in every form a file may hold it: as written in any case, percent-
encoded (an unsubscribe link's query), in base64 and base64url at each of the three alignments
(the unsubscribe token, a MIME part), and, in a message, in its decoded headers and parts
(quoted-printable splits long lines).

- A message (``.eml``) that holds it was written to or about that person: it is deleted.
- Any other file is rewritten with each form replaced: by ``[forgotten]`` in a text file, by
  as many ``*`` in a binary one (so a file whose format counts bytes still reads).

Symbolic links are not followed, and the files of the live database are left to the store.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ERASED = b"[forgotten]"
MAX_BYTES = 512 * 1024 * 1024  # a file bigger than this is reported, not read whole into memory


@dataclass
class Scrubbed:
    deleted: list[Path] = field(default_factory=list)
    rewritten: list[Path] = field(default_factory=list)
    too_big: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Forms:
    """How a file may hold an address: ``loose`` matches it as written in any case with any of its
    signs percent-encoded (``%40`` or ``@``, ``%2b`` or ``+``); ``exact`` are its base64 texts."""

    loose: re.Pattern[bytes]
    exact: tuple[bytes, ...]

    def found_in(self, data: bytes) -> bool:
        return self.loose.search(data) is not None or any(form in data for form in self.exact)


def forms(address: str) -> Forms:
    variants = {address, address.lower()}
    local, _, domain = address.partition("@")
    try:
        variants.add(f"{local}@{domain.encode('ascii').decode('idna')}")  # xn-- shown as its letters
    except UnicodeError:
        pass
    spelled = [b"".join(_either(ch) for ch in text) for text in sorted(variants)]
    exact: set[bytes] = set()
    for text in variants:
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            exact |= set(_aligned(text.encode("utf-8"), encode))
    return Forms(re.compile(b"|".join(spelled), re.IGNORECASE), tuple(sorted(exact, key=len, reverse=True)))


def _either(ch: str) -> bytes:
    """A character as itself or percent-encoded (each byte of it), for a pattern."""
    raw = ch.encode("utf-8")
    if ch.isalnum() and ch.isascii():
        return re.escape(raw)
    return b"(?:" + re.escape(raw) + b"|" + b"".join(b"%%%02x" % byte for byte in raw) + b")"


def _aligned(raw: bytes, encode: object) -> Iterable[bytes]:
    """The base64 text of ``raw`` wherever it starts in a stream: at each of the three offsets, only
    the characters that depend on ``raw`` alone (the first and last may mix with neighbours)."""
    for offset in range(3):
        text = encode(b"\0" * offset + raw)  # type: ignore[operator]
        start = (offset * 4 + 2) // 3  # the first character with no bit of the bytes before
        end = (offset + len(raw)) * 4 // 3  # the last with no bit of the bytes after
        if end - start >= 8:
            yield text[start:end]


def scrub(folder: Path, address: str, skip: Iterable[Path] = ()) -> Scrubbed:
    """Take ``address`` out of every file under ``folder`` (but ``skip``); says what it did."""
    found = forms(address)
    left_alone = {p.resolve() for p in skip}
    done = Scrubbed()
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file() or path.resolve() in left_alone:
                continue
            if path.stat().st_size > MAX_BYTES:
                done.too_big.append(path)
                continue
            _one(path, found, done)
    return done


def _one(path: Path, found: Forms, done: Scrubbed) -> None:
    data = path.read_bytes()
    if path.suffix.lower() in (".eml", ".tmp") and _message_names(data, found):
        path.unlink()
        done.deleted.append(path)
        return
    changed = _replace(data, found, text=b"\0" not in data)
    if changed != data:
        _rewrite(path, changed)
        done.rewritten.append(path)


def _message_names(data: bytes, found: Forms) -> bool:
    if found.found_in(data):
        return True
    message = email.message_from_bytes(data, policy=email.policy.default)
    parts = [str(value).encode("utf-8", "replace") for value in message.values()]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload)
    return any(found.found_in(part) for part in parts)


def _replace(data: bytes, found: Forms, text: bool) -> bytes:
    def instead(match: re.Match[bytes]) -> bytes:
        return ERASED if text else b"*" * len(match.group(0))

    data = found.loose.sub(instead, data)
    for form in found.exact:
        data = data.replace(form, ERASED if text else b"*" * len(form))
    return data


def _rewrite(path: Path, data: bytes) -> None:
    """In place (not a new file renamed over it): a process appending to a log keeps its file."""
    with path.open("r+b") as handle:
        handle.write(data)
        handle.truncate()
