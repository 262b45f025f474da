"""Issue 19: no setting silently lost. A `.env` line that does not parse, and a key plainly meant as
ours but not spelt as digest reads it, is exit 2 with the line number and the fix, before anything
is sent; so is a `.env` that is a link to nothing, a loop of links or not a file. Lines that do
parse keep working as python-dotenv reads them (quotes, comments, `export`, multi-line values,
${NAME})."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.config import declared_fields
from digest.config.envfile import parse_env_text
from digest.plugins import load_settings, plugins
from tests.paths import SAMPLE

KNOWN = [f.metadata["env"] for _cls, f in declared_fields(plugins())]


def one_error(captured: Any) -> str:
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_an_unclosed_quote_stops_the_send_naming_its_line(home: Path, capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    """The newcomer's line: before, the name was dropped with a library warning and the sample's
    "Bridge of Hope" went out, exit 0."""
    env = home / ".env"
    lines = env.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("DIGEST_ORG_NAME="))
    lines[number - 1] = 'DIGEST_ORG_NAME="Hanbit Bridge'
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["send"]) == 2
    line = one_error(capsys.readouterr())
    assert f".env line {number} (DIGEST_ORG_NAME)" in line and "never closed" in line
    assert 'add the closing "' in line and "Hanbit" not in line  # values are never echoed
    assert not (home / "var" / "outbox").exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("digest_timezone=Asia/Seoul", "write DIGEST_TIMEZONE"),
        ("Digest_Org_Name=Hanbit", "write DIGEST_ORG_NAME"),
        ("TIMEZONE=Asia/Seoul", "write DIGEST_TIMEZONE"),
        ("smtp_host=mail.example.org", "write DIGEST_SMTP_HOST"),
        ("DIGSET_ORG_NAME=Hanbit", "the DIGEST_ prefix is misspelt; write DIGEST_ORG_NAME"),
        ("DIGEST-ORG-NAME=Hanbit", "did you mean DIGEST_ORG_NAME?"),
        ("DIGEST_TIMEZNE=Asia/Seoul", "did you mean DIGEST_TIMEZONE?"),
        ('"DIGEST_LANGUAGE"=ko', "the name is in quotes"),
        ("DIGEST_ORG_NAME", "has no ="),
        ("DIGEST_ORG_NAME='Hanbit", "(') that opens the value is never closed"),
        ('DIGEST_FROM="Hanbit" <news@example.org>', "text follows the value's closing quote"),
        ('DIGEST_ORG_NAME=Hanbit Bridge"', "has no partner"),
        ("our name is Hanbit", "this line is not a setting (NAME=value)"),
        ("DIGEST ORG NAME=Hanbit", "cannot be a setting's name"),
        ('DIGEST_INTRO="Welcome\nDIGEST_ORG_NAME=Hanbit\n"', "closed only some lines later"),
    ],
)
def test_each_kind_of_lost_line_is_exit_2_with_its_line_and_fix(
    home: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    env = home / ".env"
    before = env.read_text(encoding="utf-8")
    env.write_text(before + text + "\n", encoding="utf-8")
    assert main(["sources"]) == 2
    line = one_error(capsys.readouterr())
    assert f".env line {before.count(chr(10)) + 1}" in line and said in line, line


def test_lines_that_parse_keep_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME_BASE", str(tmp_path))
    (tmp_path / ".env").write_text(
        "# a comment\n\n"
        "export DIGEST_LANGUAGE=ko\n"
        "DIGEST_ORG_NAME = Children's Hope   # the name\n"
        "DIGEST_INTRO=\"Thank you.\nSee you next week.\"\n"
        "DIGEST_FOOTER_REASON='You asked for \"news\".'\n"
        "DIGEST_DATA_DIR=${HOME_BASE}/var\n"
        f"DIGEST_SOURCES={SAMPLE}\n"
        "TZ=UTC\nPOSTGRES_PASSWORD=x\"y\nSOMETHING_ELSE=1\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert (s.language, s.org_name) == ("ko", "Children's Hope")
    assert s.intro == "Thank you.\nSee you next week." and s.footer_reason == 'You asked for "news".'
    assert s.data_dir == tmp_path / "var"


@pytest.mark.parametrize("kind", ["dangling", "loop", "fifo"])
def test_a_env_that_cannot_be_opened_is_one_clear_line(
    home: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    env = home / ".env"
    env.unlink()
    if kind == "dangling":
        env.symlink_to(home / "settings" / "production.env")
        expected = "is a link to"
    elif kind == "loop":
        (home / "other.env").symlink_to(env)
        env.symlink_to(home / "other.env")
        expected = "cannot be opened"
    else:
        os.mkfifo(env)  # reading it would wait for ever: refused before it is opened
        expected = "is not a file"
    assert main(["sources"]) == 2
    line = one_error(capsys.readouterr())
    assert line.startswith("digest: error: .env") and expected in line and "Traceback" not in line


# Lines as a volunteer mistypes them: for each, the key it was meant to set.
BROKEN = [
    ('{key}="{value}', "never closed"),
    ("{key}='{value}", "never closed"),
    ('{key}="{value}" and more', "closing quote"),
    ('{key}={value}"', "no partner"),
    ("{lower}={value}", "capitals"),
    ("{bare}={value}", "starting DIGEST_"),
    ("{key}", "has no ="),
]
SAFE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"),
                                  exclude_characters="\"'\\#$=` \u00a0"), min_size=1, max_size=20)


@st.composite
def env_with_one_broken_line(draw: st.DrawFn) -> tuple[str, int, list[tuple[str, str]], str]:
    good = draw(st.lists(st.tuples(st.sampled_from(KNOWN), SAFE_TEXT), max_size=6))
    at = draw(st.integers(0, len(good)))
    key = draw(st.sampled_from([k for k in KNOWN if k not in dict(good)] or KNOWN))
    pattern, said = draw(st.sampled_from(BROKEN))
    value = draw(SAFE_TEXT)
    broken = pattern.format(key=key, value=value, lower=key.lower(), bare=key.removeprefix("DIGEST_"))
    lines = [f"{k}={v}" for k, v in good[:at]] + [broken] + [f"{k}={v}" for k, v in good[at:]]
    return "\n".join(lines) + "\n", at + 1, good[:at], said


@settings(max_examples=300, deadline=None)
@given(env_with_one_broken_line())
def test_a_broken_line_is_never_silently_dropped(case: tuple[str, int, list[tuple[str, str]], str]) -> None:
    text, number, before, said = case
    entries, errors = parse_env_text(text, ".env", KNOWN)
    assert errors, text
    first = str(errors[0])
    assert first.startswith(f".env line {number}") and said in first, (text, first)
    read = {e.key: e.value for e in entries if e.line < number}
    assert read == dict(before)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(KNOWN), SAFE_TEXT, st.sampled_from(["", '"', "'"])),
        max_size=8,
        unique_by=lambda line: line[0],
    )
)
def test_well_formed_lines_read_as_python_dotenv_reads_them(lines: list[tuple[str, str, str]]) -> None:
    from io import StringIO

    from dotenv import dotenv_values

    text = "".join(f"{key}={quote}{value}{quote}\n" for key, value, quote in lines)
    entries, errors = parse_env_text(text, ".env", KNOWN)
    assert errors == []
    assert {e.key: e.value for e in entries} == dotenv_values(stream=StringIO(text))


def test_commands_that_never_read_the_articles_do_not_stop_on_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture  # type: ignore[type-arg]
) -> None:
    """Issue 19: outside the clone (no content/ folder), `subscribers import` failed on DIGEST_SOURCES."""
    (tmp_path / ".env").write_text(
        "DIGEST_PROVIDER=smtp\nDIGEST_SMTP_HOST=mail.example.org\nDIGEST_SOURCES=content\n"
        "DIGEST_ORG_NAME=Hanbit\nDIGEST_FROM=Hanbit <news@hanbit.example>\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("email\nann@example.org\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["subscribers", "import", "people.csv"]) == 0, capsys.readouterr().err
    for command in (["subscribers", "count"], ["status"], ["schedule"], ["deliveries"], ["social", "list"]):
        assert main(command) == 0, (command, capsys.readouterr().err)
    capsys.readouterr()
    assert main(["sources"]) == 2  # the commands that read them still say so at once
    assert "DIGEST_SOURCES: content does not exist" in one_error(capsys.readouterr())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(KNOWN), SAFE_TEXT), min_size=1, max_size=6, unique_by=lambda line: line[0]
    ),
    st.data(),
)
def test_a_key_set_on_two_lines_is_an_error_naming_both(
    lines: list[tuple[str, str]], data: st.DataObject
) -> None:
    key, _ = data.draw(st.sampled_from(lines))
    again = data.draw(st.integers(0, len(lines)))
    text_lines = [f"{k}={v}" for k, v in lines]
    text_lines.insert(again, f"{key}={data.draw(SAFE_TEXT)}")
    entries, errors = parse_env_text("\n".join(text_lines) + "\n", ".env", KNOWN)
    numbers = [i + 1 for i, line in enumerate(text_lines) if line.split("=", 1)[0] == key]
    assert len(errors) == 1, errors
    said = str(errors[0])
    assert said.startswith(f".env lines {numbers[0]}, {numbers[1]} ({key})"), said
    assert "set on 2 lines" in said, said
    assert [e.key for e in entries].count(key) == 2  # both still read: the error stops the command
