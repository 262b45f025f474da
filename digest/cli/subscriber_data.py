"""`digest subscribers export` and `forget`: a data-access request and an erasure request, and the
spreadsheet-safe cell every CSV of `digest subscribers` writes."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from digest.cli.context import Context
from digest.errors import DigestError

CSV_COLUMNS = ("email", "record", "when", "edition", "channel", "status", "detail")


def export(ctx: Context, email: str | None, fmt: str) -> int:
    from digest.store.forgotten import export as held

    found = held(ctx.engine, _address(email) if email else None)
    if email and not any(_holds(item) for item in found):
        raise DigestError(f"nothing is held about {email.strip()}; see digest subscribers list")
    if fmt == "json":
        json.dump(found if email is None else found[0], sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
        return 0
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    for item in found:
        for row in _csv_rows(item):
            out.writerow([spreadsheet_safe("" if v is None else str(v)) for v in row])
    return 0


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or CR) would run as a
    formula when the list is opened in Excel or LibreOffice (CSV injection), so it gets a leading '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _holds(item: dict[str, Any]) -> bool:
    return any(item[k] for k in ("subscriber", "signup", "deliveries", "events", "side_emails"))


def _csv_rows(item: dict[str, Any]) -> list[tuple[Any, ...]]:
    email, rows = item["email"], []
    if sub := item["subscriber"]:
        detail = (
            f"name={sub['name']}; language={sub['language']}; unsubscribed_at={sub['unsubscribed_at'] or ''}"
        )
        rows.append((email, "subscriber", sub["created_at"], "", "", sub["status"], detail))
    if sig := item["signup"]:
        detail = f"language={sig['language']}; confirmation emails={sig['sends']}; consent={sig['consent']}"
        rows.append((email, "signup", sig["requested_at"], "", "", "waiting", detail))
    for d in item["deliveries"]:
        detail = f"attempts={d['attempts']}; provider id={d['provider_id']}"
        rows.append((email, "delivery", d["updated_at"], d["edition_key"], d["channel"], d["status"], detail))
    for e in item["events"]:
        detail = f"hard={e['hard']}; message id={e['message_id']}; {e['detail']}"
        rows.append((email, "event", e["at"], "", e["provider"], e["kind"], detail))
    for m in item["side_emails"]:
        detail = f"subject={m['subject']}; provider id={m['provider_id']}"
        rows.append((email, f"{m['kind']} email", m["created_at"], "", m["provider"], m["status"], detail))
    return rows


def _address(email: str) -> str:
    """The address as stored (lower-cased, its domain in ASCII); one that no longer passes the
    checks is still looked for as written, so nothing stored under it escapes."""
    from digest.subscribers import normalise

    if "@" not in email:
        raise DigestError(f"{email.strip()!r} is not an email address; give the whole address")
    try:
        return normalise(email)
    except ValueError:
        return email.strip().lower()


def forget(ctx: Context, email: str) -> int:
    """Erase the address in the database (then rebuild its files), and in every file under the data
    folder; only a keyed hash is kept."""
    from digest.config.checks import sqlite_file
    from digest.scrub import MAX_BYTES, forms, scrub
    from digest.store.forgotten import forget as erase
    from digest.store.forgotten import reclaim
    from digest.unsubscribe import secret_key

    address = _address(email)
    done = erase(ctx.engine, secret_key(ctx.settings), address)
    reclaim(ctx.engine)
    database = sqlite_file(ctx.settings.db_url)
    live = [Path(f"{database}{end}") for end in ("", "-wal", "-shm", "-journal")] if database else []
    files = scrub(ctx.settings.data_dir, address, skip=live)
    print(
        f"forgot {address}: {done.subscribers} subscriber row(s), {done.signups} sign-up(s), "
        f"{done.deliveries} deliveries and {done.mail_events} provider events erased, "
        f"{done.events} status message(s) and {done.side_mails} side email(s) redacted; "
        f"{len(files.deleted)} message file(s) deleted and {len(files.rewritten)} other file(s) redacted "
        f"in {ctx.settings.data_dir}; only a keyed hash is kept so it is never mailed or imported again "
        "(it stays valid while DIGEST_SECRET_KEY is unchanged)"
    )
    found = forms(address)
    readable = [p for p in live if p.is_file() and p.stat().st_size <= MAX_BYTES]
    held = [p for p in readable if found.found_in(p.read_bytes())]
    for path in files.too_big + held:
        print(f"digest: warning: {path} may still hold it (too big to read, or the database is in use: "
              "run the command again when digest serve and the scheduler are stopped)", file=sys.stderr)
    return 1 if files.too_big or held else 0
