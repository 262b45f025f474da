"""Volunteers' roles: what each may do on the dashboard (issue 22).

An editor edits and approves social posts; an approver also approves or holds editions and
resolves deliveries; an admin also manages the volunteers' accounts. DIGEST_ADMIN_PASSWORD
stays the first admin (:data:`FIRST_ADMIN` names it in the audit log).
"""

from __future__ import annotations

ROLES = ("editor", "approver", "admin")
# What each role may touch; each role may do what the one before it may.
AREAS = {
    "editor": frozenset({"posts"}),
    "approver": frozenset({"posts", "editions", "deliveries"}),
    "admin": frozenset({"posts", "editions", "deliveries", "users"}),
}
FIRST_ADMIN = "shared admin"


def check_role(raw: str) -> str:
    """``raw`` as a role; ValueError naming the roles otherwise."""
    role = raw.strip().lower()
    if role not in ROLES:
        raise ValueError(f"{raw!r} is no role; use one of {', '.join(ROLES)}")
    return role


def may(role: str, area: str) -> bool:
    """Whether ``role`` may change things in ``area`` (posts, editions, deliveries, users)."""
    return area in AREAS.get(role, frozenset())


def needed(area: str) -> str:
    """The first role that may change things in ``area`` (each role after it may too)."""
    return next((role for role in ROLES if may(role, area)), ROLES[-1])


def actor(account: str) -> str:
    """Who a log-in is in the audit log: the volunteer's email, or the shared password's admin."""
    return account or FIRST_ADMIN


def account_email(raw: str) -> str:
    """``raw`` as accounts keep it (checked, lower case); ValueError saying what is wrong."""
    from digest.subscribers import normalise

    try:
        return normalise(raw.strip()[:320])
    except ValueError as exc:
        raise ValueError(f"{raw[:80]!r} is not an email address: {exc}") from None
