"""The dashboard's passwords: the shared DIGEST_ADMIN_PASSWORD (the first admin) and each
volunteer's own (``digest users password``), kept only as Werkzeug hashes; the log-ins they open
are :mod:`digest.serve.logins`'s.

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
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from digest.config import Settings
    from digest.serve.site import Site

FAILED_LOGIN_PAUSE = 1.0  # seconds every wrong password costs, on top of the growing waits
ACCOUNT = "account"  # the shared password's key in the failure counts (a volunteer's: account:EMAIL)
# Checked when an address has no account or no password, so the answer takes as long as a real check.
NO_ACCOUNT = (
    "scrypt:32768:8:1$b2pKYj15YcmaYHIb$993439cb5890d51c2881d275f217ae50143e8e31ac937de52d864016c06b"
    "46de1ac3f49ca7f51ea00551f2bda5c514f9cff3e975aa0c512417785924b892fa3a"
)
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

    ok = check_password_hash(stored or NO_ACCOUNT, given[:1000]) and bool(stored)
    if not ok:
        time.sleep(FAILED_LOGIN_PAUSE)
    return ok


def account_key(s: Site, account: str) -> tuple[str, str]:
    """(password hash, mark) of a log-in's account: the shared password's for '', else the
    volunteer's own (the mark, a keyed hash of their hash, changes when their password does);
    ('', '') for an address with no account or no password."""
    from digest.store.users import user_row

    if not account:
        return s.admin_hash, s.admin_mark
    found = user_row(s.engine, account)
    if found is None or not found[1]:
        return "", ""
    mark = hmac.new(s.key, b"user-password|" + account.encode() + b"|" + found[1].encode(), hashlib.sha256)
    return found[1], mark.hexdigest()


def attempt(s: Site, address: str, given: str, device: str = "", account: str = "") -> bool | None:
    """Check a log-in attempt after the wait its keys have earned; None when too many are waiting.
    From a known ``device`` (:func:`request_device`) only that device's own failures count.
    ``account`` is the volunteer's email, or '' for the shared password."""
    keys = [f"device:{device}"] if device else [f"account:{account}" if account else ACCOUNT, address]
    wait = s.login_delays.wait(keys)
    if wait > 0:
        if not s.login_held.acquire(blocking=False):
            return None
        try:
            time.sleep(wait)
        finally:
            s.login_held.release()
    if check(account_key(s, account)[0], given):
        s.login_delays.forget(keys[-1])  # this address or device knows the password; the account count stays
        return True
    s.login_delays.failed(keys)
    return False


def request_device(s: Site, mark: str) -> str:
    """The id of the browser asking, when its device cookie says it logged in under the password
    ``mark`` names (:func:`account_key`) within DEVICE_LIFETIME; else ""."""
    from flask import request
    from itsdangerous import BadData

    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie or not mark:
        return ""
    try:
        device, signed = _devices(s).loads(cookie, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except (BadData, TypeError, ValueError):
        return ""
    return str(device) if hmac.compare_digest(str(signed), mark) else ""


def remember_device(s: Site, response: Response, device: str, mark: str) -> Response:
    """``response`` setting the device cookie after a right password: the same device, or a new one."""
    from flask import current_app

    value = str(_devices(s).dumps([device or secrets.token_urlsafe(16), mark]))
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=int(DEVICE_LIFETIME.total_seconds()), path="/admin", httponly=True,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]), samesite="Strict",
    )
    return response


def _devices(s: Site) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(s.key, salt="admin-device")
