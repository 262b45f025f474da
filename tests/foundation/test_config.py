"""Settings: defaults, precedence, and one-line errors that name the key (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.plugins import load_settings
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]


def test_defaults_run_without_any_configuration() -> None:
    s = load_settings(environ={}, read_dotenv=False)
    assert s.provider == "outbox"
    assert s.schedule == "0 9 * * 1"
    assert s.db_url.startswith("sqlite:///") and s.db_url.endswith("var/digest.db")


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("DIGEST_ORG_NAME=From file\nDIGEST_LANGUAGE=ko\n", encoding="utf-8")
    s = load_settings(env_file, environ={"DIGEST_ORG_NAME": "From env"})
    assert s.org_name == "From env" and s.language == "ko"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("DIGEST_PROVIDER", "pigeon", "is not one of"),
        ("DIGEST_TIMEZONE", "Mars/Olympus", "not a known IANA time zone"),
        ("DIGEST_SCHEDULE", "0 9 * *", "has 4 fields, not 5"),
        ("DIGEST_SCHEDULE", "0 25 * * 1", "not a valid cron line"),
        ("DIGEST_SCHEDULE", "0 9 * * 9", "out of range"),
        ("DIGEST_FROM", "not-an-address", "not a valid address"),
        ("DIGEST_SOURCES", "/no/such/folder", "does not exist"),
        ("DIGEST_LANGUAGE", "fr", "is not one of"),
        ("DIGEST_MAX_ARTICLES", "many", "not a whole number"),
        ("DIGEST_PROTECTED_TERMS_FILE", "/no/terms.txt", "does not exist"),
        ("DIGEST_DATABASE_URL", "mysql://x", "only sqlite"),
    ],
)
def test_bad_values_name_the_key(key: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={key: value}, read_dotenv=False)
    assert info.value.key == key
    assert expected in str(info.value)
    assert str(info.value).startswith(key + ":")


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    clean.update(env)
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True,
                          env=clean, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"DIGEST_PROVIDER": "pigeon"}, "DIGEST_PROVIDER"),
        ({"DIGEST_TIMEZONE": "Nowhere/Town"}, "DIGEST_TIMEZONE"),
        ({"DIGEST_SCHEDULE": "every monday"}, "DIGEST_SCHEDULE"),
        ({"DIGEST_FROM": "bob@"}, "DIGEST_FROM"),
        ({"DIGEST_SOURCES": "missing-folder"}, "DIGEST_SOURCES"),
        ({"DIGEST_PROVIDER": "buttondown"}, "DIGEST_BUTTONDOWN_API_KEY"),
    ],
)
def test_cli_config_error_is_one_line_exit_2(tmp_path: Path, env: dict[str, str], key: str) -> None:
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE), **env}
    result = run_cli("send", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert key in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "outbox").exists()


def test_env_file_flag_reads_the_named_file(tmp_path: Path) -> None:
    env_file = tmp_path / "site.env"
    env_file.write_text(f"DIGEST_ORG_NAME=Named File Org\nDIGEST_SOURCES={SAMPLE}\n"
                        f"DIGEST_DATA_DIR={tmp_path / 'var'}\n", encoding="utf-8")
    result = run_cli("--env-file", str(env_file), "config", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "DIGEST_ORG_NAME" in result.stdout and "Named File Org" in result.stdout
    missing = run_cli("--env-file", str(tmp_path / "nope.env"), "config", env={}, cwd=tmp_path)
    assert missing.returncode == 2 and "--env-file" in missing.stderr


def test_config_masks_secrets(tmp_path: Path) -> None:
    secret = "postgresql://digest:hunter2-very-secret@localhost/digest"
    result = run_cli("config", env={"DIGEST_DATABASE_URL": secret,
                                    "DIGEST_SOURCES": str(SAMPLE)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert "DIGEST_DATABASE_URL" in result.stdout and "(set, hidden)" in result.stdout
