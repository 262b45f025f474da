"""Deliver: the ledger decides whether, the dispatcher claims, providers send."""

from digest.deliver.send import SendReport, send_current

__all__ = ["SendReport", "send_current"]
