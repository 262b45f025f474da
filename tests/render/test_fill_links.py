"""The template's per-recipient link markers are filled in one place (render.marks.fill_links),
whether with a subscriber's links (SMTP, outbox, preview) or a provider's merge tags."""

from __future__ import annotations

import ast
from pathlib import Path

from digest.providers.http import bodies_with
from digest.render.email import personalise
from digest.render.marks import MANAGE_MARK, UNSUBSCRIBE_MARK, fill_links

REPO = Path(__file__).resolve().parents[2]


def marker_uses(path: Path) -> list[int]:
    """Lines where a marker name is used other than to define or re-export it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        marker = isinstance(node, ast.Name) and node.id in ("UNSUBSCRIBE_MARK", "MANAGE_MARK")
        if marker and isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            lines.append(node.lineno)
    return lines


def test_only_fill_links_substitutes_the_markers() -> None:
    users = {
        str(p.relative_to(REPO)): marker_uses(p) for p in (REPO / "digest").rglob("*.py") if marker_uses(p)
    }
    users.pop("digest/render/marks.py")  # has_links and fill_links
    # render/email.py only places the markers in the template context (one each).
    assert len(users.pop("digest/render/email.py")) == 2
    assert users == {}, f"markers substituted outside fill_links: {users}"


def test_every_filler_gives_the_same_body() -> None:
    body = f'<a href="{UNSUBSCRIBE_MARK}">stop</a> <a href="{MANAGE_MARK}">manage</a>'
    link = "https://example.org/u?t=a&b"
    assert personalise(body, unsubscribe_url=link, manage_url=link, is_html=True) == fill_links(
        body, "https://example.org/u?t=a&amp;b"
    )
    from digest.providers.base import Content

    content = Content(
        "k", "s", body, body.replace("<a", "[a"), "me@example.org", __import__("datetime").datetime.now()
    )
    html, text = bodies_with(content, "%H%", "%T%")
    assert html == '<a href="%H%">stop</a> <a href="%H%">manage</a>'
    assert UNSUBSCRIBE_MARK not in text and MANAGE_MARK not in text and text.count("%T%") == 2
