"""Issue 20: the file half of `subscribers forget` (digest/scrub.py), on files it did not write.

Addresses are drawn (hypothesis), hidden in text and binary files in each spelling a file may use,
and the scrub must leave none; a binary file keeps its length, a symbolic link out of the folder
is not followed, a message naming the address only inside a quoted-printable part is deleted."""

from __future__ import annotations

import base64
import os
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.scrub import forms, scrub

LOCAL = st.text(st.sampled_from("abcxyz0189.+_-"), min_size=1, max_size=20).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
ADDRESS = st.builds(
    lambda local, domain: f"{local}@{domain}.example", LOCAL, st.sampled_from(["mail", "Big-Org"])
)


def spelled(address: str, offset: int) -> list[bytes]:
    raw = address.encode()
    return [
        raw,
        address.upper().encode(),
        quote(address, safe="").encode(),
        quote(address, safe="").lower().encode(),
        base64.b64encode(b"x" * offset + raw),
        base64.urlsafe_b64encode(b"yy"[:offset] + raw).rstrip(b"="),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=ADDRESS, offset=st.integers(0, 2), filler=st.binary(max_size=40))
def test_no_spelling_survives(tmp_path_factory, address: str, offset: int, filler: bytes) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("data")
    (folder / "logs").mkdir()
    text = b"\n".join(b"line " + form + b" end" for form in spelled(address, offset))
    (folder / "logs" / "old.log").write_bytes(text)
    binary = b"\0\1" + filler + b"\0".join(spelled(address, offset)) + b"\0"
    (folder / "backup.bin").write_bytes(binary)
    scrub(folder, address)
    found = forms(address)
    assert not found.found_in((folder / "logs" / "old.log").read_bytes())
    assert not found.found_in((folder / "backup.bin").read_bytes())
    assert len((folder / "backup.bin").read_bytes()) == len(binary)  # masked, not cut


def test_messages_are_deleted_links_are_not_followed(tmp_path: Path) -> None:
    address = "ann@example.org"
    data, outside = tmp_path / "var", tmp_path / "elsewhere"
    (data / "outbox" / "w1").mkdir(parents=True)
    outside.mkdir()
    hidden = EmailMessage()
    hidden["To"] = "someone@example.org"
    hidden.set_content("x" * 68 + f" about {address}", cte="quoted-printable")  # a soft break splits it
    (data / "outbox" / "w1" / "note.eml").write_bytes(bytes(hidden))
    assert address.encode() not in bytes(hidden)
    (data / "outbox" / "w1" / "other.eml").write_bytes(b"To: bo@example.org\r\n\r\nhello\r\n")
    (outside / "mine.txt").write_text(f"{address}\n")
    os.symlink(outside / "mine.txt", data / "link.txt")
    os.symlink(outside, data / "folder-link")
    done = scrub(data, address)
    assert [p.name for p in done.deleted] == ["note.eml"]
    assert (data / "outbox" / "w1" / "other.eml").exists()
    assert (outside / "mine.txt").read_text() == f"{address}\n"  # outside the data folder: not ours
