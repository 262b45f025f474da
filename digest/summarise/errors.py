"""The summariser's error type."""

from __future__ import annotations


class SummariseError(ValueError):
    """Bad input to the summariser (wrong type, bad option, absurdly long text)."""
