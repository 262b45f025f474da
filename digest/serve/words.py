"""The words of the web pages in English and Korean, and which language a page is in.

The pages are few and short, so their text lives here as two tables rather than
in the email's Babel catalog (which holds the words of every email, the sign-up
confirmation included); a test checks both tables have the same keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from werkzeug.datastructures import LanguageAccept

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
    "link_expired": "This link has expired. Please use the link in your latest email from us.",
    "error_title": "Something is not right",
    "error_400": "The request could not be understood. Please use the link or form from our page again.",
    "error_404": "There is nothing at this address.",
    "error_410": "This digest has been withdrawn from the archive.",
    "error_405": "This page cannot be used that way.",
    "error_413": "What you sent is too large.",
    "error_429": "Too many tries in a short time. Please wait a few minutes and try again.",
    "error_500": "Something went wrong on our side. Please try again later.",
    "error_503": "We could not send the email just now. Please try again in a few minutes.",
    "sub_title": "Sign up for our news digest",
    "sub_intro": "One email a week with our news and the stories we follow. We never share your address.",
    "email_label": "Email address",
    "language_label": "Language of the email",
    "consent": "I agree to receive the {org} news digest by email. I can unsubscribe at any time.",
    "trap_label": "Leave this field empty",
    "sub_button": "Sign up",
    "email_invalid": "Please enter a complete email address, like name@example.org.",
    "language_invalid": "Please choose English or Korean.",
    "consent_missing": "Please tick the box to agree to receive the digest.",
    "errors_intro": "Please correct the following:",
    "sub_sent_title": "Check your inbox",
    "sub_sent": "If this address can sign up, we have sent it an email with a link. "
    "Press that link to confirm; until then you get nothing from us.",
    "sub_elsewhere": "Sign-up is handled by our mailing service. Please use the form on our website.",
    "sub_closed": "Sign-up is not open yet: this site cannot send confirmation emails until it is "
    "fully set up. Please try again later.",
    "confirm_title": "Confirm your sign-up",
    "confirm_intro": "Start sending the digest to {address}?",
    "confirm_button": "Yes, sign me up",
    "confirmed_title": "You are signed up",
    "confirmed": "{address} will get the next digest.",
    "confirmed_again": "There is nothing left to confirm for {address}: this link was used already "
    "or is no longer valid. To sign up, please use the form again.",
    "manage_link": "Change your preferences",
    "prefs_title": "Your preferences",
    "prefs_status_active": "{address} gets the digest.",
    "prefs_status_unsubscribed": "{address} is unsubscribed and gets nothing.",
    "prefs_status_stopped": "{address} gets nothing from us: our emails to it could not be "
    "delivered, or were reported as unwanted. To get the digest again, sign up again and confirm.",
    "resubscribe_label": "Send me the digest again",
    "prefs_button": "Save",
    "prefs_saved": "Saved.",
    "unsub_instead": "Unsubscribe instead",
    "archive_title": "Past digests",
    "archive_empty": "Nothing has been sent yet.",
    "prefs_instead": "Keep it, but change the language",
    "leave_title": "Unsubscribe or change your preferences",
    "leave_public": "This is the public copy of a digest: its links do not know who you are, "
    "so nobody can be unsubscribed from here.",
    "leave_how": "To stop getting the digest, press “Unsubscribe” at the bottom of any digest in your "
    "inbox. One click does it; there is no password.",
    "leave_prefs": "To get it in another language, press “Manage preferences” in the same place.",
    "leave_signup": "Not getting the digest yet?",
    "sub_link": "Sign up",
    "appr_title": "Approve the digest",
    "appr_subject": "Subject",
    "appr_not_built": "(not built yet)",
    "appr_edition": "Edition",
    "appr_goes_out": "Goes out",
    "appr_now": "Now",
    "appr_approved_by": "approved by {who}",
    "appr_held_by": "held by {who}",
    "appr_waiting": "waiting for approval",
    "appr_explain": "Approve it, and it goes out at its time (or at once, if its time has passed). "
    "Hold it, and nothing goes out until someone approves it.",
    "appr_approve": "Approve",
    "appr_hold": "Hold",
    "appr_done_approve": "Thank you: you approved this edition.",
    "appr_done_hold": "Thank you: you held this edition.",
    "appr_used_approve": "This link was used already: it approved the edition.",
    "appr_used_hold": "This link was used already: it held the edition.",
    "appr_once": "A link works once; the dashboard can change the decision.",
    "appr_changed": "The edition changed after this request was sent, so this link no longer counts. "
    "Every approver has been sent a new request for the edition as it is now.",
    "appr_finished": "This edition is {status}; there is nothing left to decide.",
    "appr_status_sending": "being sent",
    "appr_status_sent": "sent",
    "appr_status_partial": "partly sent",
    "appr_status_skipped": "skipped",
    "appr_status_missed": "missed",
    "appr_status_gone": "gone",
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
    "link_expired": "이 링크는 기한이 지났습니다. 가장 최근에 받으신 이메일의 링크를 사용해 주세요.",
    "error_title": "문제가 생겼습니다",
    "error_400": "요청을 이해할 수 없습니다. 저희 페이지의 링크나 양식을 다시 사용해 주세요.",
    "error_404": "이 주소에는 아무것도 없습니다.",
    "error_410": "이 소식지는 보관함에서 내려졌습니다.",
    "error_405": "이 페이지는 그렇게 사용할 수 없습니다.",
    "error_413": "보내신 내용이 너무 큽니다.",
    "error_429": "짧은 시간에 너무 많이 시도하셨습니다. 몇 분 뒤에 다시 시도해 주세요.",
    "error_500": "저희 쪽에 문제가 생겼습니다. 잠시 뒤에 다시 시도해 주세요.",
    "error_503": "지금은 이메일을 보낼 수 없습니다. 몇 분 뒤에 다시 시도해 주세요.",
    "sub_title": "소식지 신청",
    "sub_intro": "일주일에 한 번, 저희 소식과 주목하는 기사를 이메일로 보내 드립니다. "
    "주소는 절대 공유하지 않습니다.",
    "email_label": "이메일 주소",
    "language_label": "이메일 언어",
    "consent": "{org}의 소식지를 이메일로 받는 데 동의합니다. 언제든 수신 거부할 수 있습니다.",
    "trap_label": "이 칸은 비워 두세요",
    "sub_button": "신청하기",
    "email_invalid": "name@example.org 처럼 완전한 이메일 주소를 입력해 주세요.",
    "language_invalid": "영어 또는 한국어를 선택해 주세요.",
    "consent_missing": "소식지 수신에 동의하시면 확인란을 선택해 주세요.",
    "errors_intro": "다음을 고쳐 주세요:",
    "sub_sent_title": "받은편지함을 확인해 주세요",
    "sub_sent": "신청할 수 있는 주소라면 링크가 담긴 이메일을 보냈습니다. "
    "그 링크를 눌러 확인해 주세요. 확인 전에는 아무것도 보내지 않습니다.",
    "sub_elsewhere": "신청은 저희 메일 서비스에서 받습니다. 저희 웹사이트의 양식을 이용해 주세요.",
    "sub_closed": "아직 신청을 받지 않습니다. 이 사이트는 설정이 모두 끝나야 확인 이메일을 보낼 수 "
    "있습니다. 나중에 다시 시도해 주세요.",
    "confirm_title": "신청 확인",
    "confirm_intro": "{address} 주소로 소식지를 보내 드릴까요?",
    "confirm_button": "네, 신청합니다",
    "confirmed_title": "신청되었습니다",
    "confirmed": "{address} 주소로 다음 소식지를 보내 드립니다.",
    "confirmed_again": "{address} 주소는 더 확인할 것이 없습니다. 이미 사용했거나 더 이상 유효하지 않은 "
    "링크입니다. 신청하시려면 양식을 다시 이용해 주세요.",
    "manage_link": "설정 바꾸기",
    "prefs_title": "설정",
    "prefs_status_active": "{address} 주소로 소식지를 받고 있습니다.",
    "prefs_status_unsubscribed": "{address} 주소는 수신 거부되어 아무것도 받지 않습니다.",
    "prefs_status_stopped": "{address} 주소로는 아무것도 보내지 않습니다. 이메일이 전달되지 않았거나 "
    "원치 않는 메일로 신고되었습니다. 다시 받으시려면 새로 신청하고 확인해 주세요.",
    "resubscribe_label": "소식지를 다시 받겠습니다",
    "prefs_button": "저장",
    "prefs_saved": "저장되었습니다.",
    "unsub_instead": "대신 수신 거부하기",
    "archive_title": "지난 소식지",
    "archive_empty": "아직 보낸 소식지가 없습니다.",
    "prefs_instead": "수신은 유지하고 언어만 바꾸기",
    "leave_title": "수신 거부 또는 수신 설정 변경",
    "leave_public": "이 페이지는 소식지의 공개 사본입니다. 여기 있는 링크는 받는 분이 누구인지 모르므로, "
    "여기서는 누구의 수신도 거부할 수 없습니다.",
    "leave_how": "소식지를 그만 받으시려면 받은편지함에 있는 소식지 맨 아래의 ‘수신 거부’를 누르세요. "
    "한 번 누르면 되고 비밀번호는 필요 없습니다.",
    "leave_prefs": "다른 언어로 받으시려면 같은 곳의 ‘수신 설정 변경’을 누르세요.",
    "leave_signup": "아직 소식지를 받지 않으시나요?",
    "sub_link": "구독 신청",
    "appr_title": "소식지 승인",
    "appr_subject": "제목",
    "appr_not_built": "(아직 만들어지지 않음)",
    "appr_edition": "발행 호",
    "appr_goes_out": "발송 시각",
    "appr_now": "현재 상태",
    "appr_approved_by": "{who} 님이 승인함",
    "appr_held_by": "{who} 님이 보류함",
    "appr_waiting": "승인 대기 중",
    "appr_explain": "승인하시면 정해진 시각에 (시각이 이미 지났다면 바로) 발송됩니다. "
    "보류하시면 누군가 승인할 때까지 아무것도 발송되지 않습니다.",
    "appr_approve": "승인",
    "appr_hold": "보류",
    "appr_done_approve": "감사합니다. 이 호를 승인하셨습니다.",
    "appr_done_hold": "감사합니다. 이 호를 보류하셨습니다.",
    "appr_used_approve": "이미 사용한 링크입니다. 이 링크로 이 호가 승인되었습니다.",
    "appr_used_hold": "이미 사용한 링크입니다. 이 링크로 이 호가 보류되었습니다.",
    "appr_once": "링크는 한 번만 쓸 수 있습니다. 결정은 대시보드에서 바꿀 수 있습니다.",
    "appr_changed": "이 요청을 보낸 뒤 호의 내용이 바뀌어 이 링크는 더 이상 효력이 없습니다. "
    "모든 승인자에게 지금 내용으로 새 요청을 보냈습니다.",
    "appr_finished": "이 호는 {status} 상태입니다. 더 결정할 것이 없습니다.",
    "appr_status_sending": "발송 중",
    "appr_status_sent": "발송됨",
    "appr_status_partial": "일부 발송됨",
    "appr_status_skipped": "건너뜀",
    "appr_status_missed": "놓침",
    "appr_status_gone": "없어짐",
    "footer": "{org} · {address}",
}

TABLES = {"en": EN, "ko": KO}


def page_language(preferred: str = "") -> str:
    """?lang= first, then the subscriber's own language, the browser's, and DIGEST_LANGUAGE last."""
    from flask import request

    from digest.serve.site import site

    asked = request.args.get("lang", "")
    return choose_language(asked, preferred, request.accept_languages, site().settings.language)


def choose_language(asked: str, preferred: str, accepted: LanguageAccept, default: str) -> str:
    """:func:`page_language` from its parts (``accepted``: the request's Accept-Language)."""
    if asked in LANGUAGES:
        return asked
    if preferred in LANGUAGES:
        return preferred
    return accepted.best_match(LANGUAGES) or default


def words(lang: str) -> dict[str, str]:
    return TABLES.get(lang, EN)


def consent_line(lang: str, org: str) -> str:
    """The consent a sign-up agrees to, as the form shows it (and the sign-up records it)."""
    return words(lang)["consent"].format(org=org)


def mask(address: str) -> str:
    """``k***@example.kr``: enough for the owner to recognise, too little for anyone else."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def template_globals() -> dict[str, Any]:
    from digest.serve.site import site

    settings = site().settings
    return {"words": words, "org_name": settings.org_name, "postal_address": settings.postal_address}


def render(template: str, lang: str, **context: Any) -> str:
    """A page in ``lang``: its words are ``w`` in the template; the answer says its language
    (Content-Language, set from ``g.page_language`` as the response leaves: see serve.app)."""
    from flask import g, render_template

    g.page_language = lang
    return render_template(template, lang=lang, w=words(lang), **context)


HOLE = "\x00digest-fill\x00"  # nothing a template or our words hold; survives escaping as it is


def render_filled(template: str, lang: str, fill: str, **context: Any) -> str:
    """:func:`render` for a page that changes between requests only where it shows ``fill``
    (passed to the template as ``address``), such as the one-click answer a whole list may ask
    for within minutes: rendered once per template, language and ``context`` (kept on the site),
    then the escaped value is put in the hole."""
    from flask import g

    from digest.serve.site import site

    pages, key = site().pages, page_key(template, lang, context)
    page = pages.get(key)
    if page is None:
        page = pages[key] = render(template, lang, address=HOLE, **context)
    g.page_language = lang
    return fill_hole(page, fill)


def page_key(template: str, lang: str, context: dict[str, Any]) -> tuple[object, ...]:
    """Which rendered page of the site's cache :func:`render_filled` fills."""
    return (template, lang, *sorted(context.items()))


def fill_hole(page: str, fill: str) -> str:
    from markupsafe import escape

    return page.replace(HOLE, str(escape(fill)))
