"""The words of the web pages in English and Korean, and which language a page is in.

The pages are few and short, so their text lives here as two tables rather than
in the email's Babel catalog; a test checks both tables have the same keys.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "ko")

EN: dict[str, str] = {
    "skip": "Skip to content",
    "lang_switch": "한국어",
    "healthz": "ok",
    "unsub_title": "Unsubscribe",
    "unsub_intro": "Stop sending the digest to {address}?",
    "unsub_button": "Unsubscribe",
    "unsub_done_title": "You are unsubscribed",
    "unsub_done": "{address} will not get the digest any more. We are sorry to see you go.",
    "unsub_unknown": "This address is not on our list, so it gets nothing from us.",
    "resubscribe_hint": "Changed your mind? You can sign up again at any time.",
    "subscribe_link": "Sign up again",
    "bad_link_title": "This link does not work",
    "bad_link": "The link is incomplete or was changed. Please use the link from your latest email.",
    "error_title": "Something is not right",
    "error_400": "The request could not be understood. Please use the link or form from our page again.",
    "error_404": "There is nothing at this address.",
    "error_405": "This page cannot be used that way.",
    "error_413": "What you sent is too large.",
    "error_429": "Too many tries in a short time. Please wait a few minutes and try again.",
    "error_500": "Something went wrong on our side. Please try again later.",
    "footer": "{org} · {address}",
}

KO: dict[str, str] = {
    "skip": "본문으로 건너뛰기",
    "lang_switch": "English",
    "healthz": "ok",
    "unsub_title": "수신 거부",
    "unsub_intro": "{address} 주소로 소식지를 더 이상 보내지 않을까요?",
    "unsub_button": "수신 거부하기",
    "unsub_done_title": "수신 거부되었습니다",
    "unsub_done": "{address} 주소로 더 이상 소식지를 보내지 않습니다. 그동안 함께해 주셔서 감사합니다.",
    "unsub_unknown": "이 주소는 저희 명단에 없어 아무것도 받지 않습니다.",
    "resubscribe_hint": "마음이 바뀌셨나요? 언제든 다시 신청하실 수 있습니다.",
    "subscribe_link": "다시 신청하기",
    "bad_link_title": "이 링크는 사용할 수 없습니다",
    "bad_link": "링크가 잘렸거나 바뀌었습니다. 가장 최근 이메일의 링크를 사용해 주세요.",
    "error_title": "문제가 생겼습니다",
    "error_400": "요청을 이해할 수 없습니다. 저희 페이지의 링크나 양식을 다시 사용해 주세요.",
    "error_404": "이 주소에는 아무것도 없습니다.",
    "error_405": "이 페이지는 그렇게 사용할 수 없습니다.",
    "error_413": "보내신 내용이 너무 큽니다.",
    "error_429": "짧은 시간에 너무 많이 시도하셨습니다. 몇 분 뒤에 다시 시도해 주세요.",
    "error_500": "저희 쪽에 문제가 생겼습니다. 잠시 뒤에 다시 시도해 주세요.",
    "footer": "{org} · {address}",
}

TABLES = {"en": EN, "ko": KO}


def page_language(preferred: str = "") -> str:
    """?lang= first, then the subscriber's own language, the browser's, and DIGEST_LANGUAGE last."""
    from flask import request

    from digest.serve.app import site

    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    if preferred in LANGUAGES:
        return preferred
    best = request.accept_languages.best_match(LANGUAGES)
    return best or site().settings.language


def words(lang: str) -> dict[str, str]:
    return TABLES.get(lang, EN)


def mask(address: str) -> str:
    """``k***@example.kr``: enough for the owner to recognise, too little for anyone else."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def template_globals() -> dict[str, Any]:
    from digest.serve.app import site

    settings = site().settings
    return {"words": words, "org_name": settings.org_name, "postal_address": settings.postal_address}


def render(template: str, lang: str, **context: Any) -> str:
    """A page in ``lang``: its words are ``w`` in the template."""
    from flask import render_template

    return render_template(template, lang=lang, w=words(lang), **context)
