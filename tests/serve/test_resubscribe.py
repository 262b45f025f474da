"""`subscribers import --resubscribe` (issue 15): an address a bounce, complaint or unsubscribe took off
the list is not made active by an import; with --resubscribe it gets the sign-up confirmation email
(through a real `digest serve` and the outbox provider) and is active only after pressing its link."""

from __future__ import annotations

from datetime import UTC, datetime

from digest import subscribers
from digest.store.mail_events import MailEvent, record
from digest.store.signups import lookup, pending_count
from tests.serve.conftest import running
from tests.serve.helpers import first_link, outbox_messages, sent_to, submit

KEY = "resubscribe-test-key-0123456789abcdef"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_suppressed_address_comes_back_only_by_confirming(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "list.csv"
    sheet.write_text("email\nbounced@example.org\nspam@example.org\nnew@example.org\n", encoding="utf-8")
    with running(tmp_path, DIGEST_SECRET_KEY=KEY) as server:
        engine = server.engine()
        try:
            people = ("bounced@example.org", "spam@example.org")
            for who in people:
                subscribers.add(engine, who)
            sent_to(engine, people, "m-1")
            bounce = MailEvent("mailgun:1", "mailgun", "bounced", True, "bounced@example.org", "m-1", NOW)
            spam = MailEvent("mailgun:2", "mailgun", "complained", False, "spam@example.org", "m-1", NOW)
            assert record(engine, bounce, KEY.encode()) and record(engine, spam, KEY.encode())

            plain = server.cli("subscribers", "import", str(sheet))
            assert plain.returncode == 0, plain.stderr
            assert lookup(engine, "bounced@example.org").status == "bounced"  # type: ignore[union-attr]
            assert pending_count(engine) == 0 and outbox_messages(server.root, "bounced@example.org") == []

            again = server.cli("subscribers", "import", "--resubscribe", str(sheet))
            assert again.returncode == 0, again.stderr
            assert "2 confirmation email(s) sent" in again.stdout
            assert lookup(engine, "bounced@example.org").status == "bounced"  # type: ignore[union-attr]
            assert outbox_messages(server.root, "new@example.org") == []  # already active: no email
            [message] = outbox_messages(server.root, "bounced@example.org")
            done = submit(server.session, first_link(message, "/confirm/"))
            assert done.status_code == 200
            assert lookup(engine, "bounced@example.org").status == "active"  # type: ignore[union-attr]
            assert lookup(engine, "spam@example.org").status == "complained"  # type: ignore[union-attr]
        finally:
            engine.dispose()


def test_resubscribe_never_asks_who_the_file_says_left(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: a row the export marks as gone (here Buttondown's types) is recorded as such, and
    --resubscribe sends it no confirmation, nor to an address the list's owner blocked."""
    sheet = tmp_path / "buttondown.csv"
    sheet.write_text(
        "email,subscriber_type\nleft@example.org,unsubscribed\nbanned@example.org,regular\n"
        "back@example.org,regular\nnew@example.org,removed\n",
        encoding="utf-8",
    )
    with running(tmp_path, DIGEST_SECRET_KEY=KEY) as server:
        engine = server.engine()
        try:
            for who in ("left@example.org", "banned@example.org", "back@example.org"):
                subscribers.add(engine, who)
            sent_to(engine, ("left@example.org", "back@example.org"), "m-1")
            for n, who in enumerate(("left@example.org", "back@example.org")):
                event = MailEvent(f"mailgun:{n}", "mailgun", "unsubscribed", False, who, "m-1", NOW)
                assert record(engine, event, KEY.encode())
            blocked = tmp_path / "blocked.csv"
            blocked.write_text("email,status\nbanned@example.org,blocklisted\n", encoding="utf-8")
            assert server.cli("subscribers", "import", str(blocked)).returncode == 0

            done = server.cli("subscribers", "import", "--resubscribe", str(sheet))
            assert done.returncode == 0, done.stderr
            assert "1 confirmation email(s) sent" in done.stdout, done.stdout
            people = ("left@example.org", "banned@example.org", "back@example.org", "new@example.org")
            assert [len(outbox_messages(server.root, who)) for who in people] == [0, 0, 1, 0]
            assert lookup(engine, "new@example.org").status == "blocked"  # type: ignore[union-attr]
            assert lookup(engine, "banned@example.org").status == "blocked"  # type: ignore[union-attr]
        finally:
            engine.dispose()
