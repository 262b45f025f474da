"""The bounce mailbox, over IMAP or POP3 (``DIGEST_BOUNCE_MAILBOX``), read with the standard library.

``imaps://user:pass@host:993/INBOX`` and ``pop3s://user:pass@host:995`` use TLS from the
start; ``imap://`` and ``pop3://`` upgrade with STARTTLS (STLS), and only a server on this
machine (127.0.0.1, localhost) may be read without encryption. The password may be left out
of the address and given as ``DIGEST_BOUNCE_PASSWORD``. A user name with an ``@`` is written
as it is or as ``%40``.

Each message is first read by its headers only (a mailbox also gets auto-replies and
people's mail, read again at every look); the reader fetches the whole of the ones that
look like reports. A message the reader has dealt with goes away: over IMAP it is moved to
the folder ``digest-processed`` (``?processed=Other`` names another; created when missing),
over POP3 it is deleted. Every other message is left as it was, unread.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from digest.config.web_values import is_local
from digest.errors import ConfigError, DigestError

if TYPE_CHECKING:  # the mail libraries load when a mailbox is opened, not with the settings
    import ssl

KEY = "DIGEST_BOUNCE_MAILBOX"
PORTS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
PROCESSED = "digest-processed"
FETCHED = re.compile(rb"UID (\d+).*?RFC822\.SIZE (\d+)", re.S)


class MailboxError(DigestError):
    """The bounce mailbox cannot be read now (unreachable, login refused): it is tried again later."""


@dataclass(frozen=True)
class Where:
    """A parsed ``DIGEST_BOUNCE_MAILBOX`` (the password kept apart from how it is shown)."""

    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    processed: str = PROCESSED

    @property
    def imap(self) -> bool:
        return self.scheme.startswith("imap")

    @property
    def shown(self) -> str:
        """Where, without the password: for messages and logs."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}"

    def with_password(self, password: str) -> Where:
        from dataclasses import replace

        return replace(self, password=password) if password else self


def parse_mailbox_url(raw: str) -> str:
    """Check a ``DIGEST_BOUNCE_MAILBOX`` value; the value itself is kept (ValueError with the fix)."""
    if raw.strip():
        where(raw.strip())
    return raw.strip()


def where(url: str, password: str = "") -> Where:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"is not a mailbox address ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in PORTS:
        raise ValueError("starts with neither imaps://, imap://, pop3s:// nor pop3://; "
                         "use e.g. imaps://bounces%40example.org@mail.example.org/INBOX")
    userinfo, _, host = parts.netloc.rpartition("@")
    host = host.rpartition(":")[0] if parts.port is not None else host
    user, _, secret = userinfo.partition(":")
    if not host or not user:
        raise ValueError("needs a user and a host: imaps://user@mail.example.org")
    if not scheme.startswith("imap") and parts.path.strip("/"):
        raise ValueError("a POP3 mailbox has no folders; leave the path out")
    query = parse_qs(parts.query)
    found = Where(
        scheme,
        host.strip("[]"),
        port or PORTS[scheme],
        unquote(user),
        unquote(secret),
        unquote(parts.path.strip("/")) or "INBOX",
        (query.get("processed") or [PROCESSED])[0],
    )
    return found.with_password(password)


class Box(Protocol):
    """One open mailbox: the messages' headers, a whole message, and what became of it."""

    def headers(self) -> Iterator[tuple[str, int, bytes]]: ...  # (id, size, header bytes)
    def fetch(self, ident: str) -> bytes: ...
    def done(self, ident: str) -> None: ...
    def close(self) -> None: ...


def open_box(place: Where, timeout: float, ca_file: str = "") -> Box:
    """The mailbox, logged in; raises MailboxError naming what to check."""
    import imaplib
    import poplib
    import ssl

    context = ssl.create_default_context(cafile=ca_file or None)
    try:
        return ImapBox(place, timeout, context) if place.imap else PopBox(place, timeout, context)
    except (imaplib.IMAP4.error, poplib.error_proto) as exc:
        text = str(exc)
        # A refused login says so; "[UNAVAILABLE] Temporary authentication failure" passes.
        if re.search(r"AUTHENTICATIONFAILED|invalid|incorrect|denied|-ERR \[AUTH\]|-ERR auth", text, re.I):
            raise ConfigError(KEY, f"{place.shown} refused the login ({text[:120]})",
                              "check the user, and the password (DIGEST_BOUNCE_PASSWORD)") from None
        raise MailboxError(f"{place.shown}: {text[:200]}; check {KEY}") from None
    except ssl.SSLError as exc:
        raise MailboxError(f"{place.shown}: TLS failed ({exc.reason}); check {KEY}") from None
    except OSError as exc:
        raise MailboxError(f"cannot reach {place.shown} ({type(exc).__name__}: {exc}); check {KEY}") from None


class ImapBox:
    def __init__(self, place: Where, timeout: float, context: ssl.SSLContext) -> None:
        import imaplib

        self.place = place
        if place.scheme == "imaps":
            self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                place.host, place.port, ssl_context=context, timeout=timeout
            )
        else:
            self.conn = imaplib.IMAP4(place.host, place.port, timeout=timeout)
            if "STARTTLS" in self.conn.capabilities:
                self.conn.starttls(context)
            elif not is_local(place.host):
                raise MailboxError(f"{place.shown} offers no STARTTLS; use imaps:// in {KEY}")
        self.conn.login(place.user, place.password)
        if self.conn.select(_quoted(place.folder))[0] != "OK":
            raise MailboxError(f"{place.shown} has no folder {place.folder!r}; check {KEY}")
        self._folder_made = False

    def headers(self) -> Iterator[tuple[str, int, bytes]]:
        _typ, data = self.conn.uid("SEARCH", "UNDELETED")
        uids = data[0].split() if data and data[0] else []
        for start in range(0, len(uids), 200):
            chunk = b",".join(uids[start : start + 200]).decode()
            _typ, rows = self.conn.uid("FETCH", chunk, "(UID RFC822.SIZE BODY.PEEK[HEADER])")
            for row in rows:
                if isinstance(row, tuple) and (found := FETCHED.search(row[0])):
                    yield found.group(1).decode(), int(found.group(2)), row[1]

    def fetch(self, ident: str) -> bytes:
        _typ, rows = self.conn.uid("FETCH", ident, "(BODY.PEEK[])")
        return next((row[1] for row in rows if isinstance(row, tuple)), b"")

    def done(self, ident: str) -> None:
        """Moved to the processed folder (MOVE, or copy and delete where the server lacks it)."""
        folder = _quoted(self.place.processed)
        if not self._folder_made:
            self.conn.create(folder)  # "already exists" is a NO answer, not an exception
            self._folder_made = True
        if "MOVE" in self.conn.capabilities and self.conn.uid("MOVE", ident, folder)[0] == "OK":
            return
        if self.conn.uid("COPY", ident, folder)[0] != "OK":
            raise MailboxError(f"{self.place.shown}: cannot move a message to {self.place.processed!r}")
        self.conn.uid("STORE", ident, "+FLAGS.SILENT", r"(\Deleted)")
        self.conn.expunge()

    def close(self) -> None:
        import imaplib

        try:
            self.conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


class PopBox:
    def __init__(self, place: Where, timeout: float, context: ssl.SSLContext) -> None:
        import poplib

        self.place = place
        if place.scheme == "pop3s":
            self.conn: poplib.POP3 = poplib.POP3_SSL(place.host, place.port, timeout=timeout, context=context)
        else:
            self.conn = poplib.POP3(place.host, place.port, timeout=timeout)
            if "STLS" in self.conn.capa():
                self.conn.stls(context)
            elif not is_local(place.host):
                raise MailboxError(f"{place.shown} offers no STLS; use pop3s:// in {KEY}")
        self.conn.user(place.user)
        self.conn.pass_(place.password)

    def headers(self) -> Iterator[tuple[str, int, bytes]]:
        for line in self.conn.list()[1]:
            number, size = line.split()[:2]
            yield number.decode(), int(size), b"\r\n".join(self.conn.top(int(number), 0)[1])

    def fetch(self, ident: str) -> bytes:
        return b"\r\n".join(self.conn.retr(int(ident))[1]) + b"\r\n"

    def done(self, ident: str) -> None:
        self.conn.dele(int(ident))  # gone when the session ends with QUIT

    def close(self) -> None:
        import poplib

        try:
            self.conn.quit()
        except (poplib.error_proto, OSError):
            pass


def _quoted(folder: str) -> str:
    """A folder name as one IMAP string (imaplib sends arguments as they are)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
