"""Bluesky rich text: links and hashtags are plain text unless described by facets.

A facet points at a range of the post in UTF-8 *byte* offsets (end exclusive).
The visible link label (``example.org/news/…``) gets a link facet to the full
address; other http(s) links link to themselves; ``#tags`` get tag facets
whose value has no ``#``.
"""

from __future__ import annotations

from typing import Any

import regex

from digest.social.urls import find_links

_TAG = regex.compile(r"(?<![\p{L}\p{N}_#])#(?P<tag>(?=[\p{L}\p{N}_]*\p{L})[\p{L}\p{N}_]{1,64})")


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _facet(text: str, start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": {"byteStart": _bytes(text, start), "byteEnd": _bytes(text, end)},
        "features": [feature],
    }


def build_facets(text: str, link_label: str, url: str) -> list[dict[str, Any]]:
    facets: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    label_at = text.rfind(link_label) if link_label else -1
    if label_at >= 0:
        end = label_at + len(link_label)
        facets.append(_facet(text, label_at, end, {"$type": "app.bsky.richtext.facet#link", "uri": url}))
        taken.append((label_at, end))
    for link in find_links(text, bare_domains=False):
        if any(s < link.end and link.start < e for s, e in taken):
            continue
        facets.append(
            _facet(text, link.start, link.end, {"$type": "app.bsky.richtext.facet#link", "uri": link.url})
        )
        taken.append((link.start, link.end))
    for match in _TAG.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": match.group("tag")}
        facets.append(_facet(text, match.start(), match.end(), feature))
    return sorted(facets, key=lambda f: f["index"]["byteStart"])
