"""Article files: Markdown with optional front matter, plain text, HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import frontmatter

from digest.errors import SourceError
from digest.sources.text import html_to_text, markdown_to_html, normalise, strip_leftovers
from digest.types import Article, article_identity

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")


def read_capped(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceError(f"{path}: {size} bytes is over DIGEST_FETCH_MAX_BYTES ({max_bytes})")
    return path.read_bytes()


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{where}: not UTF-8 text; save it as UTF-8") from None


def parse_date(value: Any, where: str) -> datetime | None:
    """Front-matter dates: YAML dates, ISO strings; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    else:
        try:
            result = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise SourceError(f"{where}: date {value!r} is not YYYY-MM-DD") from None
    return result if result.tzinfo else result.replace(tzinfo=UTC)


def read_article_file(path: Path, *, max_bytes: int, site_url: str) -> Article:
    """One file to one Article. Raises SourceError with the file name."""
    text = decode(read_capped(path, max_bytes), str(path))
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return _markdown(path, text, site_url)
    if suffix in (".html", ".htm"):
        from digest.sources.pages import article_from_html

        return article_from_html(text, url="", source=str(path), fallback_title=path.stem)
    title, body = _title_and_body(text)
    if not title:
        raise SourceError(f"{path}: empty; the first line is the title, then the text")
    if not body:
        raise SourceError(f"{path}: has a title but no text")
    return Article(
        id=article_identity(None, None, title, body),
        title=title,
        url=site_url,
        text=body,
        source=str(path),
    )


def _title_and_body(text: str) -> tuple[str, str]:
    """The first line is the title; in a saved "View Original" page the title follows that marker.

    Such exports read: site name, "View Original", the article's title, then the text.
    """
    lines = [line.strip() for line in text.strip().splitlines()]
    content = [n for n, line in enumerate(lines) if line]
    if not content:
        return "", ""
    first = content[0]
    if len(content) > 2 and lines[content[1]].lower() == "view original":
        first = content[2]
    return lines[first], strip_leftovers(normalise("\n".join(lines[first + 1 :])))


def _markdown(path: Path, text: str, site_url: str) -> Article:
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # the YAML parser raises many types
        raise SourceError(f"{path}: front matter is not valid YAML ({type(exc).__name__})") from None
    meta = post.metadata
    body_md = post.content.strip()
    title = str(meta.get("title") or "").strip()
    if not title and body_md.startswith("# "):
        first, _, body_md = body_md.partition("\n")
        title = first[2:].strip()
    if not title:
        raise SourceError(f"{path}: no title; add 'title:' to the front matter")
    html = markdown_to_html(body_md)
    body = strip_leftovers(html_to_text(html))
    if not body:
        raise SourceError(f"{path}: has a title but no text")
    url = str(meta.get("url") or "").strip()
    return Article(
        id=article_identity(str(meta.get("guid") or "") or None, url or None, title, body),
        title=title,
        url=url or site_url,
        text=body,
        html=html,
        source=str(path),
        published=parse_date(meta.get("date"), str(path)),
        author=str(meta.get("author") or ""),
        image=str(meta.get("image") or ""),
        image_alt=str(meta.get("image_alt") or ""),
    )


def list_folder(folder: Path) -> list[Path]:
    """Article and feed files below ``folder``, in a stable order; README files skipped."""
    wanted = ARTICLE_SUFFIXES + FEED_SUFFIXES
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in wanted
        and not p.name.lower().startswith("readme")
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
