"""Settings for what the email looks like: templates, logo, intro, subject, size budget."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

from digest.config.base import parse_bool, parse_email, parse_path, parse_positive_int, setting, url
from digest.errors import ConfigError

SUBJECT_FIELDS = ("org_name", "date", "count", "edition")
# The texts a volunteer writes that readers see: each has a variant per language of the email.
LOCALISED = {"subject": "DIGEST_SUBJECT", "intro": "DIGEST_INTRO", "footer_reason": "DIGEST_FOOTER_REASON"}
LANGUAGE_NAMES = {"en": "English", "ko": "Korean"}


def parse_subject(raw: str) -> str:
    """A subject template: text with {org_name}, {date}, {count} or {edition} and nothing else.

    Only plain names are allowed, so a subject can never reach attributes of the values.
    """
    value = " ".join(raw.split())
    allowed = ", ".join("{" + f + "}" for f in SUBJECT_FIELDS)
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in Formatter().parse(value) if name is not None]
    except ValueError as exc:
        problem = f"{raw!r} is not a valid subject template ({exc})"
        raise ValueError(problem + "; write {{ or }} to show a brace") from None
    for name, spec, conversion in fields:
        if name not in SUBJECT_FIELDS:
            raise ValueError(f"{{{name}}} is not a known placeholder; use {allowed}")
        # A format spec or conversion ({date:%Y}, {count!r}) fails or leaks a repr at send time.
        if spec or conversion:
            part = f"!{conversion}" if conversion else f":{spec}"
            raise ValueError(f"{{{name}}} has a format part ({part}); write the plain placeholder {{{name}}}")
    return value


def variant(name: str, lang: str, what: str, fallback: str, **options: Any) -> Any:
    """The ``<KEY>_<LANG>`` setting of a localised text: what readers of ``lang`` get instead."""
    key = LOCALISED[name]
    return setting(
        f"{key}_{lang.upper()}",
        "",
        f"{what} for readers of {LANGUAGE_NAMES[lang]}. Empty: {key} when DIGEST_LANGUAGE is {lang}, "
        f"else {fallback}.",
        section="Content",
        **options,
    )


@dataclass(frozen=True, kw_only=True)
class ContentSettings:
    templates_dir: Path | None = setting(
        "DIGEST_TEMPLATES_DIR",
        None,
        "Folder of your own templates; a file here (e.g. email/digest.html.j2) replaces the built-in one.",
        parse=parse_path,
        example="my-templates",
        section="Content",
    )
    logo_url: str = setting(
        "DIGEST_LOGO_URL",
        "",
        "Address of your logo image (https://...), shown at the top of the email. Empty: no logo.",
        parse=url,
        example="https://example.org/logo.png",
        section="Content",
        first_hour=True,
    )
    intro: str = setting(
        "DIGEST_INTRO",
        "",
        "A short welcome paragraph at the top of every digest, in DIGEST_LANGUAGE (readers of the "
        "other language get DIGEST_INTRO_EN or DIGEST_INTRO_KO). Empty: none.",
        example="Thank you for standing with us. Here is what happened this week.",
        section="Content",
        multiline=True,
        first_hour=True,
    )
    subject: str = setting(
        "DIGEST_SUBJECT",
        "",
        "Subject line in DIGEST_LANGUAGE; {org_name}, {date}, {count} (number of stories) and {edition} "
        "are filled in (readers of the other language get DIGEST_SUBJECT_EN or DIGEST_SUBJECT_KO). "
        "Empty: '{org_name}: news digest, {date}' in the email's language.",
        parse=parse_subject,
        example="{org_name} weekly news ({date})",
        section="Content",
        first_hour=True,
    )
    reply_to: str = setting(
        "DIGEST_REPLY_TO",
        "",
        "Where replies to the digest go: an address, or Name <address>. Empty: the From address.",
        parse=parse_email,
        example="Team <hello@example.org>",
        section="Content",
        first_hour=True,
    )
    footer_reason: str = setting(
        "DIGEST_FOOTER_REASON",
        "",
        "Footer line saying why people get this email, in DIGEST_LANGUAGE (see DIGEST_FOOTER_REASON_KO). "
        "Empty: 'You receive this because you signed up for news from <your org>.'",
        section="Content",
        multiline=True,
    )
    subject_en: str = variant("subject", "en", "The subject", "the built-in one", parse=parse_subject)
    subject_ko: str = variant("subject", "ko", "The subject", "the built-in one", parse=parse_subject)
    intro_en: str = variant("intro", "en", "The welcome paragraph", "none", multiline=True)
    intro_ko: str = variant("intro", "ko", "The welcome paragraph", "none", multiline=True)
    footer_reason_en: str = variant("footer_reason", "en", "The footer", "the built-in one", multiline=True)
    footer_reason_ko: str = variant("footer_reason", "ko", "The footer", "the built-in one", multiline=True)
    html_budget: int = setting(
        "DIGEST_HTML_BUDGET",
        90_000,
        "Largest email HTML in bytes. Gmail cuts off emails over about 102 KB; the preview warns "
        "and digest send refuses above this unless DIGEST_ALLOW_LARGE is true or --allow-large is given.",
        parse=parse_positive_int,
        section="Safety",
    )
    allow_large: bool = setting(
        "DIGEST_ALLOW_LARGE",
        False,
        "Send even when the email is over DIGEST_HTML_BUDGET (Gmail will show it cut off).",
        parse=parse_bool,
        section="Safety",
    )

    def localised(self, name: str, lang: str) -> str:
        """The text ``name`` (subject, intro, footer_reason) for readers of ``lang``: its own
        ``_<LANG>`` variant, else the plain key if ``lang`` is DIGEST_LANGUAGE, else "" (the
        built-in text in that language): never one language's words in another's email."""
        own: str = getattr(self, f"{name}_{lang}", "")
        if own or lang != getattr(self, "language", "en"):
            return own
        plain: str = getattr(self, name)
        return plain

    def localised_settings(self) -> list[tuple[str, str]]:
        """(key, value) of every localised text, its variants included (all of them reach readers)."""
        out = []
        for name, key in LOCALISED.items():
            out.append((key, str(getattr(self, name))))
            out += [(f"{key}_{lang.upper()}", getattr(self, f"{name}_{lang}")) for lang in LANGUAGE_NAMES]
        return out

    def untranslated(self, readers: list[str]) -> list[str]:
        """One line per text written for DIGEST_LANGUAGE that readers of another language in
        ``readers`` will not get, because its variant for them is empty."""
        default = getattr(self, "language", "en")
        lines = []
        for lang in sorted({r or default for r in readers} - {default}):
            for name, key in LOCALISED.items():
                if getattr(self, name) and not getattr(self, f"{name}_{lang}", ""):
                    lines.append(
                        f"{key} is set but {key}_{lang.upper()} is not: readers of "
                        f"{LANGUAGE_NAMES.get(lang, lang)} get the built-in text (or none) instead"
                    )
        return lines

    def check_content(self) -> None:
        if self.templates_dir is not None and not self.templates_dir.is_dir():
            raise ConfigError(
                "DIGEST_TEMPLATES_DIR",
                f"{self.templates_dir} is not a folder",
                "create it (copy templates/email from digest to start) or leave the key empty",
            )
