"""Our own subscriber list (for message providers): import, list, remove, unsubscribe.

Addresses are stored lower-cased, so duplicates are found whatever their case.
The table itself is read and written by :mod:`digest.store.subscribers`, whose
functions are re-exported here so the list has one public API.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from digest.csvimport import (
    CsvProblem,
    Mapping,
    clean_name,
    find_mapping,
    language_of,
    read_line,
    records,
    sniff_delimiter,
)
from digest.errors import DigestError
from digest.exportstatus import STRENGTH, UNCONFIRMED, known_words
from digest.store import Engine
from digest.store import subscribers as store
from digest.store.subscribers import PAGE, count, iter_active, languages, listing, remove, unsubscribe
from digest.types import ACTIVE, SUPPRESSED

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
    added: int = 0  # new addresses recorded, whatever their status
    already: int = 0  # on the list before: left as they were (see ``now_left``)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)
    mapping: str = ""  # the columns chosen, in words
    forgotten: int = 0  # rows skipped because the address was forgotten
    rows: list[dict[str, str]] = field(default_factory=list)  # the subscribed rows (for --resubscribe)
    recorded: dict[str, int] = field(default_factory=dict)  # status -> new addresses recorded with it
    now_left: dict[str, int] = field(default_factory=dict)  # status -> active addresses the file says left
    kept: int = 0  # the file says they left, but they confirmed a sign-up here: kept active
    unconfirmed: int = 0  # never confirmed their subscription: not added

    def lines(self) -> list[str]:
        """What `digest subscribers import` prints after the column mapping."""
        counts = ", ".join(f"{n} {'subscribed' if s == ACTIVE else s}" for s, n in self.recorded.items() if n)
        out = [
            f"{self.added} added" + (f" ({counts})" if counts else "")
            + f", {self.already} already on the list, {len(self.problems)} row(s) skipped"
        ]
        for status, n in self.now_left.items():
            out.append(f"{n} address(es) on the list were subscribed and are now {status}, as the file says")
        if self.kept:
            out.append(f"{self.kept} address(es) the file says left have confirmed a sign-up here: "
                       "kept subscribed")
        if self.unconfirmed:
            out.append(f"{self.unconfirmed} address(es) never confirmed their subscription: not added")
        return out


def normalise(address: str) -> str:
    """Validate an address and return it lower-cased and ASCII; raises ValueError saying why not.

    The stored form is what goes on the wire: an international domain becomes its
    ASCII (punycode) name, and a part before the @ in another script is refused here,
    because most mail servers cannot take it and it cannot be written in a To header.
    """
    # Imported here: its patterns cost a counting or listing command a twentieth of a second.
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        if address.partition("@")[0].isascii():
            raise ValueError(str(exc)) from None
        raise ValueError(
            "the part before the @ must be written in Latin letters, digits or . _ - +"
        ) from None
    return (checked.ascii_email or checked.normalized).lower()


def read_csv(path: Path) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    """Good rows (email, name, language, status) and problems (line, why) of a subscriber export."""
    rows, problems, _mapping = read_export(path)
    return rows, problems


def read_export(path: Path) -> tuple[list[dict[str, str]], list[tuple[int, str]], Mapping]:
    """Like :func:`read_csv`, plus the column mapping chosen (see digest.csvimport)."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DigestError(f"cannot read {path}: {exc.strerror}") from None
    try:
        with handle:
            header_line, too_long = read_line(handle)
            if too_long or not header_line.strip():
                raise DigestError(f"{path}: the first line must name the columns, e.g. email,name")
            delimiter = sniff_delimiter(header_line)
            header = next(csv.reader([header_line], delimiter=delimiter), [])
            try:
                mapping = find_mapping(header, delimiter, path.name)
            except CsvProblem as exc:
                raise DigestError(f"{path}: {exc}") from None
            rows, problems = _rows(records(handle, delimiter, 1), mapping)
    except UnicodeDecodeError:
        raise DigestError(
            f"{path} is not UTF-8 text; in Excel use Save As > 'CSV UTF-8', then import again"
        ) from None
    return rows, problems, mapping


def _rows(
    found: Iterable[tuple[int, list[str] | str]], mapping: Mapping
) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    rows: list[dict[str, str]] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, dict[str, str]] = {}
    for line, fields in found:
        if isinstance(fields, str):
            problems.append((line, fields))
            continue
        row, why = _row(fields, mapping)
        if row is None:
            problems.append((line, why))
        elif row["email"] in seen:
            problems.append((line, _duplicate(seen[row["email"]], row)))
        else:
            rows.append(seen.setdefault(row["email"], row))
    return rows, problems


def _duplicate(first: dict[str, str], again: dict[str, str]) -> str:
    """A second row for an address: the first is kept, with the stronger status of the two (a later
    row saying the person left is never lost)."""
    why = f"{first['email']}: appears earlier in the file; kept the first"
    if STRENGTH[again["status"]] > STRENGTH[first["status"]]:
        first["status"], first["left_at"] = again["status"], again["left_at"]
        why += f", as {again['status']} (what this row says)"
    return why


def _row(fields: list[str], mapping: Mapping) -> tuple[dict[str, str] | None, str]:
    def get(index: int | None) -> str:
        return fields[index].strip() if index is not None and index < len(fields) else ""

    raw = get(mapping.email)
    try:
        address = normalise(raw[:320])
    except ValueError as exc:
        return None, f"{clean_name(raw)[:80] or '(empty)'}: {exc}"
    status, unknown = mapping.signals.of_row(get)
    if unknown:
        return None, (f"{address}: status {clean_name(unknown)[:40]!r} is not one digest knows; "
                      f"write {known_words()} (not added)")
    language = language_of(get(mapping.language))
    if language not in LANGUAGES:
        if status == ACTIVE:
            return None, f"{address}: language {clean_name(language)[:20]!r} is not one of en, ko"
        language = ""  # a leaver is recorded all the same: never mailed, so no language is needed
    name = clean_name(" ".join(get(i) for i in mapping.name))
    left_at = next((get(i) for i, _ in mapping.signals.times if get(i)), "") if status != ACTIVE else ""
    return {"email": address, "name": name, "language": language, "status": status, "left_at": left_at}, ""


def import_csv(engine: Engine, path: Path, key: bytes | None = None) -> ImportReport:
    """Record every good row with the status the file gives it (see digest.exportstatus).

    A new address is added as subscribed or as the suppressed status the file says; one already
    on the list keeps its status, except that a subscribed address the file says left takes that
    status (unless it confirmed a sign-up here: digest.store.subscribers.record_left). A row that
    never confirmed is not added. With the secret ``key``, forgotten addresses are skipped and
    counted in ``forgotten``.
    """
    from digest.store.forgotten import forgotten_among

    rows, problems, mapping = read_export(path)
    report = ImportReport(problems=problems, mapping=mapping.describe())
    report.unconfirmed = sum(1 for r in rows if r["status"] == UNCONFIRMED)
    rows = [r for r in rows if r["status"] != UNCONFIRMED]
    if key is not None:
        with engine.connect() as conn:
            erased = forgotten_among(conn, key, [r["email"] for r in rows])
        report.forgotten = len(erased)
        rows = [r for r in rows if r["email"] not in erased]
    for status in (ACTIVE, *SUPPRESSED):
        report.recorded[status] = store.insert_new(engine, [r for r in rows if r["status"] == status], key)
    report.added = sum(report.recorded.values())
    left = [r for r in rows if r["status"] != ACTIVE]
    report.now_left, report.kept = store.record_left(engine, left)
    report.already = len(rows) - report.added
    report.rows = [r for r in rows if r["status"] == ACTIVE]
    return report


def add(engine: Engine, address: str, name: str = "", language: str = "", key: bytes | None = None) -> bool:
    row = {"email": normalise(address), "name": clean_name(name), "language": language}
    return store.insert_new(engine, [row], key) == 1
