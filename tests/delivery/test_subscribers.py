"""Subscribers: CSV import with line-numbered problems, case-insensitive dedupe, signed unsubscribes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.cli import main
from digest.subscribers import count, import_csv, iter_active, normalise
from digest.unsubscribe import UNSUBSCRIBE, secret_key, token_for
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]
CSV = (
    "email,name,language\nAnn@Example.org,Ann,en\nnot-an-address,Bob,\n"
    "ann@example.ORG,Dup,\nkim@example.kr,Kim,ko\nx@y.org,X,fr\n"
)


def test_import_reports_bad_rows_with_line_numbers_and_keeps_the_good(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world()
    path = tmp_path / "list.csv"
    path.write_text(CSV)
    report = import_csv(w.engine, path)
    assert report.added == 2
    assert [line for line, _ in report.problems] == [3, 4, 6]
    assert "@-sign" in report.problems[0][1]
    again = import_csv(w.engine, path)
    assert again.added == 0 and again.already == 2
    assert [r.email for r in iter_active(w.engine)] == ["ann@example.org", "kim@example.kr"]


def test_iter_active_pages_in_language_then_address_order(world) -> None:  # type: ignore[no-untyped-def]
    from tests.delivery.conftest import add_subscribers

    w = world()
    add_subscribers(w.engine, 25, domain="b.org", language="ko")
    add_subscribers(w.engine, 25, domain="a.org", language="en")
    got = [(r.language, r.email) for r in iter_active(w.engine, page=7)]
    assert got == sorted(got) and len(got) == 50


def test_secret_key_is_generated_once_and_kept_private(world) -> None:  # type: ignore[no-untyped-def]
    w = world()
    first = secret_key(w.settings)
    path = w.settings.data_dir / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(w.settings) == first and len(first) >= 32


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env["DIGEST_SOURCES"] = str(SAMPLE)
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_cli_import_count_unsubscribe_and_the_next_send_honours_it(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text(CSV)
    imp = cli(tmp_path, "subscribers", "import", "list.csv")
    assert imp.returncode == 1 and "line 3: skipped" in imp.stderr and "2 added" in imp.stdout
    from datetime import date

    from digest.plugins import load_settings
    from digest.store import open_store

    settings = load_settings(
        environ={"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE)},
        read_dotenv=False,
    )
    engine = open_store(settings.db_url)
    token = token_for(engine, secret_key(settings), UNSUBSCRIBE, "kim@example.kr", date(2099, 1, 1))
    engine.dispose()
    out = cli(tmp_path, "subscribers", "unsubscribe", token)
    assert out.returncode == 0 and "unsubscribed kim@example.kr" in out.stdout
    assert "kim@example.kr" not in token
    assert cli(tmp_path, "subscribers", "unsubscribe", token[:-3] + "xyz").returncode == 1
    assert "1 subscribed, 1 unsubscribed" in cli(tmp_path, "subscribers", "count").stdout
    sent = cli(tmp_path, "send")
    assert sent.returncode == 0, sent.stderr
    files = sorted(p.name for p in (tmp_path / "var" / "outbox").rglob("*.eml"))
    assert files == ["ann@example.org.eml"]
    assert cli(tmp_path, "subscribers", "remove", "ANN@example.org").returncode == 0
    assert cli(tmp_path, "subscribers", "remove", "ann@example.org").returncode == 1
    listing = cli(tmp_path, "subscribers", "list").stdout.splitlines()
    assert listing == ["email,name,language,status", "kim@example.kr,Kim,ko,unsubscribed"]


def test_missing_credential_is_exit_2_naming_the_key(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_SOURCES", str(SAMPLE))
    monkeypatch.setenv("DIGEST_PROVIDER", "postmark")
    assert main(["send"]) == 2
    err = capsys.readouterr().err
    assert err.strip().startswith(
        "digest: error: DIGEST_POSTMARK_API_KEY: is required for DIGEST_PROVIDER=postmark"
    )
    assert len(err.strip().splitlines()) == 1


def test_count_function(world) -> None:  # type: ignore[no-untyped-def]
    from tests.delivery.conftest import add_subscribers

    w = world()
    add_subscribers(w.engine, 3)
    assert count(w.engine) == {"active": 3}


_LOCAL_ASCII = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True).filter(
    lambda s: ".." not in s and not s.endswith(".")
)
_NON_ASCII = st.text(
    st.characters(min_codepoint=0xA1, max_codepoint=0xD7A3, categories=("Lo", "Ll", "Lu")),
    min_size=1,
    max_size=6,
)


@given(local=st.tuples(_LOCAL_ASCII, _NON_ASCII, _LOCAL_ASCII).map("".join))
def test_an_address_whose_local_part_is_not_ascii_is_refused_with_a_reason(local: str) -> None:
    # SMTP cannot write it in To without SMTPUTF8; it used to be stored and then crash `digest send`.
    with pytest.raises(ValueError, match="before the @"):
        normalise(f"{local}@example.org")


@given(local=_LOCAL_ASCII, label=st.sampled_from(["한국", "bücher", "пример", "例え"]))
def test_what_normalise_accepts_is_ascii_so_every_provider_can_send_it(local: str, label: str) -> None:
    got = normalise(f"{local}@{label}.example")
    assert got.isascii() and got.startswith(local.lower() + "@xn--")
    assert normalise(got) == got  # stable: importing the list again adds nobody twice
