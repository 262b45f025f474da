"""The top-level domains twitter-text recognises in a bare address such as ``example.org``.

twitter-text only links ``name.tld`` when ``tld`` is a real top-level domain, so ``Node.js``
and ``file.tar.bz2`` stay text. The list is the ICANN section of the Public
Suffix List (the IANA root zone, Unicode forms included), as shipped offline by
the ``tld`` package; only its one-label entries are top-level domains.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

_BEGIN, _END = "===BEGIN ICANN DOMAINS===", "===END ICANN DOMAINS==="


@cache
def top_level_domains() -> frozenset[str]:
    """Every ICANN top-level domain, lower-case (ASCII and IDN forms); read once, then cached."""
    # find_spec locates the package without importing it (its import is slow and not needed).
    spec = importlib.util.find_spec("tld")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        raise ImportError("the tld package is missing: reinstall digest (pip install -e .)")
    text = (Path(folders[0]) / "res" / "effective_tld_names.dat.txt").read_text(encoding="utf-8")
    out: set[str] = set()
    inside = False
    for line in text.splitlines():
        line = line.strip()
        if _BEGIN in line or _END in line:
            inside = _BEGIN in line
            continue
        if inside and line and not line.startswith(("//", "*", "!")) and "." not in line:
            out.add(line.lower())
    return frozenset(out)


def country_code(tld: str) -> bool:
    """A two-letter country-code domain (``kr``, ``jp``): twitter-text links ``name.kr``
    only with a path."""
    return len(tld) == 2 and tld.isascii() and tld.isalpha()
