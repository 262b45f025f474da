"""What the checks found in an edition, and whether each finding blocks the send or is only reported.

One list, read the same way by `digest preview` (its report and dashboard, which `digest serve`
shows as well) and by `digest send` and the scheduler, which refuse to freeze an edition while a
finding blocks it and print the reported ones. So the preview never says "fix this before sending"
about something the send lets through, nor stays silent about something it refuses.

A finding **blocks** when the email must not go out as it is and the volunteer can change that:
a protected name (in the email, a setting or a post), an email that cannot be rendered (an
undefined template variable), one over ``DIGEST_HTML_BUDGET`` (unless large emails are allowed),
active content (a script, an event handler) in the email. Everything else is **reported**: the
send goes ahead, and the finding says what it means (a partner's feed that could not be read, a
link that is not https, an image without alt text, a post that needs editing before it can be
published, an article left out). A new check adds its findings here, with their severity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from digest.errors import ProtectedTermError, RenderError
from digest.protect import Hit
from digest.types import Article, Post

BLOCKS = "blocks"  # the send refuses while it stands
REPORTED = "reported"  # shown; the send goes ahead


@dataclass(frozen=True)
class Finding:
    """One thing a check found: how serious (``severity``), of what kind, in words, and what to do."""

    severity: str  # BLOCKS or REPORTED
    kind: str  # protected, render, size, unsafe, alt, post, article, link, source, left-out, empty
    message: str
    fix: str = ""

    @property
    def blocks(self) -> bool:
        return self.severity == BLOCKS

    def line(self) -> str:
        return f"{self.message}; {self.fix}" if self.fix else self.message

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "kind": self.kind, "message": self.message, "fix": self.fix}


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocks]


def reported(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if not f.blocks]


PROTECTED_FIX = "remove or edit the article (or the setting), check with digest preview, then send again"


def protected(hits: Sequence[Hit]) -> list[Finding]:
    """One blocking finding per protected term and place (a term twice in one article is one)."""
    pairs = dict.fromkeys((h.term, h.where) for h in hits)
    return [Finding(BLOCKS, "protected", f"protected term {term!r} in {where}", PROTECTED_FIX)
            for term, where in pairs]


def size(html_bytes: int, budget: int, allowed: bool) -> list[Finding]:
    if html_bytes <= budget:
        return []
    said = (f"the email's HTML is {html_bytes:,} bytes, over DIGEST_HTML_BUDGET ({budget:,}); "
            "Gmail shows long emails cut off")
    if allowed:
        return [Finding(REPORTED, "size", said, "it is sent all the same: large emails are allowed")]
    fix = "lower DIGEST_MAX_ARTICLES or DIGEST_SUMMARY_MAX_WORDS, or send anyway with --allow-large"
    return [Finding(BLOCKS, "size", said, fix)]


def posts(items: Sequence[Post]) -> list[Finding]:
    """A post that cannot go as it is waits in the queue to be edited; the email goes all the same.
    (A protected term in a post is a blocking finding of its own: see :func:`protected`.)"""
    out = []
    for post in items:
        problems = [e for e in post.errors if not e.startswith("protected term ")]
        if post.used > post.limit and not post.errors:
            problems.append(f"is {post.used}/{post.limit}")
        out += [Finding(REPORTED, "post", f"{post.platform} post for {post.article_title!r}: {problem}",
                        "it waits in the queue for an edit before it can be published; the email goes")
                for problem in problems]
    return out


def articles(items: Iterable[Article]) -> list[Finding]:
    """Fields the sources dropped (a bad link, image or date) and articles linking to the homepage."""
    return [Finding(REPORTED, "article", f"article {a.title!r}: {w}") for a in items for w in a.warnings]


def sources(problems: Iterable[tuple[str, str]]) -> list[Finding]:
    """Feeds, pages or files that could not be read: the rest of the edition goes out."""
    return [Finding(REPORTED, "source", "skipped " + (p if p.startswith(s) else f"{s}: {p}"))
            for s, p in problems]


def refuse(findings: Sequence[Finding]) -> None:
    """Stop before anything is frozen or sent while a finding blocks: a protected term is exit
    status 3 (ProtectedTermError), anything else a RenderError. The message lists the blocking
    findings (up to five), so all can be fixed at once, and says what to do."""
    stopping = blocking(findings)
    if not stopping:
        return
    terms = [f for f in stopping if f.kind == "protected"]
    if terms:
        listed = _listed(f.message.removeprefix("protected term ") for f in terms)
        raise ProtectedTermError(f"protected term {listed}; nothing was sent. {PROTECTED_FIX.capitalize()}")
    fixes = "; ".join(dict.fromkeys(f.fix for f in stopping if f.fix))
    raise RenderError(f"{_listed(f.message for f in stopping)}; nothing was sent. {fixes.capitalize()}")


def _listed(messages: Iterable[str]) -> str:
    shown = list(messages)
    more = f" (and {len(shown) - 5} more)" if len(shown) > 5 else ""
    return "; ".join(shown[:5]) + more
