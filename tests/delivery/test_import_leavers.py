"""Issue 19: nobody comes back who left. Every export format we accept records the people who left
(unsubscribed, cleaned, bounced, removed, blocklisted, spam complaints) with the matching suppressed
status, never as subscribed; the import prints the count per status; a second, correct import takes
back what an earlier one made active by mistake. The files are written as each tool exports them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.exportstatus import status_of_word
from digest.store import schema, schema_web
from digest.store.rows import insert_ignore, now_utc
from digest.store.signups import lookup
from digest.subscribers import count, import_csv, iter_active, read_export

# Mailchimp's audience export: a zip of one CSV per state, each with the audience's merge fields and
# Mailchimp's own columns. Only the file and UNSUB_TIME / CLEAN_TIME say who left.
MC_COMMON = ('"Email Address","First Name","Last Name",Address,"Phone Number",Birthday,MEMBER_RATING,'
             "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION")
MC_SUBSCRIBED = (
    MC_COMMON + ",LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
    'hana@example.org,Hana,Park,"12 Main St, Seoul",,,4,"2024-01-02 10:00:00",203.0.113.9,'
    '"2024-01-02 10:05:00",203.0.113.9,37.5,127.0,9,9,Asia/Seoul,KR,11,"2024-05-01 08:00:00",123456,'
    'a1b2c3d4e5,,"""donor"",""volunteer"""\n'
    "tom@example.net,Tom,Lee,,,,2,,,,,,,,,,,,\"2024-02-03 11:00:00\",123457,b2c3d4e5f6,,\n"
)
MC_UNSUBSCRIBED = (
    MC_COMMON + ",UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER,"
    "LEID,EUID,NOTES,TAGS\n"
    'left@example.org,Left,Person,,,,2,"2023-03-01 09:00:00",,,,,,,,,,,"2025-06-02 14:31:07",'
    '"Weekly news 22",5a1b2c3d4e,"I no longer want to receive these emails",,123458,c3d4e5f6a7,,\n'
    'admin-removed@example.org,,,,,,1,,,,,,,,,,,,"2025-07-10 09:00:00",,,"Unsubscribed by admin",,'
    "123459,d4e5f6a7b8,,\n"
)
MC_CLEANED = (
    MC_COMMON + ",CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID,NOTES,TAGS\n"
    'gone@example.com,Gone,,,,,1,"2022-01-01 00:00:00",,,,,,,,,,,"2025-01-15 07:00:00",'
    '"Weekly news 3",6b2c3d4e5f,123460,e5f6a7b8c9,,\n'
)
# Buttondown's subscriber export (Subscribers > Export), columns as its docs list them.
BUTTONDOWN = (
    "id,secondary_id,email,notes,subscriber_type,referrer_url,utm_source,utm_medium,utm_campaign,"
    "creation_date,ip_address,subscription_date,unsubscription_date,tags,metadata\n"
    + "".join(
        f"{n:08x}-77e6-65fc-b884-pl68df5bc2e9,{n},{who}@example.org,,{kind},,,,,"
        f"2024-03-13 00:03:09.183465+00:00,198.51.100.{n},2024-03-13 00:03:09.183465+00:00,{gone},,{{}}\n"
        for n, (who, kind, gone) in enumerate(
            [
                ("reg", "regular", ""),
                ("paying", "premium", ""),
                ("churning", "churning", ""),
                ("unsub", "unsubscribed", "2024-04-08 17:09:32.596959+00:00"),
                ("undeliv", "undeliverable", ""),
                ("compl", "complained", ""),
                ("removed", "removed", ""),
                ("spammy", "spammy", ""),
                ("firewall", "blocked", ""),
                ("unact", "unactivated", ""),
                ("resub", "regular", "2023-01-01 00:00:00+00:00"),  # left once, came back
            ],
            1,
        )
    )
)
BUTTONDOWN_EXPECTED = {
    "reg": "active", "paying": "active", "churning": "active", "unsub": "unsubscribed",
    "undeliv": "bounced", "compl": "complained", "removed": "blocked", "spammy": "blocked",
    "firewall": "blocked", "resub": "active",
}
# listmonk: Subscribers > Export writes these columns; the status is enabled, disabled or blocklisted.
# An export of one list's subscribers (by its API) adds the subscription status.
LISTMONK = (
    "uuid,email,name,attributes,status,created_at,updated_at\n"
    '5b1c…1,on@example.org,On,"{""city"": ""Busan""}",enabled,2024-01-01 10:00:00 +0000 UTC,'
    "2024-01-01 10:00:00 +0000 UTC\n"
    "5b1c…2,blk@example.org,Blk,{},blocklisted,2024-01-01 10:00:00 +0000 UTC,2024-02-01 10:00:00 +0000 UTC\n"
    "5b1c…3,off@example.org,Off,{},disabled,2024-01-01 10:00:00 +0000 UTC,2024-02-01 10:00:00 +0000 UTC\n"
)
LISTMONK_LIST = (
    "uuid,email,name,attributes,status,subscription_status,created_at,updated_at\n"
    "1,conf@example.org,A,{},enabled,confirmed,2024-01-01,2024-01-01\n"
    "2,unsub@example.org,B,{},enabled,unsubscribed,2024-01-01,2024-01-01\n"
    "3,unconf@example.org,C,{},enabled,unconfirmed,2024-01-01,2024-01-01\n"
    "4,blk@example.org,D,{},blocklisted,confirmed,2024-01-01,2024-01-01\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def statuses(path: Path) -> dict[str, str]:
    rows, problems, _ = read_export(path)
    assert problems == [], problems
    return {r["email"].split("@")[0]: r["status"] for r in rows}


@pytest.mark.parametrize("name", ["unsubscribed_members_export_1a2b3c4d5e.csv",
                                  "unsubscribed_email_audience_export_1a2b3c4d5e.csv", "mailchimp.csv"])
def test_mailchimp_unsubscribed_export_records_unsubscribes(tmp_path: Path, name: str) -> None:
    rows, problems, mapping = read_export(write(tmp_path, name, MC_UNSUBSCRIBED))
    assert problems == [] and {r["status"] for r in rows} == {"unsubscribed"} and len(rows) == 2
    assert "every row unsubscribed" in mapping.describe()
    assert rows[0]["left_at"] == "2025-06-02 14:31:07"


@pytest.mark.parametrize("name", ["cleaned_members_export_1a2b3c4d5e.csv", "audience.csv"])
def test_mailchimp_cleaned_export_records_bounces(tmp_path: Path, name: str) -> None:
    assert statuses(write(tmp_path, name, MC_CLEANED)) == {"gone": "bounced"}


def test_mailchimp_file_names_alone_mark_every_row(tmp_path: Path) -> None:
    """The same columns as the subscribed file: only the name of the file says who they are."""
    bare = MC_SUBSCRIBED.replace("LAST_CHANGED", "UPDATED")
    for kind, status in (("cleaned", "bounced"), ("unsubscribed", "unsubscribed"), ("subscribed", "active")):
        assert set(statuses(write(tmp_path, f"{kind}_members_export_9f.csv", bare)).values()) == {status}
    rows, _, _ = read_export(write(tmp_path, "nonsubscribed_email_audience_export_9f.csv", bare))
    assert {r["status"] for r in rows} == {"unconfirmed"}


def test_the_whole_mailchimp_zip_imports_with_counts_per_status(world, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    w = world()
    monkeypatch.setenv("DIGEST_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.chdir(tmp_path)
    files = [write(tmp_path, f"{kind}_members_export_1a2b3c4d5e.csv", text) for kind, text in
             (("subscribed", MC_SUBSCRIBED), ("unsubscribed", MC_UNSUBSCRIBED), ("cleaned", MC_CLEANED))]
    said = []
    for path in files:
        assert main(["subscribers", "import", str(path)]) == 0
        said.append(capsys.readouterr().out)
    assert "2 added (2 subscribed)" in said[0]
    assert "2 added (2 unsubscribed)" in said[1] and "1 added (1 bounced)" in said[2]
    assert sorted(r.email for r in iter_active(w.engine)) == ["hana@example.org", "tom@example.net"]
    assert count(w.engine) == {"active": 2, "unsubscribed": 2, "bounced": 1}
    assert main(["subscribers", "count"]) == 0
    assert capsys.readouterr().out.strip() == "2 subscribed, 2 unsubscribed, 1 bounced"


def test_buttondown_types(tmp_path: Path) -> None:
    rows, problems, _ = read_export(write(tmp_path, "export.csv", BUTTONDOWN))
    assert problems == []
    found = {r["email"].split("@")[0]: r["status"] for r in rows}
    assert found == {**BUTTONDOWN_EXPECTED, "unact": "unconfirmed"}


def test_buttondown_import_adds_nobody_who_left_and_not_the_unconfirmed(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world()
    report = import_csv(w.engine, write(tmp_path, "export.csv", BUTTONDOWN))
    active = sorted(k for k, v in BUTTONDOWN_EXPECTED.items() if v == "active")
    assert sorted(r.email.split("@")[0] for r in iter_active(w.engine)) == active
    assert report.recorded == {"active": 4, "unsubscribed": 1, "bounced": 1, "complained": 1, "blocked": 3}
    assert report.unconfirmed == 1 and lookup(w.engine, "unact@example.org") is None
    assert "1 address(es) never confirmed their subscription: not added" in report.lines()


def test_listmonk_exports(tmp_path: Path) -> None:
    assert statuses(write(tmp_path, "subscribers.csv", LISTMONK)) == {
        "on": "active", "blk": "blocked", "off": "blocked"}
    assert statuses(write(tmp_path, "subscribers.csv", LISTMONK_LIST)) == {
        "conf": "active", "unsub": "unsubscribed", "unconf": "unconfirmed", "blk": "blocked"}


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        ("Email,Name,Subscribed", ["a@example.org,A,yes", "b@example.org,B,No", "c@example.org,C,"],
         {"a": "active", "b": "unsubscribed", "c": "active"}),
        ("E-mail;Accepts Email Marketing", ["a@example.org;true", "b@example.org;FALSE"],
         {"a": "active", "b": "unsubscribed"}),
        ("email,HasOptedOutOfEmail", ["a@example.org,0", "b@example.org,1"],
         {"a": "active", "b": "unsubscribed"}),
        ("email,Member Status,unsubscribed_at", ["a@example.org,Subscribed,", "b@example.org,Hard Bounce,",
                                                 "c@example.org,spam complaint,", "d@example.org,Opted-Out,"],
         {"a": "active", "b": "bounced", "c": "complained", "d": "unsubscribed"}),
        ("email,unsubscribed_at", ["a@example.org,", "b@example.org,2025-01-01T10:00:00Z"],
         {"a": "active", "b": "unsubscribed"}),
    ],
)
def test_any_csv_with_a_status_like_column(
    tmp_path: Path, header: str, rows: list[str], expected: dict[str, str]
) -> None:
    assert statuses(write(tmp_path, "list.csv", "\n".join([header, *rows]) + "\n")) == expected


def test_an_unknown_status_word_refuses_its_row_and_says_what_to_write(tmp_path: Path) -> None:
    text = "email,status\na@example.org,gold\nb@example.org,\n"
    rows, problems, _ = read_export(write(tmp_path, "l.csv", text))
    assert [r["email"] for r in rows] == ["b@example.org"]
    assert problems[0][0] == 2 and "'gold' is not one digest knows" in problems[0][1]
    assert "unsubscribed" in problems[0][1]


def test_a_later_row_saying_the_person_left_wins_over_an_earlier_one(tmp_path: Path) -> None:
    text = "email,status\na@example.org,subscribed\nA@Example.org,unsubscribed\na@example.org,active\n"
    rows, problems, _ = read_export(write(tmp_path, "l.csv", text))
    assert [(r["email"], r["status"]) for r in rows] == [("a@example.org", "unsubscribed")]
    assert [line for line, _ in problems] == [3, 4]


def _active(engine, address: str) -> None:  # type: ignore[no-untyped-def]
    row = {"email": address, "name": "", "language": "", "status": "active", "created_at": now_utc()}
    with engine.begin() as conn:
        insert_ignore(conn, schema.subscribers, [row])


def test_a_correct_import_takes_back_what_a_wrong_one_made_active(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The earlier import read Mailchimp's unsubscribed export as subscribers; importing it again now
    records them as unsubscribed, except one who has since confirmed a sign-up of ours."""
    w = world()
    for address in ("left@example.org", "admin-removed@example.org"):
        _active(w.engine, address)
    with w.engine.begin() as conn:  # admin-removed@ confirmed our double opt-in since
        conn.execute(schema_web.side_mails.insert().values(
            idem_key="c1", kind="confirm", recipient="admin-removed@example.org", status="sent",
            created_at=now_utc(), updated_at=now_utc()))
    report = import_csv(w.engine, write(tmp_path, "unsubscribed_members_export_1a.csv", MC_UNSUBSCRIBED))
    assert report.added == 0 and report.now_left == {"unsubscribed": 1} and report.kept == 1
    assert lookup(w.engine, "left@example.org").status == "unsubscribed"  # type: ignore[union-attr]
    assert [r.email for r in iter_active(w.engine)] == ["admin-removed@example.org"]
    assert any("now unsubscribed" in line for line in report.lines())


def test_an_import_never_makes_a_leaver_active(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world()
    import_csv(w.engine, write(tmp_path, "a.csv", "email,status\nx@example.org,unsubscribed\n"))
    import_csv(w.engine, write(tmp_path, "b.csv", "email,status\nx@example.org,subscribed\n"))
    assert lookup(w.engine, "x@example.org").status == "unsubscribed"  # type: ignore[union-attr]


LEAVER_WORDS = {
    "unsubscribed": "unsubscribed", "unsubscribe": "unsubscribed", "opted out": "unsubscribed",
    "opt-out": "unsubscribed", "inactive": "unsubscribed", "cleaned": "bounced", "bounced": "bounced",
    "hard bounce": "bounced", "undeliverable": "bounced", "complained": "complained",
    "spam complaint": "complained", "spam": "complained", "abuse": "complained", "removed": "blocked",
    "blocklisted": "blocked", "blacklisted": "blocked", "blocked": "blocked", "banned": "blocked",
    "spammy": "blocked", "disabled": "blocked", "suppressed": "blocked",
}


def _spelled(word: str, draw: st.DrawFn) -> str:
    """``word`` as a tool or a spreadsheet may write it: any case, any separator, padded."""
    sep = draw(st.sampled_from([" ", "_", "-", "", ".", "  "]))
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in word.replace(" ", sep).replace("-", sep))
    return draw(st.sampled_from(["", " ", "\t"])) + cased + draw(st.sampled_from(["", " "]))


@st.composite
def leaver_spelling(draw: st.DrawFn) -> tuple[str, str]:
    word = draw(st.sampled_from(sorted(LEAVER_WORDS)))
    return _spelled(word, draw), LEAVER_WORDS[word]


@settings(max_examples=300, deadline=None)
@given(leaver_spelling())
def test_every_spelling_of_a_leaver_status_is_that_status(case: tuple[str, str]) -> None:
    spelled, expected = case
    assert status_of_word(spelled) == expected


COLUMNS = ["status", "subscriber type", "subscription status", "member status", "email marketing status",
           "type"]


@st.composite
def export_file(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    column = _spelled(draw(st.sampled_from(COLUMNS)), draw)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    words = draw(st.lists(st.sampled_from([*sorted(LEAVER_WORDS), "subscribed", "active", "regular"]),
                          min_size=1, max_size=8))
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=delimiter)
    out.writerow([_spelled("email address", draw), column, "name"])
    expected = {}
    for i, word in enumerate(words):
        out.writerow([f"p{i}@example.org", _spelled(word, draw), f"P {i}"])
        expected[f"p{i}"] = LEAVER_WORDS.get(word, "active")
    return buffer.getvalue(), column, expected


@settings(max_examples=150, deadline=None)
@given(export_file())
def test_any_spelling_of_a_status_column_and_its_words(tmp_path_factory, case) -> None:  # type: ignore[no-untyped-def]
    text, _column, expected = case
    path = tmp_path_factory.mktemp("e") / "export.csv"
    path.write_text(text, encoding="utf-8")
    assert statuses(path) == expected
