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
    body = f'<a href="{UNSUBSCRIBE_MARK}">stop</a>\n<span> <a href="{MANAGE_MARK}">manage</a></span>\nend'
    link, manage = "https://example.org/u/T?a&b", "https://example.org/preferences/P"
    assert personalise(body, unsubscribe_url=link, manage_url=manage, is_html=True) == fill_links(
        body, "https://example.org/u/T?a&amp;b", manage
    )
    from digest.providers.base import Content

    content = Content(
        "k", "s", body, body.replace("<a", "[a"), "me@example.org", __import__("datetime").datetime.now()
    )
    html, text = bodies_with(content, ("%H%", "%MH%"), ("%T%", "%MT%"))
    assert html == '<a href="%H%">stop</a>\n<span> <a href="%MH%">manage</a></span>\nend'
    assert UNSUBSCRIBE_MARK not in text and MANAGE_MARK not in text and text.count("%T%") == 1


def test_manage_preferences_is_its_own_link_or_its_line_goes() -> None:
    """The preferences link is never the unsubscribe link again: without a preferences page
    (no DIGEST_PUBLIC_URL, a provider without one, the archive) its line is left out."""
    body = f'<a href="{UNSUBSCRIBE_MARK}">stop</a>\n<span> <a href="{MANAGE_MARK}">manage</a></span>\nend\n'
    assert fill_links(body, "U", "") == '<a href="U">stop</a>\nend\n'
    assert fill_links(body, "U", "M").count('"M"') == 1
    from digest.providers.base import Content
    from digest.providers.http import bodies_with as with_vars

    content = Content("k", "s", body, body, "me@example.org", __import__("datetime").datetime.now())
    html, _text = with_vars(content, ("%H%", ""), ("%T%", ""))
    assert "manage" not in html and "%H%" in html and html.endswith("end\n")
