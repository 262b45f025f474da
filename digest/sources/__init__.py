"""Sources: folders and files of articles, RSS/Atom/RDF feeds, JSON Feeds, article pages.

Each source entry becomes zero or more :class:`~digest.types.Article`. Which
reader reads it is decided by :mod:`digest.sources.registry` (suffix or content
type, checked against the content). A broken source or article is reported in
``problems`` and skipped; a field that cannot be read is dropped and named in
the article's ``warnings``; the rest go on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from digest.errors import SourceError
from digest.sources.base import SourceRef
from digest.sources.files import list_folder, read_capped
from digest.sources.registry import READERS_BY_SUFFIX, decide, readers
from digest.types import Article

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceRun:
    """How one source entry fared in one load: its error ("" when it was read) and the kind of
    that error, and the identities of the articles it gave (for its newest item)."""

    entry: str
    error: str = ""
    kind: str = ""
    idents: tuple[str, ...] = ()


@dataclass
class Loaded:
    articles: list[Article] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    runs: list[SourceRun] = field(default_factory=list)

    def add(self, articles: list[Article]) -> None:
        seen = {a.id for a in self.articles}
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                self.articles.append(article)

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """(article title, warning) for every field that was dropped or defaulted."""
        return [(a.title, w) for a in self.articles for w in a.warnings]


@dataclass(frozen=True)
class SourceOptions:
    timeout: float = 15.0
    max_bytes: int = 5_000_000
    site_url: str = "https://example.org"
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> SourceOptions:
        return cls(settings.fetch_timeout, settings.fetch_max_bytes, settings.site_url,
                   settings.fetch_allow_private)


def load_sources(entries: list[str], options: SourceOptions, *, progress: bool = False) -> Loaded:
    """Read every source entry; never raises for one bad source or article."""
    loaded = Loaded()
    bar = _progress(len(entries), progress)
    for entry in entries:
        before = len(loaded.articles)
        failed = _guarded(entry, loaded, partial(_load_entry, entry, options, loaded))
        idents = tuple(a.id for a in loaded.articles[before:])
        loaded.runs.append(SourceRun(entry, *(failed or ("", "")), idents=idents))
        bar.update(1)
    bar.close()
    return loaded


def _load_entry(entry: str, options: SourceOptions, loaded: Loaded) -> None:
    if "://" in entry:
        _load_url(entry, options, loaded)
    else:
        _load_path(Path(entry).expanduser(), options, loaded)


def _guarded(where: str, loaded: Loaded, step: Callable[[], None]) -> tuple[str, str] | None:
    """Run one source or file; any failure becomes a one-line problem, never a stopped edition.
    Returns the failure (message, kind), or None."""
    try:
        step()
    except SourceError as exc:
        loaded.problems.append((where, str(exc)))
        return str(exc), exc.kind
    except Exception as exc:  # untrusted input: an unforeseen failure skips this source only
        log.warning("source %s could not be read", where, exc_info=True)
        loaded.problems.append((where, f"{where}: could not be read ({type(exc).__name__})"))
        return loaded.problems[-1][1], "unreadable"
    return None


def _load_url(url: str, options: SourceOptions, loaded: Loaded) -> None:
    from digest.sources.fetch import fetch  # the network guard and its session: for feeds on the web only

    got = fetch(url, timeout=options.timeout, max_bytes=options.max_bytes,
                allow_private=options.allow_private)
    decision = decide(got.content, content_type=got.content_type)
    ref = SourceRef(url, url=got.url, content_type=got.content_type, site_url=options.site_url)
    _read(got.content, ref, decision.reader, decision.reason if decision.mismatch else "", loaded)


def _load_path(path: Path, options: SourceOptions, loaded: Loaded) -> None:
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder", "missing")
    for file in list_folder(path, READERS_BY_SUFFIX) if path.is_dir() else [path]:
        _guarded(str(file), loaded, partial(_load_file, file, options, loaded))


def _load_file(file: Path, options: SourceOptions, loaded: Loaded) -> None:
    data = read_capped(file, options.max_bytes)
    decision = decide(data, suffix=file.suffix or ".txt")
    ref = SourceRef(str(file), site_url=options.site_url, path=file)
    _read(data, ref, decision.reader, decision.reason if decision.mismatch else "", loaded)


def _read(data: bytes, ref: SourceRef, reader: str, note: str, loaded: Loaded) -> None:
    """Run the chosen reader; a content/label mismatch is named in each article and any problem."""
    try:
        articles, problems = readers()[reader].read(data, ref)
    except SourceError as exc:
        raise SourceError(f"{exc} ({note})" if note else str(exc)) from None
    if note:
        articles = [dataclasses.replace(a, warnings=(*a.warnings, note)) for a in articles]
    loaded.add(articles)
    loaded.problems.extend(problems)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> _NoBar:
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="sources", unit="source", leave=False)  # type: ignore[return-value]


__all__ = ["Loaded", "SourceOptions", "load_sources"]
