"""Issue 11 (setup must not break or mislead) and issue 13 (.env values that crashed at run time).

Every value `digest config` accepts must work at run time; every refused value is exit 2
with one line naming the key, at start-up; `digest config` shows what it would read back.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.config import Settings, declared_fields, example_env
from digest.config.base import display_value, parse_field
from digest.errors import ConfigError
from digest.plugins import load_settings, plugins
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]
FIELDS = {f.metadata["env"]: f for _cls, f in declared_fields(plugins())}


def err_lines(captured: Any) -> list[str]:
    return [line for line in captured.err.splitlines() if line.strip()]


def test_env_example_copied_as_is_works(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 0, capsys.readouterr().err
    assert main(["sources"]) == 0, capsys.readouterr().err
    assert main(["preview", "--out", str(home / "preview")]) == 0, capsys.readouterr().err
    assert (home / "preview" / "email.html").is_file()
    assert "error" not in capsys.readouterr().err


@pytest.mark.parametrize("first_hour", [True, False], ids=["env-example", "every-key"])
def test_every_example_value_parses_back(first_hour: bool) -> None:
    """Each line of the generated .env.example (and of --example --all) is read back by its own
    parser unchanged."""
    for line in example_env(plugins(), first_hour=first_hour).splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, raw = line.partition("=")
        f = FIELDS[key]
        if raw.strip():
            value = parse_field(f, raw)
            assert display_value(f, value) == raw, key


def test_env_example_holds_the_first_hour_only_each_key_with_one_line_of_help() -> None:
    lines = example_env(plugins(), first_hour=True).splitlines()
    keys = [line.split("=", 1)[0] for line in lines if line.startswith("DIGEST_")]
    marked = [key for key, f in FIELDS.items() if f.metadata.get("first_hour")]
    assert sorted(keys) == sorted(marked) and len(keys) <= 30, keys
    for n, line in enumerate(lines):
        if line.startswith("DIGEST_"):
            assert lines[n - 1].startswith("# ") and not lines[n - 2].startswith("# "), line
    every = [line.split("=", 1)[0] for line in example_env(plugins()).splitlines() if line[:7] == "DIGEST_"]
    assert sorted(every) == sorted(FIELDS) and len(every) > len(keys)


def test_config_after_copying_the_example_fits_one_screen(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a copied .env.example leaves empty takes the default, so `digest config` does not list it."""
    assert main(["config"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 40, out
    shown = {line.split(" = ")[0].strip() for line in out if " = " in line}
    assert {"DIGEST_ORG_NAME", "DIGEST_TIMEZONE", "DIGEST_PROVIDER"} <= shown
    assert "DIGEST_SMTP_HOST" not in shown and "DIGEST_ADMIN_PASSWORD" not in shown
    assert main(["config", "--example", "--all"]) == 0
    assert capsys.readouterr().out == example_env(plugins())
    assert main(["config", "--example"]) == 0
    assert capsys.readouterr().out == example_env(plugins(), first_hour=True)


def _default(f: dataclasses.Field[Any]) -> Any:
    factory = f.default_factory
    return f.default if factory is dataclasses.MISSING else factory()


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8),
                       st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8), max_size=4))
def test_config_never_prints_an_alias_value_it_would_refuse(aliases: dict[str, str]) -> None:
    f = FIELDS["DIGEST_HASHTAG_ALIASES"]
    shown = display_value(f, aliases)
    assert (parse_field(f, shown) if shown else {}) == aliases


def test_config_shows_values_it_reads_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`digest config --all`: every shown non-secret value is accepted again by its parser."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "content")
    (tmp_path / ".env").write_text("DIGEST_HASHTAG_ALIASES=DPRK=NorthKorea,탈북민=Refugees\n"
                                   "DIGEST_HASHTAGS=NorthKorea,HumanRights\n", encoding="utf-8")
    assert main(["config", "--all"]) == 0
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("#"):
            continue
        key, _, rest = line.partition(" = ")
        value = rest.split("    # ")[0]
        f = FIELDS[key.strip()]
        if value and not f.metadata["secret"]:
            assert display_value(f, parse_field(f, value)) == value, key


def test_unknown_key_in_env_file_is_exit_2_with_a_suggestion(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (home / ".env").open("a", encoding="utf-8") as env:
        env.write("DIGEST_TIMEZNE=Asia/Seoul\n")
    assert main(["send"]) == 2
    lines = err_lines(capsys.readouterr())
    assert len(lines) == 1
    assert "DIGEST_TIMEZNE" in lines[0] and "did you mean DIGEST_TIMEZONE?" in lines[0]
    assert not (home / "var" / "outbox").exists()


def test_unknown_key_in_environment_is_a_warning(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIGEST_PROVDER", "smtp")
    assert main(["sources"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "DIGEST_PROVDER" in err and "DIGEST_PROVIDER" in err


def test_config_shows_each_error_beside_its_key_and_help_still_works(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (home / ".env").open("a", encoding="utf-8") as env:
        env.write("DIGEST_TIMEZONE=Mars/Olympus\nDIGEST_SMTP_TIMEOUT=nan\nDIGEST_ORG_NAME=Our Org\n")
    assert main(["config"]) == 2
    captured = capsys.readouterr()
    rows = {line.split(" = ")[0].strip(): line for line in captured.out.splitlines() if " = " in line}
    assert "error:" in rows["DIGEST_TIMEZONE"] and "Mars/Olympus" in rows["DIGEST_TIMEZONE"]
    assert "error:" in rows["DIGEST_SMTP_TIMEOUT"]
    assert "Our Org" in rows["DIGEST_ORG_NAME"] and "error" not in rows["DIGEST_ORG_NAME"]
    assert "Traceback" not in captured.err
    result = subprocess.run([sys.executable, "-m", "digest", "--help"], cwd=home, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "usage: digest" in result.stdout


def test_config_lists_set_keys_first_and_defaults_only_with_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "content")
    (tmp_path / ".env").write_text("DIGEST_TIMEZONE=Asia/Seoul\nDIGEST_ORG_NAME=Our Org\n", encoding="utf-8")
    monkeypatch.setenv("DIGEST_LANGUAGE", "ko")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    keys = [line.split(" = ")[0].strip() for line in out.splitlines() if " = " in line]
    assert keys == ["DIGEST_TIMEZONE", "DIGEST_ORG_NAME", "DIGEST_LANGUAGE"]
    assert "from .env" in out and "from environment" in out and "digest config --all" in out
    assert main(["config", "--all"]) == 0
    every = [line.split(" = ")[0].strip() for line in capsys.readouterr().out.splitlines() if " = " in line]
    assert every[:3] == keys and set(every) == set(FIELDS)


def test_platform_without_keys_previews_every_post(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIGEST_SOCIAL_PLATFORMS", "x,mastodon,bluesky,threads,linkedin,facebook")
    assert main(["preview", "--out", "preview"]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err
    platforms = {p.stem for p in (home / "preview" / "social").glob("*.txt")}
    assert platforms == {"x", "mastodon", "bluesky", "threads", "linkedin", "facebook"}
    assert main(["schedule"]) == 0
    assert "DIGEST_MASTODON_TOKEN" in capsys.readouterr().err


# --- issue 13: values that were accepted and then crashed at run time ---------------------------

BAD_VALUES = [
    ("DIGEST_FETCH_TIMEOUT", "0"),
    ("DIGEST_HTTP_TIMEOUT", "nan"),
    ("DIGEST_SMTP_TIMEOUT", "inf"),
    ("DIGEST_SOCIAL_TIMEOUT", "-inf"),
    ("DIGEST_LLM_TIMEOUT", "1e400"),
    ("DIGEST_SMTP_RATE", "nan"),
    ("DIGEST_SMTP_CA_FILE", "/no/such/ca.pem"),
    ("DIGEST_SMTP_HOST", "bad..host"),
    ("DIGEST_SMTP_HOST", "-lead.example.org"),
    ("DIGEST_SMTP_PORT", "70000"),
    ("DIGEST_LOOKBACK_DAYS", "99999999999"),
    ("DIGEST_LOOKBACK_DAYS", "999999"),
    ("DIGEST_MAX_LATENESS", "99999999999d"),
    ("DIGEST_SITE_URL", "http://[::1"),
    ("DIGEST_SITE_URL", "https://exa mple.org"),
    ("DIGEST_SITE_URL", "https://"),
    ("DIGEST_MASTODON_BASE_URL", "https://example.org:99999"),
    ("DIGEST_SUBJECT", "News {date:%Y}"),
    ("DIGEST_SUBJECT", "News {count!r}"),
    ("DIGEST_SUBJECT", "News {count:>{date}}"),
    ("DIGEST_DATABASE_URL", "postgresql://u:p@localhost:99999/db"),
    ("DIGEST_DATABASE_URL", "postgresql://u:p@localhost:port/db"),
    ("DIGEST_DATABASE_URL", "sqlite:///:memory:"),
    ("DIGEST_DATABASE_URL", "sqlite://"),
    ("DIGEST_DATABASE_URL", "sqlite:///file:x?mode=memory&uri=true"),
    ("DIGEST_SECRET_KEY", "x"),
    ("DIGEST_SECRET_KEY", "a" * 31),
    ("DIGEST_FROM", "news@example.org\nBcc: victim@example.org"),
    ("DIGEST_REPLY_TO", "reply@example.org\r"),
    ("DIGEST_ALERT_EMAIL", "office@example.org\x00"),
    ("DIGEST_ORG_NAME", "Our\nOrg"),
    ("DIGEST_MAX_ARTICLES", "10000000000000"),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_values_that_crashed_at_run_time_are_refused_at_start(key: str, value: str, tmp_path: Path) -> None:
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE), key: value}
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env, read_dotenv=False)
    assert info.value.key == key
    assert "\n" not in str(info.value) and "\r" not in str(info.value)
    if key in ("DIGEST_SECRET_KEY", "DIGEST_DATABASE_URL"):
        assert value not in str(info.value) or len(value) < 3  # secrets are not repeated


def test_data_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    for data_dir in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        env = {"DIGEST_DATA_DIR": str(data_dir), "DIGEST_SOURCES": str(SAMPLE)}
        with pytest.raises(ConfigError) as info:
            load_settings(environ=env, read_dotenv=False)
        assert info.value.key == "DIGEST_DATA_DIR"


def test_good_edge_values_are_kept(tmp_path: Path) -> None:
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE),
           "DIGEST_SECRET_KEY": "0123456789abcdef" * 2, "DIGEST_SMTP_HOST": "smtp.example.org",
           "DIGEST_SMTP_RATE": "0",
           "DIGEST_SITE_URL": "http://[::1]:8080", "DIGEST_SUBJECT": "{org_name} {{weekly}} {date}",
           "DIGEST_INTRO": "Line one\nLine two", "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path}/x/d.db"}
    s = load_settings(environ=env, read_dotenv=False)
    assert values_of(s)["DIGEST_SMTP_RATE"] == 0 and s.intro == "Line one\nLine two"
    assert s.site_url == "http://[::1]:8080"


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary", b"DIGEST_ORG_NAME=caf\xe9\n", None])
def test_unreadable_binary_or_non_utf8_env_file_is_one_line_exit_2(
    home: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]
) -> None:
    env = home / ".env"
    if content is None:
        env.unlink()
        env.mkdir()  # unreadable as a file, whoever runs the test (root ignores chmod)
    else:
        env.write_bytes(content)
    assert main(["sources"]) == 2
    lines = err_lines(capsys.readouterr())
    assert len(lines) == 1 and ".env" in lines[0] and "Traceback" not in lines[0]


def values_of(s: Settings) -> dict[str, Any]:
    """Every setting's value by key, the providers' own included."""
    return {f.metadata["env"]: getattr(s if cls is Settings else s.options(cls), f.name)
            for cls, f in declared_fields(plugins())}


def exercise(s: Settings) -> None:
    """What start-up and a send do with the values (the operations that crashed in issue 13)."""
    import socket
    from urllib.parse import urlsplit

    now = datetime.now(UTC)
    assert now - timedelta(days=s.lookback_days) < now
    assert now - s.max_lateness < now
    for key, value in values_of(s).items():
        if key.endswith("_TIMEOUT"):
            with socket.socket() as sock:
                sock.settimeout(value)
        if isinstance(value, float):
            assert math.isfinite(value), key
        if key.endswith("_URL") and isinstance(value, str) and value.startswith("http"):
            parts = urlsplit(value)
            assert parts.hostname and (parts.port is None or 0 < parts.port < 65536), key
        # Free text declared multiline (an intro, a footer, the postal address) may hold line breaks.
        if isinstance(value, str) and not FIELDS[key].metadata.get("multiline"):
            assert not any(ch in value for ch in "\r\n\x00"), key
    if s.subject:
        s.subject.format_map({"org_name": "Org", "date": "1 Dec", "count": 3, "edition": "weekly:2026-W49"})


TEXT = st.one_of(
    st.text(max_size=40),
    st.text(string.digits + ".-+eE", max_size=15),
    st.sampled_from(["nan", "inf", "-inf", "0", "-1", "1e309", "99999999999", "http://[::1", "a..b",
                     "https://ok.example.org", "x@y.org", "{date:%Y}", "sqlite://", "10"]),
    st.builds(lambda a, c, b: a + c + b, st.sampled_from(["news@example.org", "https://e.org", "ok"]),
              st.characters(categories=("Cc", "Cf", "Zl", "Zp")), st.text(max_size=5)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(k for k in FIELDS if k not in ("DIGEST_SOURCES", "DIGEST_DATA_DIR"))),
       value=TEXT)
def test_any_value_is_either_refused_naming_its_key_or_works(key: str, value: str, tmp_path: Path) -> None:
    """The class, per setting type: whatever the text, exit 2 naming a key, or values that work."""
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE), key: value}
    try:
        s = load_settings(environ=env, read_dotenv=False)
    except ConfigError as exc:
        assert exc.key.startswith("DIGEST_") and "\n" not in str(exc)
        return
    exercise(s)


SMTP = {"DIGEST_PROVIDER": "smtp", "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_SECURITY": "none",
        "DIGEST_SOURCES": str(SAMPLE)}
OWN = {"DIGEST_ORG_NAME": "Our Org", "DIGEST_FROM": "Our Org <news@our.example>",
       "DIGEST_POSTAL_ADDRESS": "1 Real Street, Seoul"}


def warnings_for(environ: dict[str, str]) -> list[str]:
    """What `digest config` warns about for these settings."""
    from digest.plugins import inspect

    found = inspect(environ=environ, read_dotenv=False)
    assert not found.errors
    return found.warnings + found.social_warnings + found.sample_warnings


def test_config_command_prints_the_sample_identity_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "content")
    (tmp_path / ".env").write_text("DIGEST_PROVIDER=smtp\nDIGEST_SMTP_HOST=127.0.0.1\n", encoding="utf-8")
    code = main(["config"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert all(f"warning: {key}: is still the sample" in err for key in OWN)


@pytest.mark.parametrize("key", sorted(OWN))
def test_a_real_provider_with_a_sample_identity_value_warns_naming_it(key: str) -> None:
    # Found walking the README: `.env.example` copied, provider switched to smtp, and the first
    # real digest went out as 'Bridge of Hope (sample)' from the PO Box 0000 sample address.
    own_but_one = {k: v for k, v in OWN.items() if k != key}
    lines = warnings_for({**SMTP, **own_but_one})
    assert len(lines) == 1 and lines[0].startswith(f"{key}: is still the sample ")
    assert "DIGEST_PROVIDER=smtp" in lines[0] and ".env" in lines[0]
    assert warnings_for({**SMTP, **OWN}) == []
    assert warnings_for(own_but_one) == []  # the outbox sends to nobody: the samples are fine there


def test_a_platform_without_its_keys_is_one_warning_naming_every_empty_key() -> None:
    lines = warnings_for({**OWN, "DIGEST_SOCIAL_PLATFORMS": "x,mastodon"})
    assert len(lines) == 2, lines
    x_keys = ("DIGEST_X_API_KEY", "DIGEST_X_API_SECRET", "DIGEST_X_ACCESS_TOKEN", "DIGEST_X_ACCESS_SECRET")
    assert lines[0].startswith("DIGEST_X_API_KEY (and ") and all(k in lines[0] for k in x_keys)
    assert "remove x from DIGEST_SOCIAL_PLATFORMS" in lines[0]
    assert "DIGEST_MASTODON_BASE_URL" in lines[1] and "DIGEST_MASTODON_TOKEN" in lines[1]
    one = warnings_for({**OWN, "DIGEST_SOCIAL_PLATFORMS": "mastodon",
                        "DIGEST_MASTODON_BASE_URL": "https://social.example.org"})
    assert one == ["DIGEST_MASTODON_TOKEN: empty, so mastodon posts are previewed but not published; "
                   "set it in .env, or remove mastodon from DIGEST_SOCIAL_PLATFORMS"]
