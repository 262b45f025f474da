"""Subscribers' data (issue 15): export everything held about an address; forget it for good."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from digest.store import schema, schema_web
from digest.store.forgotten import address_hash, forget
from digest.store.mail_events import MailEvent, record
from digest.store.signups import request_signup
from digest.subscribers import import_csv
from digest.unsubscribe import secret_key
from tests.delivery.test_subscribers import cli

LIST = "email,name,language\nann@example.org,Ann,en\nkim@example.kr,=HYPERLINK(1),ko\n"


def _sent_world(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text(LIST)
    assert cli(tmp_path, "subscribers", "import", "list.csv").returncode == 0
    sent = cli(tmp_path, "send")
    assert sent.returncode == 0, sent.stderr


def test_export_one_address_as_json_holds_row_deliveries_and_events(tmp_path: Path) -> None:
    _sent_world(tmp_path)
    out = cli(tmp_path, "subscribers", "export", "ANN@example.org")
    assert out.returncode == 0, out.stderr
    held = json.loads(out.stdout)
    assert held["email"] == "ann@example.org"
    assert held["subscriber"]["name"] == "Ann" and held["subscriber"]["status"] == "active"
    assert [d["status"] for d in held["deliveries"]] == ["sent"]
    assert "kim@example.kr" not in out.stdout
    missing = cli(tmp_path, "subscribers", "export", "nobody@example.org")
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1


def test_export_all_as_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    _sent_world(tmp_path)
    out = cli(tmp_path, "subscribers", "export", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0][:3] == ["email", "record", "when"]
    kinds = sorted((r[0], r[1]) for r in rows[1:])
    assert kinds == [
        ("ann@example.org", "delivery"),
        ("ann@example.org", "subscriber"),
        ("kim@example.kr", "delivery"),
        ("kim@example.kr", "subscriber"),
    ]
    assert not any(cell[:1] in "=+-@" for r in rows for cell in r if cell)


def test_forget_erases_everything_and_the_address_cannot_come_back(tmp_path: Path) -> None:
    _sent_world(tmp_path)
    from digest.plugins import load_settings
    from digest.store import open_store

    settings_ = load_settings(
        environ={"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": "content"}, read_dotenv=False
    )
    engine = open_store(settings_.db_url)
    now = datetime.now(UTC)
    from digest.deliver.resolve import email_rows
    from digest.unsubscribe import secret_key

    [sent] = [row for row in email_rows(engine) if "ann@example.org" in row.payload]
    event = MailEvent("t:1", "mailgun", "delivered", False, "ann@example.org", sent.provider_id, now)
    assert record(engine, event, secret_key(settings_))
    with engine.begin() as conn:  # a sign-up left waiting from before she was imported
        waiting = {"email": "ann@example.org", "consent": "yes", "requested_at": now}
        conn.execute(schema_web.signups.insert().values(**waiting))
        conn.execute(
            schema.events.insert().values(at=now, level="warn", kind="x", message="Ann@Example.org failed")
        )
    out = cli(tmp_path, "subscribers", "forget", "Ann@Example.org")
    assert out.returncode == 0, out.stderr
    assert "1 subscriber row(s), 1 sign-up(s), 1 deliveries and 1 provider events" in out.stdout
    with engine.connect() as conn:
        for table, column in (
            (schema.subscribers, "email"),
            (schema_web.signups, "email"),
            (schema.deliveries, "target"),
            (schema.deliveries, "payload"),
            (schema_web.mail_events, "recipient"),
            (schema.events, "message"),
        ):
            hits = conn.scalar(
                select(func.count()).where(func.lower(table.c[column]).like("%ann@example.org%"))
            )
            assert hits == 0, (table.name, column)
        assert conn.scalar(select(func.count()).select_from(schema_web.forgotten)) == 1
        assert (
            conn.scalar(select(func.count()).select_from(schema.deliveries)) == 2
        )  # history kept, anonymous
    again = cli(tmp_path, "subscribers", "import", "list.csv")
    assert again.returncode == 0 and "1 forgotten address(es) skipped" in again.stderr
    listing = cli(tmp_path, "subscribers", "list").stdout
    assert "ann@example.org" not in listing and "kim@example.kr" in listing
    key = secret_key(settings_)
    assert not request_signup(engine, "ann@example.org", "en", "yes", now, timedelta(0), key)
    engine.dispose()


ADDRESSES = st.emails().filter(lambda a: a.isascii() and len(a) < 200)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=ADDRESSES, shout=st.booleans())
def test_any_forgotten_address_is_refused_by_import_in_any_case(
    world, tmp_path: Path, address: str, shout: bool
) -> None:  # type: ignore[no-untyped-def]
    w = world()
    key = secret_key(w.settings)
    from digest.subscribers import normalise

    try:
        stored = normalise(address)
    except ValueError:
        return
    forget(w.engine, key, stored.upper() if shout else stored)
    path = tmp_path / "again.csv"
    path.write_text(f"email\n{stored.upper()}\nother@example.org\n")
    report = import_csv(w.engine, path, key)
    assert report.forgotten == 1 and report.added <= 1
    with w.engine.connect() as conn:
        emails = set(conn.scalars(select(schema.subscribers.c.email)))
        kept = set(conn.scalars(select(schema_web.forgotten.c.digest)))
    assert stored not in emails
    assert address_hash(key, stored) in kept and stored not in "".join(kept)


def test_the_hash_depends_on_the_key() -> None:
    assert address_hash(b"k" * 32, "a@b.org") == address_hash(b"k" * 32, " A@B.org ")
    assert address_hash(b"k" * 32, "a@b.org") != address_hash(b"j" * 32, "a@b.org")
