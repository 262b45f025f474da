"""`digest deliveries`: staff list and settle unknown and failed email deliveries, through the real CLI
and a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from digest.cli import main
from digest.store import open_store, schema
from digest.store.ledger import Ledger
from tests.delivery.conftest import add_subscribers
from tests.fakes.smtp import Mailbox, smtp_server
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., tuple[int, str]]


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """(cli, engine) for an SMTP server on ``port``: cli(*args) runs `digest ARGS` in-process."""
    engines = []

    def make(port: int, subscribers: int = 3) -> tuple[Cli, object]:
        env = tmp_path / ".env"
        env.write_text(
            f"DIGEST_DATA_DIR={tmp_path / 'var'}\nDIGEST_SOURCES={SAMPLE}\n"
            f"DIGEST_PROVIDER=smtp\nDIGEST_SMTP_HOST=127.0.0.1\nDIGEST_SMTP_PORT={port}\n"
            "DIGEST_SMTP_SECURITY=none\nDIGEST_SMTP_CONNECTIONS=1\nDIGEST_SEND_MAX_WAIT=5\n",
            encoding="utf-8",
        )
        (tmp_path / "var").mkdir(exist_ok=True)
        engine = open_store(f"sqlite:///{tmp_path / 'var' / 'digest.db'}")
        engines.append(engine)
        add_subscribers(engine, subscribers)

        def cli(*args: str) -> tuple[int, str]:
            capsys.readouterr()
            code = main(["--env-file", str(env), *args])
            captured = capsys.readouterr()
            return code, captured.out + captured.err

        return cli, engine

    yield make
    for engine in engines:
        engine.dispose()  # type: ignore[attr-defined]


def rows(engine) -> list:  # type: ignore[no-untyped-def,type-arg]
    key = Ledger(engine).editions(1)[0].key
    return Ledger(engine).deliveries(key, "email:smtp")


def status(cli: Cli) -> dict:  # type: ignore[type-arg]
    code, out = cli("status", "--json")
    return json.loads(out[: out.rindex("}") + 1])  # type: ignore[no-any-return]


def test_unknown_is_listed_then_resent_with_the_same_key_by_the_next_send(setup) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(data_replies=["", "drop"])  # reader000001's DATA: connection gone, outcome unknown
    with smtp_server(box) as (box, port):
        cli, engine = setup(port)
        code, out = cli("send")
        assert code == 1 and "1 unknown" in out and "digest deliveries --edition" in out
        unknown = [r for r in rows(engine) if r.status == "unknown"]
        assert [r.target for r in unknown] == ["to:reader000001@example.net"]
        row = unknown[0]

        code, out = cli("deliveries")
        assert code == 0
        assert f"#{row.id}" in out and "reader000001@example.net" in out and "unknown" in out
        assert "resolve ID... --sent" in out
        code, out = cli("deliveries", "--status", "unknown", "--json")
        listed = json.loads(out)
        assert [(d["id"], d["recipients"], d["provider"]) for d in listed] == [
            (row.id, ["reader000001@example.net"], "smtp")
        ]

        # A send before anyone resolved it: the unknown stays, nothing is resent.
        code, out = cli("send")
        assert "nothing sent again" in out and len(box.raw) == 2

        code, out = cli("deliveries", "resolve", str(row.id), "--resend", "--note", "not in the log")
        assert code == 0, out
        assert f"1 delivery(ies) put back to be sent again (#{row.id})" in out and "is now sending" in out
        after = next(r for r in rows(engine) if r.id == row.id)
        assert (after.status, after.idem_key, after.attempts) == ("pending", row.idem_key, 0)
        assert Ledger(engine).edition(row.edition_key).status == "sending"  # type: ignore[union-attr]

        code, out = cli("send")
    assert code == 0, out
    assert sorted(box.rcpts) == [f"reader{i:06d}@example.net" for i in range(3)]
    assert {r.status for r in rows(engine)} == {"sent"}
    data = status(cli)
    assert data["editions"][0]["status"] == "sent" and data["editions"][0]["deliveries"] == {"sent": 3}
    resolved = [e for e in data["events"] if e["kind"] == "resolved"]
    assert len(resolved) == 1 and "not in the log" in resolved[0]["message"]
    assert f"#{row.id}" in resolved[0]["message"]


def test_marking_sent_recomputes_the_edition_and_keeps_its_send_date(setup) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(data_replies=["drop"])
    with smtp_server(box) as (box, port):
        cli, engine = setup(port)
        assert cli("send")[0] == 1
        edition = Ledger(engine).editions(1)[0]
        assert edition.status == "partial" and edition.sent_at is not None
        row = next(r for r in rows(engine) if r.status == "unknown")
        code, out = cli("deliveries", "resolve", str(row.id), "--sent")
        assert code == 0, out
        assert "marked sent" in out and "is now sent" in out
        # Nothing more is sent: staff said it arrived.
        assert "nothing sent again" in cli("send")[1]
    assert len(box.raw) == 2
    after = Ledger(engine).edition(edition.key)
    assert after is not None and (after.status, after.reason, after.sent_at) == ("sent", "", edition.sent_at)
    assert cli("deliveries")[1].strip() == "no unknown or failed email deliveries"
    data = status(cli)
    assert data["editions"][0]["deliveries"] == {"sent": 3}
    assert any(e["kind"] == "resolved" and "marked sent by staff" in e["message"] for e in data["events"])


def test_failed_deliveries_are_retried_after_the_cause_is_fixed(setup) -> None:  # type: ignore[no-untyped-def]
    # A refusal about us, not the address (a 5.1.1 would suppress it: never retried, see test_smtp_refusals).
    box = Mailbox(rcpt_replies=["", "554 5.7.1 relay access denied"])
    with smtp_server(box) as (box, port):
        cli, engine = setup(port)
        code, out = cli("send")
        assert code == 1 and "1 failed" in out
        failed = [r for r in rows(engine) if r.status == "failed"]
        assert len(failed) == 1 and "554" in failed[0].last_error
        code, out = cli("deliveries", "--status", "failed")
        assert f"#{failed[0].id}" in out and "554 5.7.1 relay access denied" in out
        assert "retry-failed" in out
        code, out = cli("deliveries", "retry-failed", "--note", "relay fixed")
        assert code == 0, out
        assert "1 delivery(ies) put back to be retried" in out
        code, out = cli("send")
    assert code == 0, out
    assert sorted(box.rcpts) == [f"reader{i:06d}@example.net" for i in range(3)]
    assert Ledger(engine).editions(1)[0].status == "sent"
    again = cli("deliveries", "retry-failed")
    assert again[0] == 1 and "nothing put back to be retried" in again[1]


def test_what_cannot_be_resolved_is_said_and_changes_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(data_replies=["drop"])
    with smtp_server(box) as (box, port):
        cli, engine = setup(port, subscribers=2)
        assert cli("send")[0] == 1
    ledger = Ledger(engine)
    sent = next(r for r in rows(engine) if r.status == "sent")
    # An older edition with an unknown delivery, and a social post.
    from datetime import UTC, datetime

    ledger.ensure_edition("weekly:2001-W01", datetime(2001, 1, 1, tzinfo=UTC))
    old_target = ("to:old@example.net", [["old@example.net", "", ""]])
    ledger.add_deliveries("weekly:2001-W01", "email:smtp", [old_target])
    ledger.add_deliveries("weekly:2001-W01", "social:mastodon", [("post:1", {"text": "hi"})])
    old, post = ledger.deliveries("weekly:2001-W01")
    ledger.finish(old.id, "unknown", error="timeout")
    ledger.finish(post.id, "unknown", error="timeout")

    code, out = cli("deliveries", "resolve", str(sent.id), "99999", str(post.id), str(old.id), "--resend")
    assert code == 1
    assert f"#{sent.id} is sent; only unknown or failed deliveries can be resolved" in out
    assert "#99999: no such delivery" in out
    assert f"#{post.id} is a social post; use digest social" in out
    assert f"#{old.id} belongs to weekly:2001-W01, not this period's edition" in out
    assert "nothing put back to be sent again" in out
    with engine.connect() as conn:  # type: ignore[attr-defined]
        statuses = dict(conn.execute(select(schema.deliveries.c.id, schema.deliveries.c.status)).all())
    assert statuses[old.id] == "unknown" and statuses[post.id] == "unknown" and statuses[sent.id] == "sent"
    # Marking an old one sent is fine: no send is needed for that.
    code, out = cli("deliveries", "resolve", str(old.id), "--sent")
    assert code == 0 and "marked sent" in out
    assert cli("deliveries", "--edition", "weekly:2001-W01")[1].strip() == (
        "no unknown or failed email deliveries in weekly:2001-W01"
    )
    # The social post is not listed with the email deliveries.
    code, out = cli("deliveries", "--status", "all", "--json")
    assert post.id not in {d["id"] for d in json.loads(out)}


def test_every_deliveries_command_has_help_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["deliveries"], ["deliveries", "resolve"], ["deliveries", "retry-failed"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*args, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert "examples:" in out and f"digest {' '.join(args)}" in out
