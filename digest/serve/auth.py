"""The dashboard's log-in: one shared password, kept only as a hash; log-ins kept on the server.

A log-in is a row in the store (:mod:`digest.store.admin_sessions`) named by a random id that
the signed cookie carries: log-out deletes the row, and a changed DIGEST_ADMIN_PASSWORD voids
every log-in made under the old one, so an old cookie is refused afterwards.

Guessing is slowed, never turned against volunteers: only wrong passwords count, per account
and per client address, and they make the next attempts wait longer and longer
(:class:`digest.serve.throttle.FailureDelays`) rather than lock anyone out. A browser that
logged in before carries a signed device cookie (OWASP's "device cookie"): its attempts count
and wait under that device only, so a flood of guesses against the account (which fills the
few waiting places and is answered 429) never refuses a volunteer's right password from it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from digest.config import Settings
    from digest.serve.site import Site

FAILED_LOGIN_PAUSE = 1.0  # seconds every wrong password costs, on top of the growing waits
SESSION_ID = "login"
LIFETIME = timedelta(hours=12)  # a volunteer's working day, not a month
ACCOUNT = "account"  # the one dashboard account's key in the failure counts
DEVICE_COOKIE = "digest_device"
DEVICE_LIFETIME = timedelta(days=180)


def password_hash(settings: Settings) -> str:
    """DIGEST_ADMIN_PASSWORD as a hash (hashed here when given in clear); empty when unset."""
    from werkzeug.security import generate_password_hash

    from digest.config.web_values import HASH_PREFIXES

    value = settings.admin_password
    if not value or value.startswith(HASH_PREFIXES):
        return value
    return generate_password_hash(value)


def password_mark(key: bytes, value: str) -> str:
    """A keyed hash of DIGEST_ADMIN_PASSWORD as written: it changes exactly when the setting does."""
    return hmac.new(key, b"admin-password|" + value.encode(), hashlib.sha256).hexdigest() if value else ""


def check(stored: str, given: str) -> bool:
    from werkzeug.security import check_password_hash

    ok = bool(stored) and check_password_hash(stored, given[:1000])
    if not ok:
        time.sleep(FAILED_LOGIN_PAUSE)
    return ok


def attempt(s: Site, address: str, given: str, device: str = "") -> bool | None:
    """Check a log-in attempt after the wait its keys have earned; None when too many are waiting.
    From a known ``device`` (:func:`request_device`) only that device's own failures count."""
    keys = [f"device:{device}"] if device else [ACCOUNT, address]
    wait = s.login_delays.wait(keys)
    if wait > 0:
        if not s.login_held.acquire(blocking=False):
            return None
        try:
            time.sleep(wait)
        finally:
            s.login_held.release()
    if check(s.admin_hash, given):
        s.login_delays.forget(keys[-1])  # this address or device knows the password; the account count stays
        return True
    s.login_delays.failed(keys)
    return False


def request_device(s: Site) -> str:
    """The id of the browser asking, when its device cookie says it logged in under the current
    password within DEVICE_LIFETIME; else ""."""
    from flask import request
    from itsdangerous import BadData

    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie or not s.admin_mark:
        return ""
    try:
        device, mark = _devices(s).loads(cookie, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except (BadData, TypeError, ValueError):
        return ""
    return str(device) if hmac.compare_digest(str(mark), s.admin_mark) else ""


def remember_device(s: Site, response: Response, device: str) -> Response:
    """``response`` setting the device cookie after a right password: the same device, or a new one."""
    from flask import current_app

    value = str(_devices(s).dumps([device or secrets.token_urlsafe(16), s.admin_mark]))
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=int(DEVICE_LIFETIME.total_seconds()), path="/admin", httponly=True,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]), samesite="Strict",
    )
    return response


def _devices(s: Site) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(s.key, salt="admin-device")


def start_session(s: Site) -> None:
    """A fresh log-in: nothing from the session before carries over."""
    from flask import session

    from digest.store.admin_sessions import open_session

    given = secrets.token_urlsafe(32)
    open_session(s.engine, _digest(given), s.admin_mark, datetime.now(UTC), LIFETIME)
    session.clear()
    session[SESSION_ID] = given
    session.permanent = True


def end_session(s: Site) -> None:
    from flask import session

    from digest.store.admin_sessions import close_session

    given = session.get(SESSION_ID)
    if isinstance(given, str):
        close_session(s.engine, _digest(given))
    session.clear()


def logged_in(s: Site) -> bool:
    from flask import session

    from digest.store.admin_sessions import is_open

    given = session.get(SESSION_ID)
    if not isinstance(given, str) or not s.admin_mark:
        return False
    return is_open(s.engine, _digest(given), s.admin_mark, datetime.now(UTC), LIFETIME)


def _digest(given: str) -> str:
    return hashlib.sha256(given.encode()).hexdigest()


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """The dashboard is off without a password; without a live log-in, the log-in page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from flask import redirect, session

        from digest.serve.site import site
        from digest.serve.words import render

        s = site()
        if not s.admin_hash:
            return render("admin_off.html.j2", "en"), 403
        if not logged_in(s):
            session.clear()  # a revoked or expired log-in: its cookie is dropped too
            return redirect("/admin/login", code=303)
        return view(*args, **kwargs)

    return guarded
