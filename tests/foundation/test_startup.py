"""`digest --help` and every command's `--help` start without the heavy libraries.

Checked in a fresh interpreter (this test process has imported everything already):
the parser is built and the help printed, then sys.modules is inspected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import COMMANDS, _command_named, build_parser, main
from digest.cli.context import Context
from digest.errors import ConfigError
from tests.paths import SAMPLE

HEAVY = ("sqlalchemy", "trafilatura", "feedparser", "lxml")

PROBE = """
import contextlib, io, json, sys
from digest.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _loaded(*argv: str, cwd: Path | None = None) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _commands() -> list[str]:
    action = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check can fail: a command that opens the ledger does load SQLAlchemy."""
    assert "sqlalchemy" in _loaded("status", cwd=tmp_path)


def test_top_level_help_imports_no_heavy_library() -> None:
    loaded = _loaded("--help")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("name", _commands())
def test_command_help_imports_no_heavy_library(name: str) -> None:
    loaded = _loaded(name, "--help")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_schedule_imports_no_database_or_reader(tmp_path: Path) -> None:
    """`digest schedule` reads the settings only: no ledger, no feed or page reader."""
    loaded = _loaded("schedule", cwd=tmp_path)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


# What the everyday read commands (issue 24) must not load: the web app, the templates, the
# summariser and the edition pipeline, PostgreSQL's dialect on SQLite, the address validator.
NOT_FOR_READING = (
    "flask", "jinja2", "babel", "lxml", "email_validator", "regex", "sqlalchemy.dialects.postgresql",
    "digest.compose.build", "digest.deliver.send", "digest.summarise.engine", "digest.render.email",
    "imaplib", "poplib", "logging.handlers",
)  # fmt: skip


def _modules(*argv: str, cwd: Path) -> set[str]:
    probe = PROBE.replace('name.split(".")[0] for name', "name for name")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "argv", [("subscribers", "count"), ("subscribers", "list"), ("status",), ("deliveries",), ("config",)]
)
def test_everyday_commands_load_only_what_they_use(argv: tuple[str, ...], tmp_path: Path) -> None:
    loaded = _modules(*argv, cwd=tmp_path)
    assert "sqlalchemy" in loaded or argv == ("config",)  # the probe ran the command itself
    assert not loaded & set(NOT_FOR_READING), sorted(loaded & set(NOT_FOR_READING))


# `digest sources` builds the edition (sources, summariser, templates), but reads and records the
# ledger through sqlite3 on a current SQLite database (digest/store/seen.py): no SQLAlchemy.
NOT_FOR_SOURCES = (
    "sqlalchemy", "flask", "email_validator", "requests", "trafilatura",
    "imaplib", "poplib", "logging.handlers",
    "digest.sources.fetch", "digest.sources.netguard", "digest.transport", "digest.providers.smtp",
    "digest.cli.status_cmd",
)  # fmt: skip


def test_sources_loads_no_sqlalchemy_on_a_current_database(tmp_path: Path) -> None:
    assert "sqlalchemy" in _modules("sources", cwd=tmp_path)  # no database yet: made by the engine
    loaded = _modules("sources", cwd=tmp_path)
    assert "digest.compose.build" in loaded  # the probe ran the command itself
    assert not loaded & set(NOT_FOR_SOURCES), sorted(loaded & set(NOT_FOR_SOURCES))


def test_a_command_loads_no_other_commands_module(tmp_path: Path) -> None:
    """The parser holds the command named (issue 24): its module alone, not every command's."""
    loaded = _modules("--env-file", str(tmp_path / "none"), "subscribers", "count", cwd=tmp_path)
    assert "digest.cli.subscribers_cmd" in loaded
    assert not (set(COMMANDS) - {"digest.cli.subscribers_cmd"}) & loaded


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["status"], "status"), (["-v", "--debug", "status", "--json"], "status"),
        (["--env-file", "status", "deliveries"], "deliveries"), (["--env", "x", "sources"], "sources"),
        (["--env-file=x", "config"], "config"), (["--help"], None), (["--", "status"], None), ([], None),
    ],
)
def test_the_command_is_found_as_argparse_reads_it(argv: list[str], command: str | None) -> None:
    assert _command_named(argv) == command
    if command is not None:
        whole = build_parser().parse_args(argv)
        assert build_parser(argv).parse_args(argv) == whole and whole.command == command


@pytest.mark.parametrize("argv", [("subscribers", "count"), ("subscribers", "list"), ("deliveries",)])
def test_commands_that_never_schedule_read_no_cron_line(
    argv: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """APScheduler (and asyncio, which it imports) loads only where a command uses the schedule:
    a schedule that never fires stops `digest status`, not a subscriber count (issue 24)."""
    env = tmp_path / "settings.env"
    env.write_text(f"DIGEST_SOURCES={SAMPLE}\nDIGEST_SCHEDULE=0 9 * * 1\n", encoding="utf-8")
    _modules("--env-file", str(env), *argv, cwd=tmp_path)  # creates the database (SQLAlchemy, asyncio)
    loaded = _modules("--env-file", str(env), *argv, cwd=tmp_path)
    assert "sqlite3" in loaded and not {"apscheduler", "asyncio"} & loaded
    assert "digest.providers.outbox" in loaded and "email.message" not in loaded  # the wire policy: sending
    assert "apscheduler" in _modules("--env-file", str(env), "status", cwd=tmp_path)
    env.write_text(f"DIGEST_SOURCES={SAMPLE}\nDIGEST_SCHEDULE=0 9 31 2 *\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the data folder is ./var
    assert main(["--env-file", str(env), *argv]) == 0
    with pytest.raises(ConfigError, match="never fires") as caught:
        Context(str(env)).settings  # noqa: B018 - what every command that schedules reads
    assert caught.value.key == "DIGEST_SCHEDULE"


EXIT_PROBE = """
import atexit, contextlib, gc, io, sys
# Registered before the CLI's own handler, so it runs after it, as the interpreter's last collections do.
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count()))
from digest.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print("frozen after the command:", gc.get_freeze_count())
"""


def test_what_the_process_made_is_frozen_before_the_interpreter_ends() -> None:
    # The interpreter's last collections walked every object still held: 0.15-0.2 s after a send to
    # 10,000 (issue 24). The command runs as before; only the ending process freezes them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    probe = [sys.executable, "-c", EXIT_PROBE, "--help"]
    done = subprocess.run(probe, capture_output=True, text=True, env=env, timeout=60, check=True)
    during, at_exit = done.stdout.splitlines()
    assert during == "frozen after the command: 0"
    assert at_exit.startswith("frozen at exit: ") and int(at_exit.split(": ")[1]) > 1000
