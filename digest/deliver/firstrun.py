"""A volunteer's first real edition: rehearsals do not use it up, an empty list does not send it,
and the report says where the email went.

The README's first command sends the sample edition to the outbox (a rehearsal); the real
provider configured afterwards must still send this period's edition, with its articles.
"""

from __future__ import annotations

from digest.config import Settings
from digest.deliver.modes import Mode
from digest.deliver.resolve import email_rows, recipient_counts, recipients
from digest.errors import DigestError
from digest.links import campaign_slug
from digest.store import Engine
from digest.store.ledger import Ledger
from digest.subscribers import count


def retire_rehearsal(ledger: Ledger, provider_name: str, key: str) -> None:
    """Before a real send: an edition of this period that went only to the outbox was a rehearsal.
    It is kept under another key, and the period (and its articles) go out for real."""
    if provider_name == "outbox":
        return
    moved = ledger.retire_rehearsal(key)
    if moved:
        note = f"the outbox rehearsal is kept as {moved}; {key} now goes out through {provider_name}"
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
    return lines + where_it_went(settings, engine, key)


def where_it_went(settings: Settings, engine: Engine, key: str) -> list[str]:
    """One line per provider that has deliveries of ``key``: where to look for the email."""
    by_channel: dict[str, list[int]] = {}
    campaigns: dict[str, str] = {}
    for row in email_rows(engine, key, ("sent",)):
        name = row.channel.split(":", 1)[1]
        if row.target == "campaign":
            campaigns[name] = row.provider_id or "(id not recorded)"
        else:
            by_channel.setdefault(name, []).append(len(recipients(row)))
    lines = [f"{name}: campaign {cid} sent to the provider's list; see it in {name}'s dashboard"
             for name, cid in campaigns.items()]
    for name, sizes in by_channel.items():
        people = sum(sizes)
        if name == "outbox":
            folder = settings.data_dir / "outbox" / campaign_slug(key)
            files = len(list(folder.glob("*.eml"))) if folder.is_dir() else 0
            lines.append(f"outbox: {files} .eml file(s) in {folder}/ (nothing left this computer; "
                         "open them in a mail program)")
        else:
            lines.append(f"{name}: {people} recipient(s) accepted by the provider")
    return lines
