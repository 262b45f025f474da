"""Turning untrusted HTML and Markdown into plain text."""

from __future__ import annotations

import re

import lxml.html
import markdown as md
from lxml import etree

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
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", html)
    for bad in root.xpath("|".join(f".//{t}" for t in _DROP)):
        bad.drop_tree()
    text = _itertext(root)
    return normalise(text)


def _itertext(root: lxml.html.HtmlElement) -> str:
    chunks: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
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


def markdown_to_html(text: str) -> str:
    return md.markdown(text, extensions=["extra"], output_format="html")


def normalise(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks, strip each line."""
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()
