"""What a command needs, built on first use: settings, then the database."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest import clock
from digest.errors import ConfigError
from digest.files import private_dir, tighten

if TYPE_CHECKING:  # imported when first used, so `digest --help` starts fast
    from digest.config import Settings
    from digest.store import Engine
    from digest.store.ledger import Ledger
    from digest.store.quick import Reader
    from digest.store.seen import ArticleBook


class Context:
    def __init__(
        self, env_file: str | None = None, *, reads_sources: bool = True, schedules: bool = True
    ) -> None:
        self.env_file = Path(env_file) if env_file else None
        # A command that never reads the articles (a subscriber import outside the clone, status)
        # does not stop on DIGEST_SOURCES; one that never uses the schedule does not read it.
        self.reads_sources = reads_sources
        self.schedules = schedules
        self._settings: Settings | None = None
        self._engine: Engine | None = None
        self._reader: Reader | None = None
        self._writer: Reader | None = None  # the reader opened to write (see seen)
        # The preview shows every listed platform's posts; only publishing needs their keys.
        self.social_warnings = True

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from digest.config import SCHEDULE_CHECK, SOURCES_CHECK
            from digest.plugins import load_settings

            skip = [check for check, needed in ((SOURCES_CHECK, self.reads_sources),
                                                (SCHEDULE_CHECK, self.schedules)) if not needed]
            self._settings = load_settings(
                self.env_file, warn=self.warn, social_warnings=self.social_warnings, skip=skip
            )
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from digest.store import open_store

            try:
                private_dir(self.settings.data_dir)
            except OSError as exc:
                problem = f"{self.settings.data_dir} cannot be created ({exc.strerror or exc})"
                raise ConfigError("DIGEST_DATA_DIR", problem, "give a folder you can write") from None
            self._engine = open_store(self.settings.db_url)
            tighten(self.settings.data_dir)  # files an older version left readable
        return self._engine

    @property
    def reader(self) -> Reader:
        """For a command that only reads: the database without SQLAlchemy when it can
        (see digest.store.quick), else through the engine, made or migrated first."""
        if self._reader is None:
            self._reader = self._open(writes=False)
        return self._reader

    @property
    def seen(self) -> ArticleBook:
        """What building an edition reads and records (the articles seen), as :attr:`reader`
        opens the database but able to write (see digest.store.seen)."""
        from digest.store.seen import ArticleBook

        if self._writer is None:
            self._writer = self._open(writes=True)
        return ArticleBook(self._writer)

    def _open(self, *, writes: bool) -> Reader:
        from digest.store.quick import on_engine, open_reader

        if self._engine is not None:
            return on_engine(self._engine)
        found = open_reader(self.settings.db_url, fallback=lambda: self.engine, writes=writes)
        if self._engine is None:  # opened with sqlite3: the engine's tightening did not run
            tighten(self.settings.data_dir)  # files an older version left readable
        return found

    @property
    def ledger(self) -> Ledger:
        from digest.store.ledger import Ledger

        return Ledger(self.engine)

    @property
    def interactive(self) -> bool:
        return sys.stderr.isatty()

    def warn(self, line: str) -> None:
        print(f"digest: warning: {line}", file=sys.stderr)

    def secrets(self) -> list[str]:
        """The secret settings' values, once settings are loaded (for redacting error lines)."""
        if self._settings is None:
            return []
        from digest.redact import secret_settings

        return secret_settings(self._settings)

    def now(self) -> datetime:
        return clock.now()

    def close(self) -> None:
        for reader in (self._reader, self._writer):
            if reader is not None:
                reader.close()
        self._reader = self._writer = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@contextmanager
def kept_start_up() -> Iterator[Callable[[], None]]:
    """For a command that starts up once, then works long (`digest send`): the garbage collector
    stays off while it imports and loads its settings; the ``started()`` it is given then freezes
    what start-up made (modules, classes, settings: all kept until the process ends) and turns the
    collector back on, so no later collection walks them again. The collections during start-up,
    and their full walks over it since, took 60-70 ms of `digest send` before its first call
    (issue 24). Unfrozen when the block ends, for a caller that goes on in the same process."""
    was_on = gc.isenabled()
    gc.disable()
    frozen = False

    def started() -> None:
        nonlocal frozen
        if not frozen:
            frozen = True
            gc.freeze()
            if was_on:
                gc.enable()

    try:
        yield started
    finally:
        started()
        gc.unfreeze()


def who() -> str:
    """Who runs this command, for the records of what changed (pause, users, the audit log)."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment (a container without one)
        user = "?"
    return f"by {user}@{socket.gethostname()} on the command line"
