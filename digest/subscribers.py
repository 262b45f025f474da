"""Our own subscriber list (for message providers): import, list, remove, unsubscribe.

Addresses are stored lower-cased, so duplicates are found whatever their case.
The table itself is read and written by :mod:`digest.store.subscribers`, whose
functions are re-exported here so the list has one public API.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from digest.errors import DigestError
from digest.store import Engine
from digest.store import subscribers as store
from digest.store.subscribers import PAGE, count, iter_active, languages, listing, remove, unsubscribe

LANGUAGES = ("", "en", "ko")

__all__ = [
    "PAGE",
    "ImportReport",
    "add",
    "count",
    "import_csv",
    "iter_active",
    "languages",
    "listing",
    "normalise",
    "read_csv",
    "remove",
    "unsubscribe",
]


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


def normalise(address: str) -> str:
    """Validate an address and return it lower-cased; raises ValueError saying why not."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return checked.normalized.lower()


def read_csv(path: Path) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    """Good rows (email, name, language) and problems (line, why) of a CSV with an ``email`` column."""
    rows: list[dict[str, str]] = []
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DigestError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower(): c for c in reader.fieldnames or []}
        if "email" not in columns:
            raise DigestError(
                f"{path}: no 'email' column; the first line must name the columns, e.g. email,name"
            )
        for row in reader:
            line = reader.line_num

            def get(name: str, row: dict[str, str] = row) -> str:
                return (row.get(columns.get(name, ""), "") or "").strip()

            try:
                address = normalise(get("email"))
            except ValueError as exc:
                problems.append((line, f"{get('email') or '(empty)'}: {exc}"))
                continue
            language = get("language").lower()
            if language not in LANGUAGES:
                problems.append((line, f"{address}: language {language!r} is not one of en, ko"))
                continue
            if address in seen:
                problems.append((line, f"{address}: appears earlier in the file; kept the first"))
                continue
            seen.add(address)
            rows.append({"email": address, "name": get("name")[:200], "language": language})
    return rows, problems


def import_csv(engine: Engine, path: Path) -> ImportReport:
    """Add every good row; addresses already on the list (any case) are left as they are."""
    rows, problems = read_csv(path)
    report = ImportReport(problems=problems)
    report.added = store.insert_new(engine, rows)
    report.already = len(rows) - report.added
    return report


def add(engine: Engine, address: str, name: str = "", language: str = "") -> bool:
    row = {"email": normalise(address), "name": name, "language": language}
    return store.insert_new(engine, [row]) == 1
