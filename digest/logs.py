"""Logging for the long-running commands: stderr plus a rotating file in the data folder.

Log records carry edition keys, counts and error texts, never settings values.
Every line is still redacted on its way out (:class:`~digest.redact.RedactingFormatter`):
a library's debug line or an exception text may hold a URL with a token in its
query string, or an Authorization value. The log file and its folder are private
to the user (0600/0700).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterable
from pathlib import Path

from digest.files import make_private, private_dir
from digest.redact import RedactingFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 5


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 (each new file after a rollover too)."""

    def _open(self):  # type: ignore[no-untyped-def]  # the stream type differs across Python versions
        stream = super()._open()
        make_private(Path(self.baseFilename))
        return stream


def log_file(data_dir: Path) -> Path:
    return data_dir / "logs" / "digest.log"


def setup_logging(
    data_dir: Path,
    level: str = "info",
    *,
    verbose: bool = False,
    secrets: Iterable[str] = (),
    console: str = "",
) -> Path:
    """Send digest's log records to stderr and to ``<data_dir>/logs/digest.log`` (1 MB x 5).

    Replaces handlers a previous call (or the CLI's basicConfig) installed on the
    root logger, so calling it twice does not duplicate lines. ``console``: the lowest level
    shown on stderr (the file keeps every level). Returns the file path.
    """
    path = log_file(data_dir)
    private_dir(path.parent)
    formatter = RedactingFormatter(FORMAT, secrets)
    to_file = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    to_stderr = logging.StreamHandler(sys.stderr)
    if console and not verbose:  # e.g. `run --once` prints its results itself: only warnings here
        to_stderr.setLevel(getattr(logging, console.upper()))
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in (to_file, to_stderr):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level.upper()))
    # APScheduler logs every job start and finish at INFO; keep that for --verbose.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
    return path
