"""A real, throwaway Dovecot (IMAP and POP3) on 127.0.0.1 for the bounce mailbox tests.

Debian's own server (dovecot-imapd, dovecot-pop3d; scripts/test.sh installs them), run from a
temporary folder with a configuration of its own: no systemd, plain text on loopback ports,
every user name logs in with PASSWORD (a static passdb: with a passwd file appended to while
the server ran, a user just added was refused once in a full CI run). One server per test
worker (``dovecot_server``, session scope); each test gets a user of its own
(:meth:`Dovecot.add_user`), so no two tests share a mailbox. Messages are put in the way a
delivery agent does it: a file in the user's ``Maildir/new``. Under root the mail belongs to
the ``dovecot`` user; otherwise everything runs as the caller (rootless).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.smtp import free_port

PASSWORD = "s3cret-for-tests"


def _owner() -> tuple[str, str]:
    if os.geteuid() == 0:
        return "dovecot", "dovecot"
    return pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name


def _config(folder: Path, imap: int, pop3: int) -> str:
    user, group = _owner()
    uid = pwd.getpwnam(user).pw_uid
    rootless = "" if os.geteuid() == 0 else (
        f"default_internal_user = {user}\ndefault_internal_group = {group}\ndefault_login_user = {user}\n"
    )
    chroot = "" if os.geteuid() == 0 else "  chroot =\n"
    return f"""base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8
first_valid_uid = {min(uid, 100)}
mail_location = maildir:~/Maildir
{rootless}passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={folder}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
{chroot}}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
{chroot}}}
service anvil {{
{chroot}}}
"""


@dataclass
class Dovecot:
    folder: Path
    imap_port: int
    pop3_port: int

    def add_user(self) -> str:
        """A new user with an empty mailbox; its name."""
        name = f"bounces-{uuid.uuid4().hex[:10]}@example.org"
        for sub in ("new", "cur", "tmp"):
            (self.maildir(name) / sub).mkdir(parents=True, exist_ok=True)
        self._own(self.folder / "mail" / name)
        return name

    def maildir(self, user: str, folder: str = "") -> Path:
        base = self.folder / "mail" / user / "Maildir"
        return base / f".{folder}" if folder else base

    def deliver(self, user: str, raw: bytes) -> None:
        """Put a message in the user's INBOX, as a local delivery agent does."""
        new = self.maildir(user) / "new" / f"{time.time_ns()}.{uuid.uuid4().hex[:8]}.test"
        tmp = self.maildir(user) / "tmp" / new.name
        tmp.write_bytes(raw)
        self._own(tmp)
        tmp.rename(new)

    def count(self, user: str, folder: str = "") -> int:
        """Messages in a folder (INBOX when empty), read or not."""
        box = self.maildir(user, folder)
        return sum(len(list((box / sub).glob("*"))) for sub in ("new", "cur") if (box / sub).is_dir())

    def url(self, user: str, scheme: str = "imap", password: bool = True) -> str:
        port = self.imap_port if scheme == "imap" else self.pop3_port
        secret = f":{PASSWORD}" if password else ""
        folder = "/INBOX" if scheme == "imap" else ""
        return f"{scheme}://{user.replace('@', '%40')}{secret}@127.0.0.1:{port}{folder}"

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            for sub in [path, *path.rglob("*")] if path.is_dir() else [path]:
                shutil.chown(sub, "dovecot", "dovecot")


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not open its port within 10 s")


def _real_clock_env() -> dict[str, str]:
    """The environment without scripts/at-date.sh's fake clock.

    Dovecot's master passes only a few variables to the processes it starts, so under faketime
    the master ran weeks away from its own login and auth processes, and logins after a refused
    one timed out. The mail server's clock is not what a test checks: digest's clock is.
    """
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        pytest.skip("Dovecot is not installed (scripts/test.sh installs dovecot-imapd and dovecot-pop3d)")
    folder = Path(tempfile.mkdtemp(prefix="digest-dovecot-"))
    folder.chmod(0o755)  # the mail processes run as the mail user
    for sub in ("run", "state", "mail"):
        (folder / sub).mkdir()
    server = Dovecot(folder, free_port(), free_port())
    server._own(folder / "mail")
    (folder / "dovecot.conf").write_text(_config(folder, server.imap_port, server.pop3_port))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(folder / "dovecot.conf")],
        env=_real_clock_env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(server.imap_port, process, folder / "dovecot.log")
        _wait_for(server.pop3_port, process, folder / "dovecot.log")
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
