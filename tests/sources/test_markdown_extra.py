"""Articles in Markdown read as Markdown Extra did when asked for by name (issue 24 builds its
extensions from their modules, so no installed package's entry points are read at start-up)."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.sources.text import markdown_to_html
from tests.paths import REPO, SAMPLE

PIECES = [
    "# Title", "Some *text* and **bold**", "| a | b |\n|---|---|\n| 1 | 2 |", "x[^1]\n\n[^1]: a note",
    "```python\ncode\n```", "Term\n:   definition", "*[HTML]: Hyper Text", "HTML here", "{: #id .class }",
    '<div markdown="1">*in* html</div>', "- one\n- two", "> quoted", "<script>x</script>", "1. first",
    "[link](https://example.org)", "~~~\nfenced\n~~~", "# Heading {: #anchor }", "안녕하세요 *세계*",
]


def _by_name(text: str) -> str:
    return markdown.markdown(text, extensions=["extra"], output_format="html")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=40), max_size=8))
def test_markdown_reads_as_extra_by_name(parts: list[str]) -> None:
    text = "\n\n".join(parts)
    assert markdown_to_html(text) == _by_name(text)


def test_the_articles_read_as_extra_by_name() -> None:
    files = [*SAMPLE.glob("*.md"), *(REPO / "tests" / "corpus").rglob("*.md"), *(REPO / "docs").glob("*.md")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert markdown_to_html(text) == _by_name(text), path
