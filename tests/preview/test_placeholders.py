"""Placeholders left in what goes out block the send: in the email (subject, text, HTML and its
alt texts) and in posts; TK next to Korean text is the region's abbreviation, not a placeholder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.compose.findings import BLOCKS
from digest.compose.placeholders import placeholders, visible_text

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, found", [
    ("The new school opens in TK with 40 places.", "TK"),
    ("Figures: TKTK", "TKTK"),
    ("Lorem ipsum dolor sit amet.", "Lorem ipsum"),
    ("Read the report [link] before Friday.", "[link]"),
    ("Read the report [ URL ] before Friday.", "[ URL ]"),
    ("Photo: [insert photo of the kitchen]", "[insert photo of the kitchen]"),
    ("Dear {{ first_name }}, thank you", "{{"),
    ("{% if x %}left over", "{%"),
])
def test_placeholders_block(text: str, found: str) -> None:
    findings = placeholders([("the email", text)])
    assert findings and all(f.severity == BLOCKS and f.kind == "placeholder" for f in findings)
    assert f"placeholder {found!r} left in the email" in findings[0].message
    assert "check with digest preview" in findings[0].fix


@pytest.mark.parametrize("text", [
    "TK 지역 의원들이 법안을 발의했습니다.",  # 대구·경북: a Korean abbreviation
    "지난주 TK에서 열린 행사",
    "The TKO was a surprise; Atkins and tk-tools are words.",
    "Her company, TKMaxx, gave coats.",
    "A link: https://ngo.net/news?id=2 and a set {a, b}.",
    "The dolorem ipsum is no loremipsum.",
])
def test_ordinary_text_is_not_a_placeholder(text: str) -> None:
    assert placeholders([("the email", text)]) == []


def test_one_finding_per_placeholder_and_place_with_its_context() -> None:
    found = placeholders([("the email", "Opens in TK. Again TK."), ("the email", "<p>Opens in TK.</p>"),
                          ("the mastodon post for 'School'", "Opens in TK")])
    assert [f.message.split(":")[0] for f in found] == [
        "placeholder 'TK' left in the email", "placeholder 'TK' left in the mastodon post for 'School'"]
    assert "\u201c\u2026Opens in TK. Again TK.\u2026\u201d" in found[0].message


def test_visible_text_reads_alt_texts_and_leaves_styles_out() -> None:
    html = ('<html><head><title>t</title><style>@media (x){.a{color:red}}</style></head>'
            '<body><p>Hello</p><img src="a.png" alt="[photo]"></body></html>')
    text = visible_text(html)
    assert "Hello" in text and "[photo]" in text and "}}" not in text


def test_digest_send_refuses_an_article_with_a_placeholder(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "school.md").write_text(
        "---\ntitle: A new school\nurl: https://example.org/news/school\n---\n"
        "The new school opens in TK with forty places. Volunteers will teach English there.\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_SOURCES="content", DIGEST_LINK_CHECK="false")
    result = subprocess.run([sys.executable, "-m", "digest", "send"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=180)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "placeholder 'TK' left in the email" in result.stderr
    assert "nothing was sent" in result.stderr
    assert not list((tmp_path / "var" / "outbox").rglob("*.eml"))
