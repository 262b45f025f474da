"""Start-up checks that span sections: everything a value needs to work at run time.

A value that parses can still fail later (a CA file that is gone, a host name no resolver
takes, a database in memory that forgets every send). Each check here raises a ConfigError
naming the key, so the problem is exit 2 at start-up instead of a traceback mid-send.
Fields are read with getattr so these checks do not depend on which section declares them.
"""

from __future__ import annotations

import os
from dataclasses import fields, is_dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from digest.config.base import valid_host
from digest.config.core import is_default_provider
from digest.config.envfile import link_problem
from digest.errors import ConfigError

MIN_SECRET_BYTES = 32
MIN_SECRET_KINDS = 8  # different characters; a random hex key has all 16
_NEW_KEY = (
    "leave it empty (one is generated) or use: python3 -c 'import secrets; print(secrets.token_hex(32))'"
)
SAMPLE_IDENTITY = ("DIGEST_ORG_NAME", "DIGEST_FROM", "DIGEST_POSTAL_ADDRESS")
_DB_FIX = "use postgresql://user:password@host:5432/dbname, or leave it empty for SQLite"
_LINK_FIX = "point the link at a real file or folder, or remove it"


class StartupChecks:
    def check_secret_key(self) -> None:
        key = str(getattr(self, "secret_key", ""))
        if key and len(key.encode()) < MIN_SECRET_BYTES:
            size = len(key.encode())
            problem = f"is {size} bytes; at least {MIN_SECRET_BYTES} are needed"
            raise ConfigError("DIGEST_SECRET_KEY", problem, _NEW_KEY)
        if key and len(set(key)) < MIN_SECRET_KINDS:  # aaaa...: anyone could forge links and log-ins
            problem = f"uses only {len(set(key))} different character(s), so it can be guessed"
            raise ConfigError("DIGEST_SECRET_KEY", problem, _NEW_KEY)

    def check_data_dir(self) -> None:
        data_dir = Path(getattr(self, "data_dir", Path("var")))
        problem, dangling = link_problem(data_dir)
        if problem:  # a disk not mounted: a new folder would start a new ledger
            fix = "mount or restore the folder it points at, or remove the link" if dangling else _LINK_FIX
            raise ConfigError("DIGEST_DATA_DIR", problem, fix)
        if data_dir.exists() and not data_dir.is_dir():
            raise ConfigError("DIGEST_DATA_DIR", f"{data_dir} is a file, not a folder", "give a folder path")
        parent = data_dir
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if parent.exists() and not parent.is_dir():
            raise ConfigError("DIGEST_DATA_DIR", f"{parent} is a file, not a folder", "give a folder path")
        if parent != data_dir and not os.access(parent, os.W_OK | os.X_OK):
            problem = f"{data_dir} cannot be created in {parent}"
            raise ConfigError("DIGEST_DATA_DIR", problem, "give a folder you can write")

    def check_database_url(self) -> None:
        url = str(getattr(self, "database_url", ""))
        if url:
            problem = database_problem(url)
            if problem:
                raise ConfigError("DIGEST_DATABASE_URL", problem, _DB_FIX)

    def check_database_file(self) -> None:
        """An SQLite file that exists but is empty is a ledger lost (a restore that went wrong, a full
        disk): opened as it is, digest would start a new one and send again what was sent."""
        url = str(getattr(self, "database_url", ""))
        path = sqlite_file(url) if url else Path(getattr(self, "data_dir", Path("var"))) / "digest.db"
        key = "DIGEST_DATABASE_URL" if url else "DIGEST_DATA_DIR"
        if path is not None:
            _check_database_path(key, path)
        if path is None or _size(path) != 0 or _size(Path(f"{path}-wal")):  # an unwritten WAL: no ledger
            return
        raise ConfigError(
            key,
            f"the database {path} is an empty file, so the ledger of what was sent is gone",
            "restore it from your backup; or delete the empty file to start a new ledger, which no longer "
            "knows what was sent",
        )

    def sample_warnings(self) -> list[str]:
        """The sample sender, name and postal address still set while a real provider sends.

        `.env.example` works as copied, so nothing stops a first real send going out as the
        sample organisation; `digest config`, the README's check step, says so.
        """
        provider = str(getattr(self, "provider", ""))
        if is_default_provider(provider) or not is_dataclass(self):
            return []
        return [
            f"{f.metadata['env']}: is still the sample {f.default!r}, and DIGEST_PROVIDER={provider} sends "
            "to real people; set your own in .env"
            for f in fields(self)
            if f.metadata.get("env") in SAMPLE_IDENTITY and getattr(self, f.name) == f.default
        ]


def _check_database_path(key: str, path: Path) -> None:
    """The database's own path: a link to nothing (a disk not mounted, a restore half done) would
    start a new ledger that no longer knows what was sent; a loop of links or a folder cannot be
    opened at all. Each is one line at start-up, not a driver's error mid-run."""
    problem, dangling = link_problem(path) if path.is_symlink() else ("", False)
    if dangling:
        fix = "mount or restore the file it points at; to start a new ledger, remove the link"
        raise ConfigError(key, f"the database {problem}, so the ledger of what was sent is not there", fix)
    if problem:
        raise ConfigError(key, f"the database {problem}", _LINK_FIX)
    if path.is_dir():
        raise ConfigError(key, f"the database {path} is a folder, not a file", "move the folder aside")


def check_host(key: str, host: str) -> None:
    """A host name a resolver can take (``bad..host`` cannot), or an IP address."""
    if host and not valid_host(host.strip()):
        raise ConfigError(key, f"{host!r} is not a valid host name", "write it like smtp.example.org")


def check_ca_file(key: str, ca_file: str) -> None:
    """A CA file that exists and loads as PEM certificates (checked now, not at the first send)."""
    import ssl

    if not ca_file:
        return
    path = Path(ca_file).expanduser()
    if not path.is_file():
        raise ConfigError(key, f"{path} does not exist", "fix the path or leave it empty")
    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError, ValueError) as exc:
        problem = f"{path} is not a readable PEM certificate file ({exc.__class__.__name__})"
        raise ConfigError(key, problem, "give the CA certificate in PEM form") from None


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite address, percent-decoded as SQLAlchemy reads it (None for another
    database, one in memory, or a malformed address, which :func:`database_problem` reports)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.split("+")[0] != "sqlite":
        return None
    path = _sqlite_path(parts.path)
    return Path(path).expanduser() if path and path != ":memory:" else None


def _sqlite_path(url_path: str) -> str:
    path = unquote(url_path)  # as SQLAlchemy reads it: a "%20" in the address is a space in the name
    return path[1:] if path.startswith("/") else path


def _size(path: Path) -> int | None:
    """The size of a regular file; None when there is none (or it cannot be read)."""
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def database_problem(url: str) -> str:
    """What is wrong with a database address, or '' (the password is never repeated)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        path = _sqlite_path(parts.path)
        memory = "memory" in parse_qs(parts.query).get("mode", [])
        if not path or path == ":memory:" or memory:
            return "is a database in memory, which forgets every send when digest stops"
        folder = Path(path).expanduser().parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return "" if folder.is_dir() else f"{folder} is a file, not a folder"
    if scheme != "postgresql":
        return ""  # the supported schemes are checked with the other core settings
    if port == 0:
        return "has port 0; PostgreSQL listens on 5432 unless told otherwise"
    host = parts.hostname or ""
    if host and not valid_host(host):
        return f"has an invalid host name {host!r}"
    return ""
