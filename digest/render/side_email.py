"""Side emails: one short message to one person (a sign-up confirmation, an alert), in a language.

Each kind is a pair of templates, ``templates/email/<kind>.html.j2`` and ``<kind>.txt.j2``,
rendered from one context by the digest's own environment (autoescaped, strict, the
language's Babel catalog installed, DIGEST_TEMPLATES_DIR first); the HTML extends
``email/_side.html.j2``, the digest's look for one message. The subject comes from the
catalog as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from digest.errors import RenderError
from digest.render.email import RenderedEmail, describe_template_error, inline_css
from digest.render.env import template_env
from digest.render.i18n import FONT_STACKS, N_, WORD_BREAK, check_language, translations

SUBJECTS = {
    "confirm": N_("Please confirm your sign-up to %(org)s"),
    "welcome": N_("Welcome to the %(org)s news digest"),
    "receipt": N_("Receipt of %(key)s: sent to %(sent)s"),
    "approval": N_("Please approve the digest that goes out %(slot)s: %(edition_subject)s"),
    "login": N_("Your log-in link for the %(org)s dashboard"),
    # Not in the catalog: staff filter their mail on this prefix, whatever the language.
    "alert": "[digest alert] %(headline)s",
}


@dataclass(frozen=True)
class Letterhead:
    """Who a side email is from, and where staff keep their own templates."""

    org_name: str
    postal_address: str
    templates_dir: Path | None = None


def render_side_email(kind: str, language: str, context: dict[str, Any], head: Letterhead) -> RenderedEmail:
    """The subject, HTML (CSS inlined) and text of side email ``kind``. Raises RenderError."""
    lang = check_language(language)
    values = {
        "lang": lang,
        "font_family": FONT_STACKS[lang],
        "word_break": WORD_BREAK[lang],
        "org_name": head.org_name,
        "postal_address": head.postal_address,
        **context,
    }
    subject = translations(lang).gettext(SUBJECTS[kind]) % {"org": head.org_name, **context}
    values["subject"] = " ".join(subject.split())
    env = template_env(head.templates_dir, lang)
    try:
        html = env.get_template(f"email/{kind}.html.j2").render(values)
        text = env.get_template(f"email/{kind}.txt.j2").render(values)
    except jinja2.TemplateError as exc:
        raise RenderError(describe_template_error(exc)) from None
    return RenderedEmail(subject=values["subject"], html=inline_css(html), text=text, language=lang)
