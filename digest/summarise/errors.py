"""The summariser's error type, part of the project's one exception tree."""

from __future__ import annotations

from digest.errors import DigestError


class SummariseError(DigestError, ValueError):
    """Bad input to the summariser (wrong type, bad option, absurdly long text).

    Also a ``ValueError``, so callers that only know the summariser's contract
    ("bad argument") can catch it without importing the project's tree.
    """
