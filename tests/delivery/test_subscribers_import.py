"""Issue 11 (the exports people bring) and issue 13 (damaged CSV must not crash or lose rows)."""

from __future__ import annotations

import csv
import email
import io
import tracemalloc
import unicodedata
from email import policy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.csvimport import clean_name
from digest.subscribers import import_csv, iter_active, read_export

MAILCHIMP = (
    "Email Address,First Name,Last Name,Address,Phone Number,MEMBER_RATING,OPTIN_TIME,TAGS\n"
    'ann@example.org,Ann,Lee,"1 Main St, Springfield",,2,2024-01-02 10:00:00,"donor,volunteer"\n'
    "kim@example.kr,철수,김,,,3,2024-02-03 11:00:00,\n"
)
BUTTONDOWN = (
    "id,email,notes,metadata,tags,referrer_url,creation_date,type\n"
    'a1,reader@example.org,,"{""city"": ""Seoul""}",[],,2024-01-01,regular\n'
    "a2,gone@example.org,,{},[],,2024-01-01,unsubscribed\n"
)
LISTMONK = (
    "uuid,email,name,attributes,status,created_at,updated_at\n"
    '6f1c,one@example.org,One Person,"{""lang"": ""ko"", ""x"": 1}",enabled,2024-01-01,2024-01-01\n'
    "7a2d,blocked@example.org,Blocked,{},blocklisted,2024-01-01,2024-01-01\n"
)


def write(tmp_path: Path, text: str, name: str = "list.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_mailchimp_export_as_it_is(tmp_path: Path) -> None:
    rows, problems, mapping = read_export(write(tmp_path, MAILCHIMP, bom=True))
    assert problems == []
    assert [(r["email"], r["name"], r["language"], r["status"]) for r in rows] == [
        ("ann@example.org", "Ann Lee", "", "active"), ("kim@example.kr", "철수 김", "", "active")]
    text = mapping.describe()
    assert "email <- 'Email Address'" in text and "'First Name' + 'Last Name'" in text


def test_buttondown_export_records_who_unsubscribed_as_unsubscribed(tmp_path: Path) -> None:
    rows, problems, mapping = read_export(write(tmp_path, BUTTONDOWN))
    assert problems == []
    assert [(r["email"], r["status"]) for r in rows] == [
        ("reader@example.org", "active"), ("gone@example.org", "unsubscribed")]
    assert "status <- 'type'" in mapping.describe()


def test_listmonk_export_with_json_attributes_and_blocklist(tmp_path: Path) -> None:
    rows, problems, _ = read_export(write(tmp_path, LISTMONK))
    assert problems == []
    assert [(r["email"], r["name"], r["status"]) for r in rows] == [
        ("one@example.org", "One Person", "active"), ("blocked@example.org", "Blocked", "blocked")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [False, True])
def test_comma_semicolon_tab_with_or_without_bom(tmp_path: Path, delimiter: str, bom: bool) -> None:
    text = delimiter.join(["E-mail", "Name", "Language"]) + "\r\n"
    text += delimiter.join(["a@example.org", "Ann, the first", "ko-KR"]) + "\r\n"
    if delimiter == ",":
        text = text.replace("Ann, the first", '"Ann, the first"')
    rows, problems, mapping = read_export(write(tmp_path, text, bom=bom))
    assert problems == [] and [(r["email"], r["name"], r["language"]) for r in rows] == [
        ("a@example.org", "Ann, the first", "ko")]
    assert {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter] in mapping.describe()


def test_cli_prints_the_column_mapping(world, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    w = world()
    monkeypatch.setenv("DIGEST_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.setenv("DIGEST_SOURCES", str(w.settings.sources[0]))
    monkeypatch.chdir(tmp_path)
    assert main(["subscribers", "import", str(write(tmp_path, MAILCHIMP))]) == 0
    out = capsys.readouterr().out
    assert "columns: email <- 'Email Address'" in out and "2 added" in out


def test_unbalanced_quote_spoils_only_its_own_row(tmp_path: Path) -> None:
    good = [f"reader{i}@example.org,Reader {i}\n" for i in range(1000)]
    text = "email,name\n" + good[0] + 'broken@example.org,"Unclosed name\n' + "".join(good[1:])
    rows, problems, _ = read_export(write(tmp_path, text))
    assert len(rows) == 1000
    assert problems == [(3, 'a quote (") is opened and never closed; fix the quotes of this row')]


def test_unbalanced_quote_on_the_last_line(tmp_path: Path) -> None:
    rows, problems, _ = read_export(write(tmp_path, 'email,name\na@example.org,A\nb@example.org,"B\n'))
    assert [r["email"] for r in rows] == ["a@example.org"] and [p[0] for p in problems] == [3]


def test_a_quoted_name_may_span_lines_and_becomes_one_line(tmp_path: Path) -> None:
    text = 'email,name\na@example.org,"Kim\nChul\r\nBcc: evil@example.org"\nb@example.org,B\n'
    rows, problems, _ = read_export(write(tmp_path, text))
    assert problems == []
    assert rows[0]["name"] == "Kim Chul Bcc: evil@example.org" and rows[1]["email"] == "b@example.org"


def test_giant_line_is_refused_without_losing_good_rows_or_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.write(b"email,name\nfirst@example.org,First\n")
        start = out.tell()
        out.truncate(start + (1 << 30))  # a 1 GB line of NUL bytes (sparse: no disk needed)
        out.seek(start + (1 << 30))
        out.write(b"\nlast@example.org,Last\n")
    tracemalloc.start()
    try:
        rows, problems, _ = read_export(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r["email"] for r in rows] == ["first@example.org", "last@example.org"]
    assert len(problems) == 1 and problems[0][0] == 3 and "longer than" in problems[0][1]
    assert peak < 20_000_000, peak


def test_not_utf8_is_one_clear_line(tmp_path: Path, world, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    w = world()
    monkeypatch.setenv("DIGEST_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.setenv("DIGEST_SOURCES", str(w.settings.sources[0]))
    path = tmp_path / "excel.csv"
    path.write_bytes("email,name\nkim@example.kr,김철수\n".encode("cp949"))
    assert main(["subscribers", "import", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "UTF-8" in err[0]


NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=12), delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_names_with_any_delimiter_round_trip(tmp_path: Path, names: list[str], delimiter: str) -> None:
    """Quotes, delimiters, line breaks, controls, any script in names: every row in, names one line."""
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    out.writerow(["email", "name"])
    for i, name in enumerate(names):
        out.writerow([f"person{i}@example.org", name])
    rows, problems, _ = read_export(write(tmp_path, buffer.getvalue(), name="h.csv"))
    spanning = [n for n in names if n.count("\n") + n.count("\r") >= 6]  # longer than MAX_SPAN lines
    if not spanning:
        assert problems == []
        assert [r["name"] for r in rows] == [clean_name(n) for n in names]
    for row in rows:
        assert "\n" not in row["name"] and "\r" not in row["name"]


def test_name_with_line_break_in_the_database_does_not_crash_send(world) -> None:  # type: ignore[no-untyped-def]
    from digest.store import subscribers as store

    w = world()
    store.insert_new(w.engine, [{"email": "kim@example.kr", "name": "Kim\r\nBcc: evil@example.org",
                                 "language": ""}])
    report = w.send()
    assert report.status == "sent", report.message
    [eml] = list((w.settings.data_dir / "outbox").rglob("kim@example.kr*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].display_name == "Kim Bcc: evil@example.org"
    assert message["Bcc"] is None


def test_list_neutralises_spreadsheet_formulas(world, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    w = world()
    monkeypatch.setenv("DIGEST_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.setenv("DIGEST_SOURCES", str(w.settings.sources[0]))
    text = ('email,name\na@example.org,"=HYPERLINK(""http://evil"",""x"")"\nb@example.org,+1\n'
            "c@example.org,-2\nd@example.org,@SUM(A1)\ne@example.org,Plain\n")
    assert main(["subscribers", "import", str(write(tmp_path, text))]) == 0
    capsys.readouterr()
    assert main(["subscribers", "list"]) == 0
    cells = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    names = {row[0]: row[1] for row in cells[1:]}
    assert names["a@example.org"].startswith("'=") and names["b@example.org"] == "'+1"
    assert names["c@example.org"] == "'-2" and names["d@example.org"] == "'@SUM(A1)"
    assert names["e@example.org"] == "Plain"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in cells for cell in row)
    assert [r.email for r in iter_active(w.engine)][:1] == ["a@example.org"]


def test_import_csv_report_carries_the_mapping(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world()
    report = import_csv(w.engine, write(tmp_path, LISTMONK))
    assert report.added == 2 and report.recorded["active"] == 1 and report.recorded["blocked"] == 1
    assert "email <- 'email'" in report.mapping
    assert [r.email for r in iter_active(w.engine)] == ["one@example.org"]


def test_a_name_loses_every_control_and_line_break_character_and_nothing_else() -> None:
    # Every code point, alone and inside a name: each control, format or line/paragraph separator
    # becomes a space (then runs of spaces one), anything else stays (the printable fast path).
    for cp in range(0x110000):
        ch = chr(cp)
        gone = unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch.isspace()
        assert clean_name(f"Kim{ch}Lee") == ("Kim Lee" if gone else f"Kim{ch}Lee"), hex(cp)
