"""The dashboard's log-in: one shared password, kept only as a hash; slowed against guessing."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digest.config import Settings

FAILED_LOGIN_PAUSE = 1.0  # seconds every wrong password costs, on top of the throttle
SESSION_KEY = "admin"


def password_hash(settings: Settings) -> str:
    """DIGEST_ADMIN_PASSWORD as a hash (hashed here when given in clear); empty when unset."""
    from werkzeug.security import generate_password_hash

    from digest.config.web_values import HASH_PREFIXES

    value = settings.admin_password
    if not value or value.startswith(HASH_PREFIXES):
        return value
    return generate_password_hash(value)


def check(stored: str, given: str) -> bool:
    from werkzeug.security import check_password_hash

    ok = bool(stored) and check_password_hash(stored, given[:1000])
    if not ok:
        time.sleep(FAILED_LOGIN_PAUSE)
    return ok


def logged_in() -> bool:
    from flask import session

    return bool(session.get(SESSION_KEY))


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """The dashboard is off without a password; without a session, the log-in page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from flask import redirect

        from digest.serve.site import site
        from digest.serve.words import render

        if not site().admin_hash:
            return render("admin_off.html.j2", "en"), 403
        if not logged_in():
            return redirect("/admin/login", code=303)
        return view(*args, **kwargs)

    return guarded
