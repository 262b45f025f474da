"""twitter-text-parser, the test oracle for X (test extra only; it imports pkg_resources, so
setuptools<82 is pinned beside it). It passes every case of twitter-text's conformance
files for links (extract.yml) and the v3 weighted lengths (validate.yml), so agreeing with
it on many texts is agreeing with that suite."""

from __future__ import annotations

import re
import warnings
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any
from unittest import mock


def _module(name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pkg_resources' deprecation warning
        return import_module(name)


def weighted_length(text: str) -> int:
    """parse_tweet's weightedLength, with each link's text taken from its indices. parse_tweet
    steps over a link by the length of its ``url``; for a bare address with a path the port builds
    that with ``str.replace(domain, ascii_domain)``, which replaces the host again wherever the path
    repeats it ("sub_dom.example.xyz/a.sub_dom.example.xyz"), so it steps short and weighs the rest
    of the link as text. twitter-text's own JavaScript replaces the first occurrence only, so its
    ``url`` is always the text at its indices, and the whole link weighs 23."""
    parse = _module("twitter_text.parse_tweet")
    found = parse.extract_urls_with_indices

    def at_indices(normalized: str) -> list[dict[str, Any]]:
        return [{**u, "url": normalized[u["indices"][0] : u["indices"][1]]} for u in found(normalized)]

    with mock.patch.object(parse, "extract_urls_with_indices", at_indices):
        return int(parse.parse_tweet(text).weightedLength)


def links(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each link the oracle finds, bare domains included."""
    found = _module("twitter_text.extract_urls").extract_urls_with_indices(text)
    return [(u["indices"][0], u["indices"][1]) for u in found]


@cache
def top_level_domains() -> frozenset[str]:
    """The generic and country top-level domains of the oracle's patterns (twitter-text's
    tld_lib list, the one its conformance tlds.yml names one case each)."""
    folder = Path(_module("twitter_text").__file__).parent / "regexp"
    names: set[str] = set()
    for module in ("valid_gtld.py", "valid_cctld.py"):
        pattern = "".join(re.findall(r"'([^']*)'", (folder / module).read_text(encoding="utf-8")))
        alternatives = pattern.removeprefix("(?:(?:").split(")")[0]
        names.update(name for name in alternatives.split("|") if name)
    return frozenset(names)
