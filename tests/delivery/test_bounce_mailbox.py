"""Late bounces and complaints read from a real Dovecot mailbox (IMAP and POP3) on 127.0.0.1.

An edition goes out through a real SMTP server with VERP envelope senders; reports written
in the styles of Postfix, Exim, Gmail and Outlook (and an ARF complaint, an auto-reply and
broken reports: tests/delivery/bounce_samples/) are filled with what that send really used
(the envelope sender, the Message-ID) and put in the mailbox, as a delivery agent would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from digest.cli import main
from digest.deliver.bounces import BounceOptions, check_bounces
from digest.store import schema_web
from tests.delivery.conftest import add_subscribers
from tests.delivery.test_smtp import smtp_settings
from tests.delivery.test_smtp_refusals import statuses
from tests.fakes.dovecot import Dovecot, dovecot_server  # noqa: F401 (fixture)
from tests.fakes.smtp import smtp_server
from tests.paths import SAMPLE

SAMPLES = Path(__file__).parent / "bounce_samples"
SENDER = "Hope Bridge <news@news.example.org>"


@dataclass
class Sent:
    """One edition sent through SMTP: per address, the envelope sender and the Message-ID it had."""

    world: object
    verp: dict[str, str]
    message_id: dict[str, str]

    def report(self, name: str, address: str, **changes: str) -> bytes:
        text = (SAMPLES / name).read_text(encoding="utf-8")
        values = {"VERP": self.verp[address], "RCPT": address, "MSGID": self.message_id[address]}
        values.update(FROM=SENDER, **changes)
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        return text.encode()


def send_edition(world, mailbox: tuple[Dovecot, str], people: int, scheme="imap", **extra: str) -> Sent:  # type: ignore[no-untyped-def]
    server, user = mailbox
    settings = {
        "DIGEST_FROM": SENDER,
        "DIGEST_BOUNCE_ADDRESS": "bounces@news.example.org",
        "DIGEST_BOUNCE_MAILBOX": server.url(user, scheme),
        **extra,
    }
    with smtp_server() as (box, port):
        w = world(**smtp_settings(port, DIGEST_SMTP_CONNECTIONS="1", **settings))
        add_subscribers(w.engine, people)
        assert w.send().counts == {"sent": people}
    verp = dict(zip(box.rcpts, box.senders, strict=True))
    ids = {str(m["To"]).split("<")[-1].rstrip(">"): str(m["Message-ID"]) for m in box.messages()}
    return Sent(w, verp, ids)


def check(sent: Sent):  # type: ignore[no-untyped-def]
    options = BounceOptions.from_settings(sent.world.settings)  # type: ignore[attr-defined]
    assert options is not None
    return check_bounces(options, sent.world.engine)  # type: ignore[attr-defined]


def stored(engine) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    e = schema_web.mail_events
    with engine.connect() as conn:
        rows = conn.execute(select(e.c.recipient, e.c.kind, e.c.hard).order_by(e.c.recipient))
        return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture
def mailbox(dovecot_server: Dovecot) -> tuple[Dovecot, str]:  # noqa: F811
    """The worker's server and a user of this test's own."""
    return dovecot_server, dovecot_server.add_user()


def reader(n: int) -> str:
    return f"reader{n:06d}@example.net"


STYLES = [
    # sample, what it does to the address, the event it stores
    ("postfix-unknown-user.eml", "bounced", ("bounced", 1)),
    ("exim-plain.eml", "bounced", ("bounced", 1)),
    ("gmail-no-such-user.eml", "bounced", ("bounced", 1)),
    ("outlook-mailbox-unavailable.eml", "bounced", ("bounced", 1)),
    ("arf-complaint-redacted.eml", "complained", ("complained", 0)),
    ("gmail-blocked.eml", "active", ("rejected", 1)),  # about our reputation, not the address
    ("postfix-expired.eml", "active", ("bounced", 0)),  # one soft bounce
    ("postfix-delayed.eml", "active", None),  # a warning only
]
LEFT_ALONE = ["vacation-reply.eml", "broken-report-without-status.eml", "broken-truncated.eml"]


def test_every_style_is_read_once_and_other_mail_is_left_alone(world, mailbox) -> None:  # type: ignore[no-untyped-def]
    server, user = mailbox
    sent = send_edition(world, mailbox, len(STYLES) + 1)
    for n, (name, _status, _event) in enumerate(STYLES):
        server.deliver(user, sent.report(name, reader(n)))
    for name in LEFT_ALONE:
        server.deliver(user, sent.report(name, reader(len(STYLES))))
    first = check(sent)
    again = check(sent)
    engine = sent.world.engine  # type: ignore[attr-defined]
    assert {reader(n): statuses(engine)[reader(n)] for n in range(len(STYLES))} == {
        reader(n): status for n, (_name, status, _event) in enumerate(STYLES)
    }
    assert statuses(engine)[reader(len(STYLES))] == "active"
    expected = sorted((reader(n), *event) for n, (_name, _status, event) in enumerate(STYLES) if event)
    assert stored(engine) == expected
    assert (first.reports, first.bounced, first.soft, first.complained, first.refused) == (8, 4, 1, 1, 1)
    assert first.left == 3 and len(first.suppressed) == 5
    assert (again.reports, again.left, again.suppressed) == (0, 3, {})  # each report read once
    assert server.count(user) == 3 and server.count(user, "digest-processed") == 8


def test_pop3_deletes_what_it_read_and_keeps_the_rest(world, mailbox) -> None:  # type: ignore[no-untyped-def]
    server, user = mailbox
    sent = send_edition(world, mailbox, 2, scheme="pop3")
    server.deliver(user, sent.report("postfix-unknown-user.eml", reader(0)))
    server.deliver(user, sent.report("vacation-reply.eml", reader(1)))
    found = check(sent)
    assert (found.reports, found.left) == (1, 1)
    assert statuses(sent.world.engine)[reader(0)] == "bounced"  # type: ignore[attr-defined]
    assert server.count(user) == 1


def test_a_forged_or_foreign_report_changes_nothing(world, mailbox) -> None:  # type: ignore[no-untyped-def]
    server, user = mailbox
    sent = send_edition(world, mailbox, 2)
    real = sent.verp[reader(0)]
    forged = real.replace(real.split("+")[1][20:26], "000000")  # the tag kept, the MAC wrong
    elsewhere = "<x@else.example>"
    server.deliver(user, sent.report("postfix-unknown-user.eml", reader(0), VERP=forged, MSGID=elsewhere))
    # Someone's own mail bounced: no token, a Message-ID digest never sent.
    own = sent.report("gmail-no-such-user.eml", reader(1), VERP="office@news.example.org", MSGID="<a@b.c>")
    server.deliver(user, own)
    found = check(sent)
    assert (found.reports, found.foreign) == (0, 2)
    assert set(statuses(sent.world.engine).values()) == {"active"}  # type: ignore[attr-defined]
    assert server.count(user) == 2


def test_without_verp_the_returned_message_id_finds_the_person(world, mailbox) -> None:  # type: ignore[no-untyped-def]
    server, user = mailbox
    sent = send_edition(world, mailbox, 2, DIGEST_BOUNCE_ADDRESS="")
    assert set(sent.verp.values()) == {"news@news.example.org"}
    server.deliver(user, sent.report("outlook-mailbox-unavailable.eml", reader(1)))
    # A complaint with the recipient redacted: only the Message-ID says who it was.
    server.deliver(user, sent.report("arf-complaint-redacted.eml", reader(0)))
    found = check(sent)
    assert found.reports == 2
    assert statuses(sent.world.engine) == {reader(0): "complained", reader(1): "bounced"}  # type: ignore[attr-defined]


def test_the_command_reads_the_mailbox_and_names_the_setting_when_it_cannot(  # type: ignore[no-untyped-def]
    world, mailbox, tmp_path, capsys, monkeypatch
) -> None:
    server, user = mailbox
    sent = send_edition(world, mailbox, 1)
    server.deliver(user, sent.report("gmail-no-such-user.eml", reader(0)))
    env = tmp_path / "bounces.env"
    settings = sent.world.settings  # type: ignore[attr-defined]
    lines = [
        f"DIGEST_DATA_DIR={settings.data_dir}",
        f"DIGEST_SOURCES={SAMPLE}",
        "DIGEST_PROVIDER=smtp",
        "DIGEST_SMTP_HOST=127.0.0.1",
        f"DIGEST_BOUNCE_MAILBOX={server.url(user, password=False)}",
    ]
    env.write_text("\n".join(lines + ["DIGEST_BOUNCE_PASSWORD=not-the-password"]) + "\n")
    assert main(["--env-file", str(env), "bounces", "check"]) == 2
    err = capsys.readouterr().err
    assert "DIGEST_BOUNCE_MAILBOX" in err and "refused the login" in err and "not-the-password" not in err
    env.write_text("\n".join(lines + ["DIGEST_BOUNCE_PASSWORD=s3cret-for-tests"]) + "\n")
    assert main(["--env-file", str(env), "bounces", "check"]) == 0
    out = capsys.readouterr().out
    assert "1 report(s) of ours read (1 hard bounce(s)" in out and f"{reader(0)}: bounced" in out
    port = server.imap_port
    env.write_text("\n".join(lines).replace(f":{port}/", ":9/") + "\nDIGEST_BOUNCE_PASSWORD=x\n")
    assert main(["--env-file", str(env), "bounces", "check"]) == 1
    assert "cannot reach imap://" in capsys.readouterr().err


def test_the_scheduler_reads_the_mailbox_each_look_and_alerts_once_a_day(world, mailbox) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace
    from datetime import timedelta

    from digest.jobs.daemon import run_once
    from digest.jobs.runner import Runner
    from digest.providers.smtp import SmtpSettings
    from digest.store.watch import recent_alerts

    server, user = mailbox
    sent = send_edition(world, mailbox, 1)
    server.deliver(user, sent.report("postfix-unknown-user.eml", reader(0)))
    w = sent.world
    clock = w.now  # type: ignore[attr-defined]
    code, lines = run_once(Runner(w.settings, w.engine, mode="once", clock=lambda: clock))  # type: ignore[attr-defined]
    assert any(line.startswith("bounce mailbox: 1 report(s) of ours read") for line in lines), lines
    assert statuses(w.engine)[reader(0)] == "bounced"  # type: ignore[attr-defined]
    # The server is gone (port 9): one alert for the day, however often the job looks.
    smtp = w.settings.options(SmtpSettings)  # type: ignore[attr-defined]
    gone = replace(smtp, bounce_mailbox=smtp.bounce_mailbox.replace(f":{server.imap_port}/", ":9/"))
    settings = replace(w.settings, extensions={**w.settings.extensions, SmtpSettings: gone})  # type: ignore[attr-defined]
    for minutes in (0, 15):
        runner = Runner(settings, w.engine, mode="once", clock=lambda m=minutes: clock + timedelta(minutes=m))  # type: ignore[attr-defined]
        assert "the bounce mailbox cannot be read" in runner.bounces()
    alerts = [a for a in recent_alerts(w.engine, 10) if a["kind"] == "bounce-mailbox"]  # type: ignore[attr-defined]
    assert len(alerts) == 1


@pytest.mark.parametrize(
    "value, problem",
    [
        ("https://mail.example.org", "starts with neither"),
        ("imaps://mail.example.org", "needs a user"),
        ("pop3s://me@mail.example.org/INBOX", "no folders"),
    ],
)
def test_a_mailbox_address_that_cannot_work_is_refused_at_start(make_settings, value, problem) -> None:  # type: ignore[no-untyped-def]
    from digest.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        make_settings(DIGEST_BOUNCE_MAILBOX=value)
    assert caught.value.key == "DIGEST_BOUNCE_MAILBOX" and problem in str(caught.value)
    with pytest.raises(ConfigError) as missing:
        make_settings(DIGEST_BOUNCE_MAILBOX="imaps://me@mail.example.org/INBOX")
    assert missing.value.key == "DIGEST_BOUNCE_PASSWORD"
