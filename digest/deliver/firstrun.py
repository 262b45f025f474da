"""A volunteer's first real edition: rehearsals do not use it up, an empty list does not send it,
and the report says where the email went.

The README's first command sends the sample edition through a provider that sends nothing
(a rehearsal, ``Provider.rehearsal``); the real provider configured afterwards must still
send this period's edition, with its articles.
"""

from __future__ import annotations

from digest.config import Settings
from digest.deliver.counts import recipient_counts
from digest.deliver.modes import Mode
from digest.deliver.resolve import CAMPAIGN, EMAIL
from digest.errors import DigestError
from digest.providers.base import Provider, Shared
from digest.providers.registry import providers, rehearsal_channels
from digest.render.message import one_click
from digest.store import Engine
from digest.store.ledger import Ledger
from digest.store.overview import tallies
from digest.subscribers import count


def retire_rehearsal(ledger: Ledger, provider_name: str, key: str) -> None:
    """Before a real send: an edition of this period that went only to rehearsal providers was a
    rehearsal. It is kept under another key, and the period (and its articles) go out for real."""
    channels = rehearsal_channels(provider_name)
    moved = ledger.retire_rehearsal(key, channels) if channels else None
    if moved:
        names = " or ".join(channel.removeprefix(EMAIL) for channel in channels)
        note = f"the {names} rehearsal is kept as {moved}; {key} now goes out through {provider_name}"
        ledger.event("info", "rehearsal", note, key)


def refuse_empty_list(engine: Engine, mode: Mode) -> None:
    """A list we keep with nobody on it would send nothing (or one copy to ourselves) and use up
    the period: refuse before anything is frozen. A rehearsal keeps its copy to DIGEST_FROM."""
    if not mode.owns_list or mode.provider.rehearsal:
        return
    if not count(engine).get("active", 0):
        name = mode.provider.name
        raise DigestError(
            f"no subscribers to send to with DIGEST_PROVIDER={name}; nothing was sent or frozen. "
            "Import them first: digest subscribers import FILE.csv"
        )


def sent_summary(settings: Settings, engine: Engine, key: str) -> list[str]:
    """What `digest send` prints after the report: recipients by status, then where it went."""
    people = recipient_counts(engine, key)
    lines = ["recipients: " + ", ".join(f"{n} {status}" for status, n in sorted(people.items()))]
    return lines + where_it_went(settings, engine, key) + mailto_only(settings, engine, key)


def mailto_only(settings: Settings, engine: Engine, key: str) -> list[str]:
    """A real send whose email offered only a mailto: unsubscribe says so: Gmail and Yahoo ask
    bulk senders for a one-click https link (RFC 8058), and without it the list looks careless."""
    if one_click(settings.unsubscribe_template):
        return []
    people, _campaigns = _sent(engine, key)
    if not any(not providers().get(name, Provider).rehearsal for name in people):
        return []
    return [
        "warning: this email offered only a mailto: unsubscribe (no one-click https link); Gmail and "
        "Yahoo expect one from bulk senders. Set DIGEST_PUBLIC_URL=https://... (the page of digest "
        "serve) or DIGEST_UNSUBSCRIBE_URL, then check with digest doctor"
    ]


def where_it_went(settings: Settings, engine: Engine, key: str) -> list[str]:
    """One line per provider that has deliveries of ``key``: where to look for the email
    (each provider says it: :meth:`~digest.providers.base.Provider.where_sent`)."""
    people, campaigns = _sent(engine, key)
    lines = [
        f"{name}: campaign {cid} sent to the provider's list; see it in {name}'s dashboard"
        for name, cid in campaigns.items()
    ]
    shared = Shared.from_settings(settings)
    for name, n in people.items():
        cls = providers().get(name, Provider)  # a provider no longer available: the general words
        lines.append(f"{name}: {cls.where_sent(shared, key, n)}")
    return lines


def _sent(engine: Engine, key: str) -> tuple[dict[str, int], dict[str, str]]:
    """Provider name -> people the email was sent to (a provider sending our list), and provider
    name -> campaign id (a provider sending its own list). Counted in the database, so a long list
    is never loaded; only a channel that reached nobody is read, for its campaign row."""
    people: dict[str, int] = {}
    campaigns: dict[str, str] = {}
    for t in tallies(engine, key):
        if t.status != "sent" or not t.channel.startswith(EMAIL):
            continue
        name = t.channel.removeprefix(EMAIL)
        if not t.people:
            rows = Ledger(engine).deliveries(key, t.channel, ["sent"])
            found = [r.provider_id or "(id not recorded)" for r in rows if r.target == CAMPAIGN]
            if found:
                campaigns[name] = found[-1]
                continue
        people[name] = people.get(name, 0) + t.people
    return people, campaigns
