"""Turning untrusted HTML and Markdown into plain text."""

from __future__ import annotations

import re
from typing import Any

_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "form")
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
    "figcaption",
    "pre",
}


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, paragraphs separated by blank lines."""
    if not html.strip():
        return ""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", html)
    for bad in root.xpath("|".join(f".//{t}" for t in _DROP)):
        bad.drop_tree()
    text = _itertext(root)
    return normalise(text)


def _itertext(root: Any) -> str:
    chunks: list[str] = []

    def walk(node: Any) -> None:
        block = isinstance(node.tag, str) and node.tag in _BLOCK
        if block:
            chunks.append("\n\n")
        if node.text:
            chunks.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                chunks.append(child.tail)
        if block:
            chunks.append("\n\n")

    walk(root)
    return "".join(chunks)


# Lines that copy-and-paste and "reader view" exports leave behind.
_LEFTOVER_LINE = re.compile(
    r"^(view original|read more|continue reading|share( this)?( article| story)?|advertisement|"
    r"scroll down for video|click here.*|print|email|tweet|comments?)[.:!]?$",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"[(\[]\s*(image|photo|picture|credit|source|graphic)s?\s*(:|by)", re.IGNORECASE)
_CREDIT_LINE = re.compile(r"^(image|photo|picture|credit|photograph)s?( by)?\s*:", re.IGNORECASE)


def is_leftover(line: str) -> bool:
    """Navigation words, and image captions or credits ("... (Image: KCNA)")."""
    stripped = line.strip()
    if _LEFTOVER_LINE.match(stripped) or _CREDIT_LINE.match(stripped):
        return True
    # A caption is a short paragraph carrying a credit; real paragraphs rarely do.
    return bool(_CREDIT.search(stripped)) and len(stripped.split()) <= 40


def strip_leftovers(text: str) -> str:
    """Drop leftover paragraphs, keeping the rest of the text as it was."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in paragraphs if p.strip() and not is_leftover(p))


def markdown_to_html(text: str) -> str:
    """Markdown Extra (tables, footnotes, fenced code, ...) as HTML."""
    import markdown as md

    return md.markdown(text, extensions=_extra(), output_format="html")


def _extra() -> list[Any]:
    """Markdown Extra's extensions, each built from its own module as "extra" builds them. Named
    ("extra"), Python-Markdown first reads the entry points of every installed package to look
    for the name: about 30 ms of `digest sources`' start-up (issue 24)."""
    from importlib import import_module

    from markdown.extensions import extra

    return [import_module(f"markdown.extensions.{name}").makeExtension() for name in extra.extensions]


def normalise(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks, strip each line."""
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()
