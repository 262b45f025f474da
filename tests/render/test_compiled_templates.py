"""Templates compiled once per data folder (digest/render/env.py): the next render loads them instead
of compiling, renders the same bytes as without, and compiles afresh what changed (issue 24)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from digest.render.email import render_email
from digest.render.env import COMPILED, CompiledTemplates
from digest.types import Edition


def _both(edition: Edition, settings) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(r.subject, r.html, r.text) for r in
            (render_email(edition, settings, language=lang) for lang in ("en", "ko"))]  # fmt: skip


def test_the_next_render_loads_what_the_first_compiled(make_settings, edition, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    fresh = _both(edition, settings)  # no data folder yet: nothing kept
    assert not (settings.data_dir / COMPILED).exists()
    settings.data_dir.mkdir()
    assert _both(edition, settings) == fresh
    kept = sorted((settings.data_dir / COMPILED).iterdir())
    assert kept and all(p.stat().st_mode & 0o077 == 0 for p in [settings.data_dir / COMPILED, *kept])

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert _both(edition, settings) == fresh  # both languages from the kept code


def test_an_edited_override_is_compiled_again(make_settings, edition, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ours"
    (folder / "email").mkdir(parents=True)
    (folder / "email" / "digest.txt.j2").write_text("first {{ org_name }}\n", encoding="utf-8")
    settings = make_settings(DIGEST_TEMPLATES_DIR=str(folder))
    settings.data_dir.mkdir()
    assert render_email(edition, settings).text.startswith("first ")
    (folder / "email" / "digest.txt.j2").write_text("second {{ org_name }}\n", encoding="utf-8")
    assert render_email(edition, settings).text.startswith("second ")


def test_code_compiled_with_other_options_is_not_used(tmp_path: Path) -> None:
    one, other = CompiledTemplates(tmp_path, "shape one"), CompiledTemplates(tmp_path, "shape two")
    assert one.get_cache_key("digest.html.j2", "/t/digest.html.j2") != other.get_cache_key(
        "digest.html.j2", "/t/digest.html.j2")


@pytest.mark.parametrize("blocked", ["a file where the folder goes", "a folder that is gone"])
def test_a_folder_that_cannot_keep_them_only_means_compiling(
    make_settings, edition, blocked: str, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    settings = make_settings()
    settings.data_dir.mkdir()
    fresh = _both(edition, make_settings(DIGEST_DATA_DIR=str(settings.data_dir / "none")))
    if blocked.startswith("a file"):
        (settings.data_dir / COMPILED).write_text("", encoding="utf-8")
    else:
        monkeypatch.setattr(CompiledTemplates, "_get_cache_filename", lambda self, b: "/nonexistent/x/y")
    assert _both(edition, settings) == fresh
