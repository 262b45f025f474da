"""Issue 20: every declared setting (digest/config's sections and every plugin's settings class),
fed junk, is either accepted or refused with one line naming its key; never a traceback, neither
while the settings are read nor when what starts a command uses them. And the values the
adversarial run found unsafe or meaningless are exit 2 at start-up, naming the key and the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import declared_fields
from digest.errors import ConfigError
from digest.plugins import load_settings, plugins
from tests.paths import SAMPLE
from tests.serve.helpers import sendgrid_key_pair

KEYS = sorted({f.metadata["env"] for _cls, f in declared_fields(plugins())})
# One value of each kind that broke something once (numbers out of any range, paths the system
# cannot look up, addresses with parts that mean nothing here, other programs' hashes, ...).
NASTY = [
    "*", "0", "-1", "1e400", "nan", "100000", "9" * 30, " ", "1 000", "a" * 5000, "https://",
    "https://x.example/a/b?c#d", "http://203.0.113.9", "https://[::1", "sqlite:///", "mysql://x",
    "postgresql://u:p@/", "../../etc/passwd", "/", "/dev/null", "~nobody-here/x", "/" + "a" * 300,
    "x/" * 2100, "{token}", "한국어", "\u202eevil", "yes", ",,,", "a@b", "Name <>", "0 9 * * 8",
    "Asia/Nowhere", "scrypt:1$a$b", "$2b$12$" + "a" * 53, "::", "224.0.0.1", "localhost",
    "-----BEGIN PUBLIC KEY-----",
]  # fmt: skip
JUNK = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=120),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"(https?|sqlite|postgresql)://[^\s]{0,40}", fullmatch=True),
)


def start_up(s) -> None:  # type: ignore[no-untyped-def]
    """What commands do with the settings as they start (nothing that sends or writes)."""
    from werkzeug.security import check_password_hash

    from digest.config.web_values import HASH_PREFIXES
    from digest.providers.registry import make_provider
    from digest.serve.runner import waitress_options

    assert s.cadence is not None and s.db_url and s.retry is not None
    _ = (s.unsubscribe_template, s.protected_terms())
    waitress_options(s, "127.0.0.1", 0)
    if s.admin_password.startswith(HASH_PREFIXES):  # what a log-in does with it
        assert not check_password_hash(s.admin_password, "a guess")
    try:
        make_provider(s).close()
    except ConfigError as error:  # a provider missing its keys says which
        assert str(error).startswith("DIGEST_")


def accepted_or_named(data: Path, key: str, value: str) -> None:
    env = {"DIGEST_DATA_DIR": str(data), "DIGEST_SOURCES": str(SAMPLE), key: value}
    try:
        loaded = load_settings(environ=env, read_dotenv=False)
    except ConfigError as error:
        line = str(error)
        assert key in line and "\n" not in line, (key, value, line)
        return
    start_up(loaded)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(KEYS), value=JUNK)
def test_junk_in_any_key_is_accepted_or_refused_naming_it(tmp_path, capsys, key: str, value: str) -> None:  # type: ignore[no-untyped-def]
    accepted_or_named(tmp_path / "var", key, value)  # nothing writes there
    capsys.readouterr()


@pytest.mark.parametrize("key", KEYS)
def test_every_kind_of_junk_in_every_key(tmp_path: Path, capsys, key: str) -> None:  # type: ignore[no-untyped-def]
    for value in NASTY:
        accepted_or_named(tmp_path / "var", key, value)
    capsys.readouterr()


_, SENDGRID_PUBLIC = sendgrid_key_pair()
UNSAFE = [
    ("DIGEST_TRUSTED_PROXY", "*", "127.0.0.1"),
    ("DIGEST_TRUSTED_PROXY", "my-proxy", "IP address"),
    ("DIGEST_SERVE_THREADS", "100000", "1 to 64"),
    ("DIGEST_ADMIN_PASSWORD", "abc", "at least 12"),
    ("DIGEST_ADMIN_PASSWORD", "scrypt:32768:8:1$salt$nothex", "--hash-password"),
    ("DIGEST_ADMIN_PASSWORD", "pbkdf2:sha256:600000$salt$" + "0" * 10, "--hash-password"),
    ("DIGEST_PUBLIC_URL", "https://news.example.org/digest", "only the scheme and host"),
    ("DIGEST_PUBLIC_URL", "http://news.example.org", "https://"),
    ("DIGEST_SENDGRID_WEBHOOK_KEY", "not-a-key", "Signed Event Webhook"),
    ("DIGEST_SENDGRID_WEBHOOK_KEY", SENDGRID_PUBLIC[:-8], "Signed Event Webhook"),
    ("DIGEST_MAILGUN_WEBHOOK_KEY", "short", "signing key"),
    ("DIGEST_POSTMARK_WEBHOOK_KEY", "secret", "token_urlsafe"),
    ("DIGEST_BREVO_WEBHOOK_KEY", "a long secret with spaces in it", "token_urlsafe"),
]


@pytest.mark.parametrize(("key", "value", "fix"), UNSAFE)
def test_unsafe_values_stop_digest_serve_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    key: str,
    value: str,
    fix: str,
) -> None:
    from digest.cli import main

    for name in [n for n in os.environ if n.startswith("DIGEST_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setattr("digest.serve.runner.serve", lambda *_: pytest.fail(f"serve started with {key}"))
    for name, setting in {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(SAMPLE),
        key: value,
    }.items():
        monkeypatch.setenv(name, setting)
    assert main(["serve", "--port", "0"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"digest: error: {key}:") and fix in line
    assert key != "DIGEST_ADMIN_PASSWORD" or value not in line  # a password is never shown


def test_safe_values_are_taken() -> None:
    from werkzeug.security import generate_password_hash

    s = load_settings(
        environ={
            "DIGEST_TRUSTED_PROXY": "::1",
            "DIGEST_SERVE_THREADS": "16",
            "DIGEST_ADMIN_PASSWORD": generate_password_hash(
                "correct horse battery", method="pbkdf2:sha256:1000"
            ),
            "DIGEST_PUBLIC_URL": "https://news.example.org/",
            "DIGEST_SENDGRID_WEBHOOK_KEY": f"-----BEGIN PUBLIC KEY----- {SENDGRID_PUBLIC} -----END PUBLIC KEY-----",  # noqa: E501
            "DIGEST_MAILGUN_WEBHOOK_KEY": "key-" + "3ax6xnjp29jd6fds4gc373sgvjxteol0",
            "DIGEST_POSTMARK_WEBHOOK_KEY": "Zq3v_2uW-x8JmN4pLr7TkY1sA6bC9dEf",
        },
        read_dotenv=False,
    )
    assert (s.trusted_proxy, s.serve_threads, s.public_url) == ("::1", 16, "https://news.example.org")
    local = load_settings(environ={"DIGEST_PUBLIC_URL": "http://127.0.0.1:8080"}, read_dotenv=False)
    assert local.public_url == "http://127.0.0.1:8080"


def test_an_empty_database_file_is_one_line_not_a_new_ledger(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "digest.db").write_bytes(b"")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    clean.update(DIGEST_DATA_DIR=str(tmp_path / "var"), DIGEST_SOURCES=str(SAMPLE))
    result = subprocess.run(
        [sys.executable, "-m", "digest", "serve", "--port", "0"],
        capture_output=True, text=True, env=clean, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "DIGEST_DATA_DIR" in result.stderr and "empty file" in result.stderr
    assert (tmp_path / "var" / "digest.db").stat().st_size == 0  # left as it was, for a restore


def _link(at: Path, to: Path | str) -> None:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(to)


# The data folder or the database as links a restore or an unmounted disk leaves: (set it up in
# tmp_path, the words of the one line). A new ledger must not start where the old one should be.
BROKEN_PLACES = {
    "data folder links to nothing": (lambda t: _link(t / "var", t / "gone" / "var"), "which does not exist"),
    "data folder links to itself": (lambda t: _link(t / "var", t / "var"), "cannot be opened"),
    "database links to nothing": (lambda t: _link(t / "var" / "digest.db", t / "gone" / "x.db"), "not there"),
    "database links to itself": (lambda t: _link(t / "var" / "digest.db", "digest.db"), "cannot be opened"),
    "database is a folder": (lambda t: (t / "var" / "digest.db").mkdir(parents=True), "is a folder"),
}


@pytest.mark.parametrize("place", sorted(BROKEN_PLACES))
@pytest.mark.parametrize("command", [["send"], ["status"], ["serve", "--port", "0"]])
def test_a_data_folder_or_database_that_cannot_be_reached_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    place: str,
    command: list[str],
) -> None:
    from digest.cli import main

    make, words = BROKEN_PLACES[place]
    make(tmp_path)
    for name in [n for n in os.environ if n.startswith("DIGEST_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DIGEST_SOURCES", str(SAMPLE))
    monkeypatch.setattr("digest.serve.runner.serve", lambda *_: pytest.fail("serve started"))
    assert main(command) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("digest: error: DIGEST_DATA_DIR:") and words in line, line
    assert not (tmp_path / "gone").exists()  # nothing created there


def test_a_database_url_that_links_to_nothing_names_that_key(tmp_path: Path) -> None:
    _link(tmp_path / "db" / "digest.db", tmp_path / "gone" / "digest.db")
    env = {"DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'digest.db'}", "DIGEST_SOURCES": str(SAMPLE)}
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={**env, "DIGEST_DATA_DIR": str(tmp_path / "var")}, read_dotenv=False)
    assert str(refused.value).startswith("DIGEST_DATABASE_URL:") and "does not exist" in str(refused.value)
