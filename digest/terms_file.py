"""The protected terms a run checks against: read once, and again only when the file changes.

Issue 13 needs the *current* terms before every dispatch and publish, so a term
added after an edition was frozen still stops it; issue 10 needs them loaded once
per run, because compiling every term (all its part orders and look-alike
letters) is not free and one send checks them many times. Both hold: each check
looks at the file's identity, modification time (ns) and size, and reads it again
only when one of them changed. This module imports nothing heavy, so settings can
hold one without slowing the CLI's start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.protect import ProtectedTerms

# (path, inode, mtime_ns, size): a save in place changes the time or size, a replace the inode.
_Stamp = tuple[str, int, int, int]


class TermsFile:
    """One run's protected terms, keyed by what the file looked like when they were read."""

    def __init__(self) -> None:
        # One tuple, replaced whole, so a thread never sees a stamp with another file's terms.
        self._loaded: tuple[_Stamp, ProtectedTerms] | None = None

    def current(self, path: Path | None) -> ProtectedTerms:
        """The terms in ``path`` now (none when no file is configured). Raises ConfigError when unreadable."""
        from digest.protect import ProtectedTerms

        if path is None:
            return ProtectedTerms([])
        try:
            st = path.stat()
        except OSError:
            return ProtectedTerms.from_file(path)  # raises the one-line ConfigError naming the key
        stamp = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
        loaded = self._loaded
        if loaded is not None and loaded[0] == stamp:
            return loaded[1]
        # Stamped before reading: an edit during the read leaves a stale stamp, so the next check re-reads.
        terms = ProtectedTerms.from_file(path)
        self._loaded = (stamp, terms)
        return terms
