"""One Hangul language rule (digest.language) for the summariser, the email's lang attributes,
social posts and the web pages, checked on the three sample articles in content/."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from digest.language import text_language
from digest.social.compose import _language
from digest.summarise.text import detect_language
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]
SAMPLES = {"2026-english-classes.md": "en", "2026-scholarship-ko.md": "ko", "2026-winter-coats.md": "en"}


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("default", ["en", "ko"])
def test_every_caller_agrees_on_the_samples(name: str, default: str) -> None:
    text = (SAMPLE / name).read_text(encoding="utf-8")
    want = SAMPLES[name]
    # Social posts used to answer "ko" for the English samples when DIGEST_LANGUAGE=ko.
    assert text_language(text, default) == want
    assert _language(text, SimpleNamespace(language=default)) == want  # type: ignore[arg-type]
    if default == "en":
        assert detect_language(text) == want


def test_the_rule() -> None:
    assert text_language("Winter coats for 40 children") == "en"
    assert text_language("청소년 장학금 신청 안내") == "ko"
    assert text_language("ㅋㅋㅋ ok") == "ko"  # compatibility jamo count as Hangul
    assert text_language("Bridge of Hope 장학금 2026: apply by March at example.org") == "en"
    assert text_language("", "ko") == "en" and text_language("plain", "ko") == "en"


def test_no_other_module_detects_hangul_on_its_own() -> None:
    """A second detector would drift again: only digest/language.py decides a language from Hangul."""
    offenders = []
    for path in (REPO / "digest").rglob("*.py"):
        if path.name == "language.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.IfExp):
                text = ast.unparse(node.value)
                if "'ko'" in text and ("hangul" in text.lower() or "\\uac00" in text):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []
