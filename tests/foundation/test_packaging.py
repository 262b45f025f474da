"""The wheel is one self-contained package, `digest`, that works from any folder.

The repository keeps `jobs/`, `templates/` and the sample `content/` at its top;
the wheel must carry them inside `digest/` and nothing else at its top level.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.plugins import load_settings

REPO = Path(__file__).resolve().parents[2]
LOCAL_ONLY = {".git", ".venv", "node_modules", "var", "preview", "build", "dist", ".env"}
# The wheel ships the checkout's content/ as the sample: these tests read it, and hold for any articles.
pytestmark = pytest.mark.shipped_sample


def _left_out(folder: str, names: list[str]) -> set[str]:
    """What the copy skips: the checkout's local state (top level only) and caches anywhere."""
    top = Path(folder) == REPO
    caches = {n for n in names if n == "__pycache__" or n.endswith((".egg-info", "_cache"))}
    return caches | ({n for n in names if n in LOCAL_ONLY} if top else set())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the repository (the build writes into its source tree)."""
    src = tmp_path_factory.mktemp("src") / "digest"
    shutil.copytree(REPO, src, ignore=_left_out)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."],
        cwd=src, check=True, timeout=300, capture_output=True,
    )
    (built,) = out.glob("digest-*.whl")
    return built


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def _repo_files(folder: str, *suffixes: str) -> set[str]:
    """Files below ``folder`` with one of ``suffixes`` (all files but Python caches when none)."""
    root = REPO / folder
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and (not suffixes or p.suffix in suffixes)
    }


def test_the_wheel_installs_only_the_digest_package(wheel: Path) -> None:
    tops = {name.split("/", 1)[0] for name in _names(wheel)}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"digest"}


def test_the_wheel_carries_templates_jobs_and_sample_inside_digest(wheel: Path) -> None:
    names = _names(wheel)
    for folder, inside, suffixes in [
        ("templates", "digest/templates", ()),
        ("jobs", "digest/jobs", (".py",)),
        ("content", "digest/sample", (".md", ".txt", ".xml")),
        ("digest/locale", "digest/locale", (".mo", ".po")),
        ("digest/preview", "digest/preview", (".j2",)),
        ("digest/data", "digest/data", (".txt",)),  # the Hanja reading table of protected terms
    ]:
        wanted = {f"{inside}/{rel}" for rel in _repo_files(folder, *suffixes)}
        assert wanted, folder
        assert wanted <= names, sorted(wanted - names)


def test_every_package_of_the_repository_is_in_the_wheel(wheel: Path) -> None:
    """A subpackage added later is not silently left out of the wheel."""
    names = _names(wheel)
    for init in (REPO / "digest").rglob("__init__.py"):
        if "__pycache__" not in init.parts:
            assert init.relative_to(REPO).as_posix() in names


def test_the_unpacked_wheel_sends_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    """No file of the repository is needed: templates and sample articles come from the wheel."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env["PYTHONPATH"] = str(site)  # ahead of the editable install, so the wheel's copy is imported
    code = "import sys, digest; print(digest.__file__); from digest.cli import main; sys.exit(main(['send']))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=empty, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(str(site))
    assert "1 sent" in done.stdout
    assert list((empty / "var" / "outbox").rglob("*.eml"))


def test_the_sample_is_used_only_when_no_source_is_set_and_content_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"DIGEST_DATA_DIR": str(tmp_path / "var")}
    assert load_settings(environ=env, read_dotenv=False).sources == [str(REPO / "content")]
    (tmp_path / "content").mkdir()
    assert load_settings(environ=env, read_dotenv=False).sources == ["content"]
    (tmp_path / "content").rmdir()
    mine = tmp_path / "mine"
    mine.mkdir()
    sources = load_settings(environ={**env, "DIGEST_SOURCES": str(mine)}, read_dotenv=False).sources
    assert sources == [str(mine)]


def test_a_real_provider_never_falls_back_to_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_PROVIDER": "smtp",
        "DIGEST_SMTP_HOST": "127.0.0.1",
        "DIGEST_FROM_EMAIL": "news@example.org",
    }
    with pytest.raises(ConfigError, match="DIGEST_SOURCES"):
        load_settings(environ=env, read_dotenv=False)
