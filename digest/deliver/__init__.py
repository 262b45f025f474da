"""Deliver: the ledger decides whether, the dispatcher claims, providers send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digest.deliver.send import SendReport, send_current

__all__ = ["SendReport", "send_current"]


def __getattr__(name: str) -> Any:
    """The send pipeline on first use: `digest status`, the dashboard and the other readers of
    this package's modules need neither it nor the templates and summariser it brings."""
    if name in __all__:
        from digest.deliver import send

        return getattr(send, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
