"""Social posts for the preview, from the social capability when it is installed."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from digest.config import Settings
from digest.types import Edition, Post


def posts_for(edition: Edition, settings: Settings) -> tuple[list[Post], str]:
    """(posts, note). Imported lazily: without digest.social the preview still works, email only."""
    try:
        from digest.social.compose import image_status, posts_for_edition
    except ImportError:
        return [], "social posts are not part of this installation, so none are shown"
    posts = list(posts_for_edition(edition, settings))
    # Each image is fetched and cleaned as publishing would, so the preview says whether it goes.
    posts = [replace(p, image_note=image_status(p, settings.social_timeout)) if p.image else p for p in posts]
    return posts, "" if posts else "no social platforms are enabled, so no posts are shown"


def _image_lines(post: Post) -> str:
    if not post.image:
        return ""
    return f"[image: {post.image}\n alt: {post.image_alt or '(none)'}\n {post.image_note}]\n"


def write_posts(out: Path, posts: list[Post]) -> None:
    """social.json (every post) and social/<platform>.txt (that platform's posts, one block each)."""
    rows = [
        {"platform": p.platform, "article": p.article_title, "text": p.text, "used": p.used, "limit": p.limit,
         **({"image": p.image, "image_alt": p.image_alt, "image_note": p.image_note} if p.image else {})}
        for p in posts
    ]
    (out / "social.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    folder = out / "social"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    by_platform: dict[str, list[Post]] = {}
    for post in posts:
        by_platform.setdefault(post.platform, []).append(post)
    for platform, group in by_platform.items():
        name = re.sub(r"[^a-z0-9_-]+", "_", platform.lower()) or "platform"
        blocks = [f"# {p.article_title} ({p.used}/{p.limit})\n{p.text}\n{_image_lines(p)}" for p in group]
        (folder / f"{name}.txt").write_text("\n".join(blocks), encoding="utf-8")
