"""Logging for the long-running commands: stderr plus a rotating file in the data folder.

Log records carry edition keys, counts and error texts, never settings values:
secrets stay out of logs because nothing here formats the settings object.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 5


def log_file(data_dir: Path) -> Path:
    return data_dir / "logs" / "digest.log"


def setup_logging(data_dir: Path, level: str = "info", *, verbose: bool = False) -> Path:
    """Send digest's log records to stderr and to ``<data_dir>/logs/digest.log`` (1 MB x 5).

    Replaces handlers a previous call (or the CLI's basicConfig) installed on the
    root logger, so calling it twice does not duplicate lines. Returns the file path.
    """
    path = log_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter(FORMAT)
    to_file = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    to_stderr = logging.StreamHandler(sys.stderr)
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
