"""Reading the subscriber exports people bring: Mailchimp, Buttondown, listmonk or a plain list.

The delimiter (comma, semicolon or tab) and a BOM are detected; columns are matched by
name (``Email Address``, ``email_address``, ``First Name`` + ``Last Name`` ...), and the
mapping chosen is reported so the volunteer can see what was read.

Robust against damaged files, so the good rows always get in: each physical line is read
with a size cap (a 1 GB line is skipped without being held in memory); a quoted field may
span a few lines (a name with a line break), but a quote that never closes spoils only its
own line, never the rows after it. Each row's status (subscribed, or how the person left)
is read from every column and file name that says it (:mod:`digest.exportstatus`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from digest import exportstatus

MAX_LINE = 64 * 1024  # characters in one physical line; a real row is far shorter
MAX_SPAN = 8  # physical lines one quoted field may span (a name with line breaks)
MAX_NAME = 200

# Column names as exportstatus.canonical() reads them (``E-mail Address`` is ``emailaddress``).
EMAIL_COLUMNS = ("email", "emailaddress", "mail", "subscriberemail", "emailaddresses")
NAME_COLUMNS = ("name", "fullname", "displayname", "subscribername")
FIRST_COLUMNS = ("firstname", "fname", "givenname")
LAST_COLUMNS = ("lastname", "lname", "surname", "familyname")
LANGUAGE_COLUMNS = ("language", "lang", "locale", "preferredlanguage")
LANGUAGE_NAMES = {"english": "en", "korean": "ko", "한국어": "ko", "영어": "en"}


@dataclass
class Signals:
    """Where the file says who left: status, yes/no and time columns, and the file as a whole."""

    status: list[int] = field(default_factory=list)  # an unknown word here refuses the row
    loose: list[int] = field(default_factory=list)  # an unknown word here says nothing
    opt_in: list[int] = field(default_factory=list)
    opt_out: list[int] = field(default_factory=list)
    times: list[tuple[int, str]] = field(default_factory=list)  # a filled cell: that status
    whole_file: str | None = None  # every row has this status
    because: str = ""  # what ``whole_file`` was read from, in words

    def describe(self, header: list[str]) -> str:
        columns = [*self.status, *self.loose, *self.opt_in, *self.opt_out, *(i for i, _ in self.times)]
        text = "status <- " + " + ".join(f"'{header[i]}'" for i in columns) if columns else ""
        if self.whole_file:
            every = f"every row {self.whole_file} ({self.because})"
            text = f"{text}; {every}" if text else f"status <- {every}"
        return text

    def of_row(self, get: Callable[[int], str]) -> tuple[str, str]:
        """(the row's status, the unknown status word that refuses it or "")."""
        said = [self.whole_file or ""]
        for i in self.status + self.loose:
            status = exportstatus.status_of_word(get(i))
            if status is None and i in self.status:
                return "", get(i)
            said.append(status or "")
        said += [exportstatus.status_of_flag(get(i), opt_out=False) for i in self.opt_in]
        said += [exportstatus.status_of_flag(get(i), opt_out=True) for i in self.opt_out]
        said += [status for i, status in self.times if get(i)]
        return exportstatus.strongest(said), ""


@dataclass
class Mapping:
    """Which column of the file feeds which field, as found from the header."""

    delimiter: str
    email: int
    name: list[int] = field(default_factory=list)
    language: int | None = None
    header: list[str] = field(default_factory=list)
    signals: Signals = field(default_factory=Signals)

    def describe(self) -> str:
        def col(i: int | None) -> str:
            return f"'{self.header[i]}'" if i is not None else "(none)"

        name = " + ".join(col(i) for i in self.name) or "(none)"
        sep = {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]
        text = f"columns: email <- {col(self.email)}, name <- {name}, language <- {col(self.language)}"
        said = self.signals.describe(self.header)
        return text + (f", {said}" if said else "") + f" ({sep}-separated)"


class CsvProblem(ValueError):
    """The file cannot be read as a subscriber list at all (no email column)."""


def find_mapping(header: list[str], delimiter: str, file_name: str = "") -> Mapping:
    keys = [exportstatus.canonical(c) for c in header]

    def first(names: tuple[str, ...]) -> int | None:
        for name in names:
            if name in keys:
                return keys.index(name)
        return None

    email = first(EMAIL_COLUMNS)
    if email is None:
        shown = ", ".join(h for h in header[:8]) or "(empty)"
        raise CsvProblem(f"no email column among: {shown}; name one 'email' (or 'Email Address')")
    full = first(NAME_COLUMNS)
    parts = [i for i in (first(FIRST_COLUMNS), first(LAST_COLUMNS)) if i is not None]
    name = [full] if full is not None else parts
    signals = find_signals(keys, header, file_name)
    return Mapping(delimiter, email, name, first(LANGUAGE_COLUMNS), header, signals)


def find_signals(keys: list[str], header: list[str], file_name: str) -> Signals:
    """Every column (and the file's name) that says who left; see :mod:`digest.exportstatus`."""
    es = exportstatus
    found = Signals(
        status=[i for i, k in enumerate(keys) if k in es.STATUS_COLUMNS],
        loose=[i for i, k in enumerate(keys) if k in es.LOOSE_STATUS_COLUMNS],
        opt_in=[i for i, k in enumerate(keys) if k in es.OPT_IN_COLUMNS],
        opt_out=[i for i, k in enumerate(keys) if k in es.OPT_OUT_COLUMNS],
    )
    has_status = bool(found.status or found.loose or found.opt_in or found.opt_out)
    for i, key in enumerate(keys):
        if key in es.FILE_TIME_COLUMNS and not has_status:
            found.whole_file = es.strongest([found.whole_file or "", es.FILE_TIME_COLUMNS[key]])
            found.because = f"the column '{header[i]}' marks Mailchimp's export of people who left"
        if key in es.TIME_COLUMNS and (key in es.FILE_TIME_COLUMNS or not has_status):
            found.times.append((i, es.TIME_COLUMNS[key]))
    by_name = es.status_of_file(file_name)
    if by_name and es.STRENGTH[by_name] > es.STRENGTH.get(found.whole_file or "active", 0):
        found.whole_file, found.because = by_name, f"the file's name {file_name!r}"
    return found


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most columns (comma on a tie)."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_line(handle: TextIO) -> tuple[str, bool]:
    """One physical line, capped at MAX_LINE characters; (text, too_long). '' at the end."""
    line = handle.readline(MAX_LINE + 1)
    if len(line) <= MAX_LINE or line.endswith("\n"):
        return line, False
    while True:  # skip the rest of the giant line without keeping it
        rest = handle.readline(MAX_LINE)
        if not rest or rest.endswith("\n"):
            return "", True


def _complete(text: str, delimiter: str) -> list[str] | None:
    """The fields of ``text`` if it is a whole record; None while a quoted field is still open."""
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return None


def records(handle: TextIO, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, fields) for each record, or (line number, why it was skipped)."""
    unclosed = 'a quote (") is opened and never closed; fix the quotes of this row'
    pending: list[tuple[int, str]] = []  # lines to read again after an unclosed quote
    buffer: list[tuple[int, str]] = []
    last = first_line
    while True:
        if pending:
            number, line = pending.pop(0)
        else:
            line, too_long = read_line(handle)
            last += 1
            number = last
            if too_long:
                yield number, f"the line is longer than {MAX_LINE:,} characters"
                continue
            if not line:
                break
        buffer.append((number, line))
        fields = _complete("".join(text for _, text in buffer), delimiter)
        if fields is not None:
            if any(f.strip() for f in fields):
                yield buffer[0][0], fields
            buffer = []
        elif len(buffer) >= MAX_SPAN or (not pending and _at_end(handle)):
            # Only this row is spoiled: the lines after its opening quote are read again alone.
            yield buffer[0][0], unclosed
            pending = buffer[1:] + pending
            buffer = []
    if buffer:
        yield buffer[0][0], unclosed


def _at_end(handle: TextIO) -> bool:
    """True at the end of the file (peeking without losing the position)."""
    try:
        here = handle.tell()
        more = handle.read(1)
        handle.seek(here)
    except (OSError, ValueError):
        return False
    return not more


def clean_name(raw: str) -> str:
    """A name fit for a header: control characters and line breaks become spaces, capped."""
    text = raw
    if not raw.isprintable():  # none of those is printable: the common name skips the walk (per message)
        text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in raw)
    return " ".join(text.split())[:MAX_NAME]


def language_of(raw: str) -> str:
    """'ko', 'ko-KR', 'ko_KR', 'Korean' -> 'ko'; '' stays ''; anything else returned as given."""
    text = raw.strip().lower()
    text = LANGUAGE_NAMES.get(text, text)
    return re.split(r"[-_]", text, maxsplit=1)[0] if text else ""
