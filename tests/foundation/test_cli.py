"""The command line end to end on the embedded defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import COMMANDS, build_parser
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


def test_every_command_module_registers_a_command() -> None:
    assert len(subcommands()) >= len(COMMANDS)


@pytest.mark.parametrize("name", subcommands())
def test_every_command_has_help_with_an_example(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"digest {name}" in out


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env["DIGEST_SOURCES"] = str(SAMPLE)
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=180)


def test_first_run_sends_one_copy_then_refuses_to_send_again(tmp_path: Path) -> None:
    first = digest("send", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert ": sent" in first.stdout
    emls = list((tmp_path / "var" / "outbox").rglob("*.eml"))
    assert len(emls) == 1
    raw = emls[0].read_bytes()
    assert b"multipart/alternative" in raw and b"To: Bridge of Hope <newsletter@example.org>" in raw

    second = digest("send", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already sent" in second.stdout
    assert list((tmp_path / "var" / "outbox").rglob("*.eml")) == emls

    status = digest("status", "--json", cwd=tmp_path)
    data = json.loads(status.stdout)
    assert data["editions"][0]["status"] == "sent"
    assert data["editions"][0]["deliveries"] == {"sent": 1}


def test_sources_lists_articles_and_says_why_some_are_left_out(tmp_path: Path) -> None:
    result = digest("sources", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Evening English classes" in result.stdout
    assert "청소년 장학금" in result.stdout
    assert "Archive: our first newsletter" in result.stdout
    assert "before this edition's window" in result.stdout


def test_preview_writes_the_email_and_sends_nothing(tmp_path: Path) -> None:
    result = digest("preview", "--out", str(tmp_path / "pv"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "pv" / "email.html").read_text(encoding="utf-8")
    text = (tmp_path / "pv" / "email.txt").read_text(encoding="utf-8")
    assert "Evening English classes" in html and "Evening English classes" in text
    assert "utm_source=newsletter" in html
    assert not (tmp_path / "var" / "outbox").exists()
