"""Sources: folders and files of articles, RSS/Atom feeds, article pages.

Each source entry becomes zero or more :class:`~digest.types.Article`. A broken
source or article is reported in ``problems`` and skipped; the rest go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from digest.errors import SourceError
from digest.sources.feeds import looks_like_feed, parse_feed
from digest.sources.fetch import fetch
from digest.sources.files import FEED_SUFFIXES, list_folder, read_article_file, read_capped
from digest.sources.pages import article_from_html
from digest.types import Article


@dataclass
class Loaded:
    articles: list[Article] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, articles: list[Article]) -> None:
        seen = {a.id for a in self.articles}
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                self.articles.append(article)


@dataclass(frozen=True)
class SourceOptions:
    timeout: float = 15.0
    max_bytes: int = 5_000_000
    site_url: str = "https://example.org"


def load_sources(entries: list[str], options: SourceOptions, *, progress: bool = False) -> Loaded:
    """Read every source entry; never raises for one bad source or article."""
    loaded = Loaded()
    bar = _progress(len(entries), progress)
    for entry in entries:
        try:
            if "://" in entry:
                _load_url(entry, options, loaded)
            else:
                _load_path(Path(entry).expanduser(), options, loaded)
        except SourceError as exc:
            loaded.problems.append((entry, str(exc)))
        bar.update(1)
    bar.close()
    return loaded


def _load_url(url: str, options: SourceOptions, loaded: Loaded) -> None:
    got = fetch(url, timeout=options.timeout, max_bytes=options.max_bytes)
    if looks_like_feed(got.content, got.content_type):
        articles, problems = parse_feed(got.content, url)
        loaded.add(articles)
        loaded.problems.extend(problems)
        return
    html = got.content.decode("utf-8", errors="replace")
    loaded.add([article_from_html(html, url=got.url, source=url)])


def _load_path(path: Path, options: SourceOptions, loaded: Loaded) -> None:
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    files = list_folder(path) if path.is_dir() else [path]
    for file in files:
        try:
            if file.suffix.lower() in FEED_SUFFIXES:
                articles, problems = parse_feed(read_capped(file, options.max_bytes), str(file))
                loaded.add(articles)
                loaded.problems.extend(problems)
            else:
                loaded.add([read_article_file(file, max_bytes=options.max_bytes, site_url=options.site_url)])
        except SourceError as exc:
            loaded.problems.append((str(file), str(exc)))


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


__all__ = ["Loaded", "SourceOptions", "load_sources", "article_from_html"]
