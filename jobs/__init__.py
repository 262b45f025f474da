"""Scheduled jobs. They are declared from settings at every start of `digest run`.

A job only triggers: whether anything is sent is decided by the send ledger.
"""
