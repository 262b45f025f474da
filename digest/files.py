"""Private files: the data folder and everything digest writes into it are the user's alone.

The folder holds the database (subscribers' addresses, platform sessions), logs,
messages a provider writes to files and the generated secret key, so folders are created
0700 and files 0600 whatever the umask, and older installs are tightened when
they are opened.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700. Returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def make_private(path: Path) -> None:
    """0600 for a file that exists (a missing one is fine: nothing to protect)."""
    try:
        os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new or replaced file that is 0600 from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, FILE_MODE)


def tighten(data_dir: Path) -> None:
    """Make the data folder 0700 and the files directly in it (database, key) and in logs/ 0600."""
    if not data_dir.is_dir():
        return
    os.chmod(data_dir, DIR_MODE)
    for folder in (data_dir, data_dir / "logs"):
        if folder.is_dir():
            os.chmod(folder, DIR_MODE)
            for item in folder.iterdir():
                if item.is_file() and not item.is_symlink():
                    make_private(item)
