"""`digest send --test` with the outbox: the copy is kept apart from the subscriber's own message."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest

from digest.cli import main
from digest.store import open_store
from digest.store.ledger import Ledger
from tests.delivery.conftest import add_subscribers
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]


def test_a_test_copy_to_a_subscriber_does_not_replace_their_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / ".env"
    env.write_text(
        f"DIGEST_DATA_DIR={tmp_path / 'var'}\nDIGEST_SOURCES={SAMPLE}\n", encoding="utf-8"
    )
    (tmp_path / "var").mkdir()
    engine = open_store(f"sqlite:///{tmp_path / 'var' / 'digest.db'}")
    add_subscribers(engine, 2)
    outbox = tmp_path / "var" / "outbox"
    try:
        # A test copy before the edition exists (a fresh build), then the real send, then another test copy.
        assert main(["--env-file", str(env), "send", "--test", "Reader000000@example.net"]) == 0
        first_test = capsys.readouterr().out
        assert "test copy sent to reader000000@example.net" in first_test and "/tests/" in first_test
        assert main(["--env-file", str(env), "send"]) == 0
        edition = Ledger(engine).editions(1)[0]
        folder = next(outbox.iterdir())
        subscriber = folder / "reader000000@example.net.eml"
        original = subscriber.read_bytes()
        assert main(["--env-file", str(env), "send", "--test", "reader000000@example.net"]) == 0
        assert Ledger(engine).editions(1)[0].status == edition.status == "sent"
        assert len(Ledger(engine).deliveries(edition.key)) == 1  # no delivery row for the test copy
    finally:
        engine.dispose()
    assert subscriber.read_bytes() == original
    assert not message_from_bytes(original)["Subject"].startswith("[TEST]")
    copy = folder / "tests" / "reader000000@example.net.eml"
    subject = message_from_bytes(original)["Subject"]
    assert message_from_bytes(copy.read_bytes())["Subject"] == "[TEST] " + subject
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.eml")) == [
        "reader000000@example.net.eml",
        "reader000001@example.net.eml",
        "tests/reader000000@example.net.eml",
    ]
