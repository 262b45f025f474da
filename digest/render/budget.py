"""Fit the email into DIGEST_HTML_BUDGET by construction, so a busy week never blocks a send.

Gmail cuts off an email over about 102 KB, so `send` refuses HTML over the budget.
Rather than refuse, the edition is trimmed before it is frozen: first the oldest
titles of the "More stories" list, then, only if the list is empty and the email
is still too big, the oldest articles shown in full (the first one always stays).
Every trimmed article is returned with the reason, for the preview report and
`digest sources`. The size that counts is the largest of the email in every
language a subscriber may ask for, since `send` checks each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from digest.config import Settings
from digest.render.email import RenderedEmail, render_email
from digest.render.i18n import FONT_STACKS
from digest.types import Article, Edition

TRIM_REASON = "left out so the email fits DIGEST_HTML_BUDGET ({budget:,} bytes)"


@dataclass
class BudgetFit:
    edition: Edition
    rendered: RenderedEmail
    trimmed: list[tuple[Article, str]] = field(default_factory=list)


Render = Callable[..., RenderedEmail]  # (edition, language=None) -> the email


def fit_budget(edition: Edition, settings: Settings) -> BudgetFit:
    """The largest prefix of the edition whose email fits the budget, rendered.

    Raises RenderError (from rendering) like :func:`render_email`. When even one
    article alone is over the budget, the whole edition is returned untrimmed and
    the send's own size check explains the problem (or --allow-large sends it all).
    """
    budget = settings.html_budget

    def render(e: Edition, language: str | None = None) -> RenderedEmail:
        return render_email(e, settings, language=language)

    def fits(e: Edition, rendered: RenderedEmail | None = None) -> bool:
        return _largest(e, render, rendered if rendered is not None else render(e)) <= budget

    rendered = render(edition)
    if fits(edition, rendered):
        return BudgetFit(edition, rendered)
    more = _longest(len(edition.more), lambda k: replace(edition, more=edition.more[:k]), fits)
    if more is not None:
        kept = replace(edition, more=edition.more[:more])
    else:
        items = _longest(len(edition.items), lambda k: replace(edition, items=edition.items[:k], more=()),
                         fits, low=1)
        if items is None:
            return BudgetFit(edition, rendered)  # trimming cannot help: the send says why
        kept = replace(edition, items=edition.items[:items], more=())
    reason = TRIM_REASON.format(budget=budget)
    dropped = [i.article for i in edition.items[len(kept.items):] + edition.more[len(kept.more):]]
    return BudgetFit(kept, render(kept), [(a, reason) for a in dropped])


def _longest(
    n: int, build: Callable[[int], Edition], fits: Callable[[Edition], bool], low: int = 0
) -> int | None:
    """Largest k in low..n whose email fits (sizes grow with k), or None when none does."""
    best = None
    while low <= n:
        mid = (low + n) // 2
        if fits(build(mid)):
            best, low = mid, mid + 1
        else:
            n = mid - 1
    return best


def _largest(edition: Edition, render: Render, rendered: RenderedEmail) -> int:
    """HTML bytes of the biggest language version (the settings' one is ``rendered``)."""
    sizes = [rendered.html_bytes]
    for language in FONT_STACKS:
        if language != rendered.language:
            sizes.append(render(edition, language=language).html_bytes)
    return max(sizes)
