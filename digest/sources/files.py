"""Article files: Markdown with optional front matter, plain text, HTML."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from digest.errors import SourceError
from digest.sources.base import Reader, Result, SourceRef
from digest.sources.fields import FieldReader
from digest.sources.frontmatter import split_front_matter
from digest.sources.text import html_to_text, markdown_to_html, normalise, strip_leftovers
from digest.types import Article, article_identity

_HOMEPAGE_NOTE = "no address of its own; it links to the homepage (DIGEST_SITE_URL)"


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


def read_text(data: bytes, ref: SourceRef) -> Result:
    """The plain-text reader of the registry."""
    return [_fetched_from(read_text_file(data, Path(ref.name), ref.site_url), ref)], []


def read_markdown(data: bytes, ref: SourceRef) -> Result:
    """The Markdown reader of the registry."""
    return [_fetched_from(read_markdown_file(data, Path(ref.name), ref.site_url), ref)], []


# Neither is ever sniffed: the author chose .md or .txt, and Markdown may hold HTML.
MARKDOWN_READER = Reader("markdown", "Markdown", read_markdown, (".md", ".markdown"), ("text/markdown",))
TEXT_READER = Reader("text", "plain text", read_text, (".txt",), ("text/plain",))


def _fetched_from(article: Article, ref: SourceRef) -> Article:
    """A text or Markdown file fetched by URL links to where it was fetched, not to the homepage."""
    if not ref.url or article.url_from != "homepage":
        return article
    warnings = tuple(w for w in article.warnings if w != _HOMEPAGE_NOTE)
    return replace(article, url=ref.url, url_from="fetched address", warnings=warnings)


def read_text_file(data: bytes, path: Path, site_url: str) -> Article:
    """A .txt file: the first line is the title, the rest the text; it links to the homepage."""
    title, body = _title_and_body(decode(data, str(path)))
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
        url_from="homepage",
        warnings=(_HOMEPAGE_NOTE,),
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


def read_markdown_file(data: bytes, path: Path, site_url: str) -> Article:
    """A Markdown file with optional YAML front matter (title, url, date, author, image, guid)."""
    meta, body_md = split_front_matter(decode(data, str(path)), str(path))
    body_md = body_md.strip()
    title = " ".join(str(meta.get("title") or "").split())
    if not title and body_md.startswith("# "):
        first, _, body_md = body_md.partition("\n")
        title = first[2:].strip()
    if not title:
        raise SourceError(f"{path}: no title; add 'title:' to the front matter")
    html = markdown_to_html(body_md)
    body = strip_leftovers(html_to_text(html))
    if not body:
        raise SourceError(f"{path}: has a title but no text")
    fields = FieldReader()
    html = fields.html(html)
    url = fields.url(meta.get("url"), "url")
    published = fields.date(meta.get("date"), "date")
    if not url:
        fields.warnings.append(_HOMEPAGE_NOTE)
    return Article(
        id=article_identity(str(meta.get("guid") or "") or None, url or None, title, body),
        title=title,
        url=url or site_url,
        text=body,
        html=html,
        source=str(path),
        published=published,
        author=str(meta.get("author") or ""),
        image=fields.url(meta.get("image"), "image"),
        image_alt=str(meta.get("image_alt") or ""),
        date_from="front matter" if published else "",
        url_from="front matter" if url else "homepage",
        warnings=tuple(fields.warnings),
    )


def list_folder(folder: Path, suffixes: Collection[str]) -> list[Path]:
    """Files below ``folder`` with one of ``suffixes`` (the ones a reader takes), in a stable order;
    README and hidden files skipped."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not p.name.lower().startswith("readme")
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
