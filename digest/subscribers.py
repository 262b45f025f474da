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

from email_validator import EmailNotValidError, validate_email

from digest.csvimport import (
    CsvProblem,
    Mapping,
    clean_name,
    find_mapping,
    language_of,
    left_the_list,
    read_line,
    records,
    sniff_delimiter,
)
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
    mapping: str = ""  # the columns chosen, in words
    forgotten: int = 0  # rows skipped because the address was forgotten
    rows: list[dict[str, str]] = field(default_factory=list)  # the good rows (for --resubscribe)


def normalise(address: str) -> str:
    """Validate an address and return it lower-cased and ASCII; raises ValueError saying why not.

    The stored form is what goes on the wire: an international domain becomes its
    ASCII (punycode) name, and a part before the @ in another script is refused here,
    because most mail servers cannot take it and it cannot be written in a To header.
    """
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
    """Good rows (email, name, language) and problems (line, why) of a subscriber export."""
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
                mapping = find_mapping(header, delimiter)
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
    seen: set[str] = set()
    for line, fields in found:
        if isinstance(fields, str):
            problems.append((line, fields))
            continue
        row, why = _row(fields, mapping, seen)
        if row is None:
            problems.append((line, why))
        else:
            rows.append(row)
    return rows, problems


def _row(fields: list[str], mapping: Mapping, seen: set[str]) -> tuple[dict[str, str] | None, str]:
    def get(index: int | None) -> str:
        return fields[index].strip() if index is not None and index < len(fields) else ""

    raw = get(mapping.email)
    try:
        address = normalise(raw[:320])
    except ValueError as exc:
        return None, f"{clean_name(raw)[:80] or '(empty)'}: {exc}"
    if mapping.status is not None and left_the_list(get(mapping.status)):
        return None, f"{address}: status {get(mapping.status)!r} in the file; not subscribed again"
    language = language_of(get(mapping.language))
    if language not in LANGUAGES:
        return None, f"{address}: language {clean_name(language)[:20]!r} is not one of en, ko"
    if address in seen:
        return None, f"{address}: appears earlier in the file; kept the first"
    seen.add(address)
    name = clean_name(" ".join(get(i) for i in mapping.name))
    return {"email": address, "name": name, "language": language}, ""


def import_csv(engine: Engine, path: Path, key: bytes | None = None) -> ImportReport:
    """Add every good row; addresses already on the list (any case) are left as they are.

    With the secret ``key``, forgotten addresses are skipped and counted in ``forgotten``.
    """
    from digest.store.forgotten import forgotten_among

    rows, problems, mapping = read_export(path)
    report = ImportReport(problems=problems, mapping=mapping.describe())
    if key is not None:
        with engine.connect() as conn:
            erased = forgotten_among(conn, key, [r["email"] for r in rows])
        report.forgotten = len(erased)
        rows = [r for r in rows if r["email"] not in erased]
    report.added = store.insert_new(engine, rows, key)
    report.already = len(rows) - report.added
    report.rows = rows
    return report


def add(engine: Engine, address: str, name: str = "", language: str = "", key: bytes | None = None) -> bool:
    row = {"email": normalise(address), "name": clean_name(name), "language": language}
    return store.insert_new(engine, [row], key) == 1
