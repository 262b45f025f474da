"""How many calls and people an edition's deliveries reached, counted by the database.

`digest status`, the dashboard, the receipt and a send's progress read these on every view;
they must cost the same whatever the list's size or the history's length, so they come from
the counts the database keeps (:mod:`digest.store.kept_counts`), never from loading rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from digest.store.overview import Tally, campaign_calls, tallies
from digest.store.quick import Reads
from digest.store.rows import EMAIL


def recipient_counts(source: Reads, key: str) -> dict[str, int]:
    """status -> number of people over the email deliveries of ``key``: a batch counts each of its
    recipients, a skipped one as ``skipped``; a campaign row, whose list the provider keeps, as
    ``campaign <status>`` (as :func:`digest.deliver.resolve.people_by_status` counts loaded rows)."""
    return people_of(source, key, tallies(source, key))


def people_of(source: Reads, key: str, counted: Sequence[Tally]) -> dict[str, int]:
    """:func:`recipient_counts` from edition ``key``'s tallies (and its campaign rows, looked up)."""
    channels = sorted({t.channel for t in counted if t.channel.startswith(EMAIL)})
    return people_of_tallies(counted, campaign_calls(source, key, channels))


def people_of_tallies(counted: Iterable[Tally], campaigns: dict[str, int]) -> dict[str, int]:
    """:func:`recipient_counts` from an edition's :func:`~digest.store.overview.tallies` and its
    campaign rows by status."""
    counts = {f"campaign {status}": n for status, n in campaigns.items()}
    for t in counted:
        if t.channel.startswith(EMAIL):
            for status, n in ((t.status, t.people), ("skipped", t.skipped)):
                if n:
                    counts[status] = counts.get(status, 0) + n
    return dict(sorted(counts.items()))

