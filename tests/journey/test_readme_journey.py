"""Issue 11: a volunteer's first hour, typed from the README into an empty folder.

The commands are read out of README.md (command 1 and the "make it yours" block), so when
the README's commands change this test changes with them. Each runs as a subprocess the
way it is typed, with `.venv/bin/digest` standing for this interpreter's `-m digest`. The
.env is edited line by line as in an editor; SMTP goes to a local aiosmtpd server. The
volunteer's day is a fixed one (DIGEST_TEST_NOW, digest/clock.py): the articles are dated
from it, and the scheduled run happens at the first scheduled slot after it.
"""

from __future__ import annotations

import email
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

from digest.clock import ENV as CLOCK
from digest.schedule import next_slots, parse_cadence
from tests.fakes.smtp import smtp_server

REPO = Path(__file__).resolve().parents[2]
DIGEST = ".venv/bin/digest"
# The volunteer sets up on a Friday; the schedule's first slot is the Monday after.
TODAY = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


def sh_blocks(markdown: str, after: str) -> list[str]:
    """The lines of the first ```sh block after the text ``after``."""
    start = markdown.index(after)
    match = re.search(r"```sh\n(.*?)```", markdown[start:], re.S)
    assert match, f"no sh block after {after!r} in README.md"
    return [line for line in match.group(1).splitlines() if line.strip()]


def commands(line: str) -> list[list[str]]:
    """The commands of one README line: comments dropped, `a && b` split."""
    text = line.split(" #")[0].strip()
    return [shlex.split(part) for part in text.split("&&") if part.strip()]


def readme_steps() -> tuple[list[str], list[list[str]]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = sh_blocks(readme, "**1. Install and send the first digest**")
    first = [c for line in block for c in commands(line)]
    first_digest = [c[1:] for c in first if c[0] == DIGEST]
    assert first_digest, "command 1 no longer runs digest"
    yours = [c for line in sh_blocks(readme, "Then, to make it yours:") for c in commands(line)]
    return [shlex.join(c) for c in first_digest], yours


class Volunteer:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}

    def digest(self, args: list[str], now: datetime = TODAY) -> subprocess.CompletedProcess[str]:
        env = {**self.env, CLOCK: now.isoformat()}
        result = subprocess.run([sys.executable, "-m", "digest", *args], cwd=self.home, env=env,
                                capture_output=True, text=True, timeout=300)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def shell(self, argv: list[str]) -> None:
        subprocess.run(argv, cwd=self.home, check=True, timeout=60)

    def edit_env(self, changes: dict[str, str]) -> None:
        """Change `KEY=` lines of .env as in an editor; every key must already be in the file."""
        path = self.home / ".env"
        text = path.read_text(encoding="utf-8")
        for key, value in changes.items():
            text, n = re.subn(rf"^{key}=.*$", lambda _m, k=key, v=value: f"{k}={v}", text, flags=re.M)
            assert n == 1, f"{key} is not in .env.example"
        path.write_text(text, encoding="utf-8")


def write_articles(folder: Path, when: datetime) -> None:
    folder.mkdir()
    for n, title in enumerate(["Winter coats reach 40 families", "Evening Korean classes open"]):
        date = (when - timedelta(hours=6 + n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = (f"Volunteers of our centre worked all week on this. {title} thanks to many donors. "
                "The next steps are planned with the families, and everyone is welcome to help. ") * 3
        (folder / f"story-{n}.md").write_text(
            f"---\ntitle: {title}\ndate: {date}\nurl: https://example.org/news/{n}\n---\n\n{body}\n",
            encoding="utf-8",
        )


MAILCHIMP = (
    "Email Address,First Name,Last Name,Address,Phone Number,MEMBER_RATING,OPTIN_TIME,TAGS\n"
    "ann@example.org,Ann,Lee,,,2,2026-01-02 10:00:00,\n"
    "kim@example.kr,철수,김,,,3,2026-02-03 11:00:00,\"donor,volunteer\"\n"
    "Bo@Example.net,Bo,,,,1,2026-03-04 12:00:00,\n"
)


def test_the_readme_from_command_1_to_the_first_scheduled_edition(tmp_path: Path) -> None:
    first, yours = readme_steps()
    home = tmp_path / "digest"
    home.mkdir()
    shutil.copy(REPO / ".env.example", home / ".env.example")  # what the volunteer's checkout has
    me = Volunteer(home)

    # Command 1: the sample edition to the outbox (a rehearsal).
    for args in first:
        result = me.digest(shlex.split(args))
        assert result.returncode == 0, result.stderr
    assert list((home / "var" / "outbox").rglob("*.eml")), "command 1 wrote no email"

    # "Then, to make it yours": the commands in the README's order.
    names = [c[1] if c[0] == DIGEST else c[0] for c in yours]
    assert names == ["cp", "config", "sources", "preview", "subscribers", "doctor", "send", "run"], names
    assert yours[0] == ["cp", ".env.example", ".env"]
    me.shell(yours[0])

    write_articles(home / "news", TODAY)
    (home / yours[4][3]).write_text(MAILCHIMP, encoding="utf-8")  # the file the README imports
    with smtp_server() as (box, port):
        me.edit_env({
            "DIGEST_SOURCES": "news",
            "DIGEST_SCHEDULE": "0 9 * * 1",
            "DIGEST_TIMEZONE": "Asia/Seoul",
            "DIGEST_ORG_NAME": "Bridge of Hope",
            "DIGEST_FROM": "Bridge of Hope <news@example.org>",
            "DIGEST_PROVIDER": "smtp",
            "DIGEST_SMTP_HOST": "127.0.0.1",
            "DIGEST_SMTP_PORT": str(port),
            "DIGEST_SMTP_SECURITY": "none",
        })
        outputs = {}
        for argv in yours[1:5]:
            result = me.digest(argv[1:])
            assert result.returncode == 0, (argv, result.stdout, result.stderr)
            outputs[argv[1]] = result.stdout
        assert "DIGEST_TIMEZONE" in outputs["config"] and "Asia/Seoul" in outputs["config"]
        assert "Winter coats" in outputs["sources"]
        assert (home / "preview" / "email.html").is_file()
        imported = outputs["subscribers"]
        assert "columns: email <- 'Email Address'" in imported and "3 added" in imported
        # doctor: the sending set-up checked before the first real send. This volunteer kept the
        # example domain, so doctor names DIGEST_FROM before it asks any DNS, and exits non-zero.
        doctor = me.digest(yours[5][1:])
        assert doctor.returncode == 1, (doctor.stdout, doctor.stderr)
        assert "DIGEST_FROM" in doctor.stdout + doctor.stderr
        assert box.raw == [], "nothing is sent before the schedule says so"

        # The scheduler's first slot, under a fake clock: `digest run --once` as cron would run it.
        slot = next_slots(parse_cadence("0 9 * * 1", "Asia/Seoul"), TODAY, 1)[0]
        run = yours[7][1:] + ["--once"]
        result = me.digest(run, now=slot + timedelta(minutes=1))
        assert result.returncode == 0, (result.stdout, result.stderr)
        again = me.digest(run, now=slot + timedelta(minutes=20))
        assert again.returncode == 0, again.stderr

    assert sorted(box.rcpts) == ["ann@example.org", "bo@example.net", "kim@example.kr"], box.rcpts
    messages = [email.message_from_bytes(raw, policy=policy.default) for raw in box.raw]
    assert len(messages) == 3, "each subscriber gets the edition once"
    for message in messages:
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None and "Winter coats reach 40 families" in body.get_content()
        assert "Bridge of Hope" in message["Subject"]
    status = me.digest(["status"])
    assert "sent" in status.stdout and "email recipients: 3 sent" in status.stdout
